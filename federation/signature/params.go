package signature

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// params are the parameters of a draft-cavage Signature header.
type params struct {
	keyID     string
	algorithm string   // lower case; "rsa-sha256" when the header names none
	headers   []string // lower case, in signing order
	signature []byte
	created   int64 // 0 when absent
	expires   int64 // 0 when absent
}

// signs reports whether name is among the signed headers.
func (p *params) signs(name string) bool {
	for _, h := range p.headers {
		if h == name {
			return true
		}
	}
	return false
}

// KeyID returns the keyId of r's Signature header without verifying anything,
// so that the inbox can decide before any fetch whether a request is worth
// verifying (docs/federation.md#account-deletion-floods: a Delete from an actor
// we never knew).
func KeyID(r *http.Request) (string, error) {
	if r.Header.Get("Signature-Input") != "" {
		m, err := parseMessageSignature(r)
		if err != nil {
			return "", newError(ErrMalformed, "", err.Error(), nil)
		}
		return m.keyID, nil
	}
	h := r.Header.Get("Signature")
	if h == "" {
		return "", newError(ErrUnsigned, "", "no Signature header", nil)
	}
	p, err := parseParams(h)
	if err != nil {
		return "", newError(ErrMalformed, "", err.Error(), nil)
	}
	return p.keyID, nil
}

// parseParams parses a Signature header: comma-separated name=value pairs whose
// values are quoted strings or bare tokens. Unlike httpsig's parser it honours
// quotes, so a comma inside a keyId does no harm
// (docs/federation.md#httpsig-gaps).
func parseParams(h string) (*params, error) {
	p := &params{}
	seen := make([]string, 0, 8) // the names so far: a handful, so a slice beats a map
	s := h
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			break
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("parameter without a value in %q", h)
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var value string
		if strings.HasPrefix(s, `"`) {
			var i int
			value, i = unquote(s)
			if i < 0 {
				return nil, fmt.Errorf("unterminated quoted value of %s", name)
			}
			s = s[i+1:]
			s = strings.TrimLeft(s, " \t")
			if s != "" && s[0] != ',' {
				return nil, fmt.Errorf("junk after the value of %s", name)
			}
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			value, s = strings.TrimSpace(s[:end]), s[end:]
		}
		if slices.Contains(seen, name) {
			return nil, fmt.Errorf("parameter %s given twice", name)
		}
		seen = append(seen, name)
		var err error
		switch name {
		case "keyid":
			p.keyID = value
		case "algorithm":
			p.algorithm = strings.ToLower(value)
		case "headers":
			p.headers = strings.Fields(strings.ToLower(value))
		case "signature":
			p.signature, err = base64.StdEncoding.DecodeString(value)
			if err != nil {
				return nil, fmt.Errorf("signature is not base64: %w", err)
			}
		case "created":
			p.created, err = strconv.ParseInt(value, 10, 64)
		case "expires":
			p.expires, err = strconv.ParseInt(value, 10, 64)
		}
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
	}
	switch {
	case p.keyID == "":
		return nil, fmt.Errorf("no keyId")
	case len(p.signature) == 0:
		return nil, fmt.Errorf("no signature")
	}
	if p.algorithm == "" {
		p.algorithm = "rsa-sha256" // what Mastodon assumes
	}
	if !slices.Contains(seen, "headers") {
		p.headers = []string{"date"} // the draft's default
	}
	return p, nil
}

// unquote reads the quoted string at the start of s, which begins with a
// double quote, with backslash escapes. It returns the value and the index
// of the closing quote, or -1 when there is none. A value without escapes,
// as every signature and keyId in practice is, is a slice of s.
func unquote(s string) (string, int) {
	end := strings.IndexByte(s[1:], '"') + 1
	if end > 0 && strings.IndexByte(s[1:end], '\\') < 0 {
		return s[1:end], end
	}
	var b strings.Builder
	i := 1
	for ; i < len(s) && s[i] != '"'; i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	if i == len(s) {
		return "", -1
	}
	return b.String(), i
}
