package signature

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
)

// This file is RFC 9421, HTTP Message Signatures, as Mastodon 4.5 and later
// verify it (app/lib/signed_request.rb, HttpMessageSignature) and as 4.7
// sends it when a draft-cavage POST is refused
// (docs/federation.md#rfc9421-signatures). The Signature-Input, Signature and
// Content-Digest fields are structured fields (RFC 8941), read and written
// with httpsfv (docs/federation.md#structured-fields-library).

// algRSA is the one algorithm we verify and sign with: RSASSA-PKCS1-v1_5
// over SHA-256, the RSA keys every actor publishes (RFC 9421 section 3.3.2).
const algRSA = "rsa-v1_5-sha256"

// messageSignature is one signature of a request: its label, what it
// covers, its parameters and its bytes.
type messageSignature struct {
	label      string
	components []string // component identifiers, in signing order
	params     *httpsfv.Params
	input      httpsfv.InnerList // as received, to rebuild @signature-params
	keyID      string
	created    int64
	expires    int64 // 0 when absent
	signature  []byte
}

// covers reports whether the signature covers the component name.
func (m *messageSignature) covers(name string) bool {
	for _, c := range m.components {
		if c == name {
			return true
		}
	}
	return false
}

// parseMessageSignature reads r's Signature-Input and Signature fields. Of
// several signatures, the first one named in Signature-Input that has its
// bytes in Signature is taken.
func parseMessageSignature(r *http.Request) (*messageSignature, error) {
	inputs, err := httpsfv.UnmarshalDictionary(r.Header.Values("Signature-Input"))
	if err != nil {
		return nil, fmt.Errorf("Signature-Input is not a structured dictionary: %w", err)
	}
	sigs, err := httpsfv.UnmarshalDictionary(r.Header.Values("Signature"))
	if err != nil {
		return nil, fmt.Errorf("Signature is not a structured dictionary: %w", err)
	}
	for _, label := range inputs.Names() {
		member, _ := inputs.Get(label)
		in, ok := member.(httpsfv.InnerList)
		if !ok {
			return nil, fmt.Errorf("signature %s: input is not an inner list", label)
		}
		sm, ok := sigs.Get(label)
		if !ok {
			continue
		}
		item, ok := sm.(httpsfv.Item)
		b, isBytes := item.Value.([]byte)
		if !ok || !isBytes || len(b) == 0 {
			return nil, fmt.Errorf("signature %s is not a byte sequence", label)
		}
		m := &messageSignature{label: label, params: in.Params, input: in, signature: b}
		for _, c := range in.Items {
			name, ok := c.Value.(string)
			if !ok || name == "" {
				return nil, fmt.Errorf("signature %s: a component is not a string", label)
			}
			if c.Params != nil && len(c.Params.Names()) > 0 {
				return nil, fmt.Errorf("signature %s: component %q has parameters, which we do not support", label, name)
			}
			if name != strings.ToLower(name) {
				return nil, fmt.Errorf("signature %s: component %q is not lower case", label, name)
			}
			m.components = append(m.components, name)
		}
		if err := m.readParams(); err != nil {
			return nil, fmt.Errorf("signature %s: %w", label, err)
		}
		return m, nil
	}
	return nil, errors.New("no signature in Signature matches a label of Signature-Input")
}

// readParams takes keyid, created and expires from the parameters and checks
// alg. Mastodon requires keyid and created (REQUIRED_PARAMETERS).
func (m *messageSignature) readParams() error {
	if m.params == nil {
		return errors.New("no parameters")
	}
	for _, name := range m.params.Names() {
		v, _ := m.params.Get(name)
		var ok bool
		switch name {
		case "keyid":
			m.keyID, ok = v.(string)
		case "created":
			m.created, ok = v.(int64)
		case "expires":
			m.expires, ok = v.(int64)
		case "alg":
			var alg string
			alg, ok = v.(string)
			if ok && alg != algRSA {
				return fmt.Errorf("%w %q", errAlgorithm, alg)
			}
		default:
			ok = true // nonce, tag: nothing to check
		}
		if !ok {
			return fmt.Errorf("parameter %s has the wrong type", name)
		}
	}
	switch {
	case m.keyID == "":
		return errors.New("no keyid")
	case m.created == 0:
		return errors.New("no created")
	}
	return nil
}

var errAlgorithm = errors.New("unsupported algorithm")

// verifyMessage checks an RFC 9421 signature by Mastodon's rules: keyid
// and created present, the algorithm ours; @method and @target-uri covered,
// and content-digest on a POST; created and expires within the window of
// draft-cavage signatures (docs/federation.md#signature-time-window); the
// Content-Digest against body. All before any key lookup, as Verify does.
func verifyMessage(r *http.Request, body []byte, now time.Time, lookup KeyLookup) (string, string, error) {
	m, err := parseMessageSignature(r)
	if errors.Is(err, errAlgorithm) {
		return "", "", newError(ErrUnsupported, "", err.Error(), nil)
	}
	if err != nil {
		return "", "", newError(ErrMalformed, "", err.Error(), nil)
	}
	keyID := m.keyID
	switch {
	case !m.covers("@method") || !m.covers("@target-uri"):
		return keyID, "", newError(ErrWeak, keyID, "@method and @target-uri must be covered", nil)
	case r.Method == http.MethodPost && !m.covers("content-digest"):
		return keyID, "", newError(ErrWeak, keyID, "content-digest is not covered on a POST", nil)
	}
	expires := time.Time{}
	if m.expires != 0 {
		expires = time.Unix(m.expires, 0)
	}
	if err := inWindow(keyID, time.Unix(m.created, 0), expires, now); err != nil {
		return keyID, "", err
	}
	if m.covers("content-digest") {
		if err := checkContentDigest(r.Header.Values("Content-Digest"), body); err != nil {
			return keyID, "", newError(ErrDigest, keyID, err.Error(), nil)
		}
	}
	bases, err := signatureBases(r, m)
	if err != nil {
		return keyID, "", newError(ErrMalformed, keyID, err.Error(), nil)
	}
	owner, err := withKey(r, keyID, lookup, func(pub *rsa.PublicKey) bool {
		for _, base := range bases {
			sum := sha256.Sum256([]byte(base))
			if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], m.signature) == nil {
				return true
			}
		}
		return false
	})
	return keyID, owner, err
}

// checkContentDigest compares Content-Digest (RFC 9530), a dictionary of
// algorithm to byte sequence, with body. Mastodon knows only sha-256; we
// take sha-512 too. At least one of the two must be there, and every one
// that is must match.
func checkContentDigest(values []string, body []byte) error {
	if len(values) == 0 {
		return errors.New("no Content-Digest")
	}
	d, err := httpsfv.UnmarshalDictionary(values)
	if err != nil {
		return fmt.Errorf("Content-Digest is not a structured dictionary: %w", err)
	}
	checked := 0
	for _, alg := range d.Names() {
		var sum []byte
		switch alg {
		case "sha-256":
			s := sha256.Sum256(body)
			sum = s[:]
		case "sha-512":
			s := sha512.Sum512(body)
			sum = s[:]
		default:
			continue
		}
		member, _ := d.Get(alg)
		item, ok := member.(httpsfv.Item)
		got, isBytes := item.Value.([]byte)
		if !ok || !isBytes {
			return fmt.Errorf("Content-Digest %s is not a byte sequence", alg)
		}
		if subtle.ConstantTimeCompare(got, sum) != 1 {
			return fmt.Errorf("Content-Digest %s does not match the body", alg)
		}
		checked++
	}
	if checked == 0 {
		return fmt.Errorf("no sha-256 or sha-512 in Content-Digest (offered: %s)", strings.Join(d.Names(), ", "))
	}
	return nil
}

// signatureBase builds the signature base of RFC 9421 section 2.5, with
// scheme as the request's scheme.
func signatureBase(r *http.Request, m *messageSignature, scheme string) (string, error) {
	params, err := httpsfv.Marshal(m.input)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range m.components {
		v, err := componentValue(r, c, scheme)
		if err != nil {
			return "", err
		}
		b.WriteString(strconv.Quote(c)) // names are lower-case ASCII: as RFC 8941 writes them
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteByte('\n')
	}
	b.WriteString(`"@signature-params": `)
	b.WriteString(params)
	return b.String(), nil
}

// signatureBases are the bases a received signature may have been made
// over, one per scheme the request may have been sent with: behind a proxy
// that ends TLS the scheme of @target-uri is not known, and a request that
// reached us over plain HTTP is one to an http BASE_URL. The host, path and
// query are what bind the signature to the resource, and they are exact.
func signatureBases(r *http.Request, m *messageSignature) ([]string, error) {
	schemes := []string{"https", "http"}
	if r.TLS == nil {
		schemes = []string{"http", "https"}
	}
	if !m.coversScheme() {
		schemes = schemes[:1] // one base serves every scheme
	}
	var out []string
	for _, scheme := range schemes {
		base, err := signatureBase(r, m, scheme)
		if err != nil {
			return nil, err
		}
		out = append(out, base)
	}
	return out, nil
}

// coversScheme reports whether the base depends on the request's scheme.
func (m *messageSignature) coversScheme() bool {
	return m.covers("@target-uri") || m.covers("@scheme")
}

// componentValue is the value of one covered component (RFC 9421 sections
// 2.1 and 2.2). Derived components a request cannot have (@status) and
// @query-param, which needs a parameter, are refused.
func componentValue(r *http.Request, name, scheme string) (string, error) {
	target := requestTarget(r)
	path, query, hasQuery := strings.Cut(target, "?")
	switch name {
	case "@method":
		return r.Method, nil
	case "@target-uri":
		return scheme + "://" + authority(r) + target, nil
	case "@authority":
		return authority(r), nil
	case "@scheme":
		return scheme, nil
	case "@request-target":
		return target, nil
	case "@path":
		return path, nil
	case "@query":
		if !hasQuery {
			return "?", nil
		}
		return "?" + query, nil
	}
	if strings.HasPrefix(name, "@") {
		return "", fmt.Errorf("component %s is not supported", name)
	}
	values := r.Header.Values(name)
	if name == "host" && len(values) == 0 && r.Host != "" {
		values = []string{r.Host}
	}
	if len(values) == 0 {
		return "", fmt.Errorf("component %s is covered but absent", name)
	}
	for i, v := range values {
		values[i] = strings.TrimSpace(v)
	}
	return strings.Join(values, ", "), nil
}

// requestTarget is the path and query as the client sent them.
func requestTarget(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// authority is the request's host, lower case, with a port only when it
// was sent with one (RFC 9421 section 2.2.3).
func authority(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return strings.ToLower(host)
}

// SignMessage signs r with RFC 9421 as Mastodon 4.7 does: one signature
// labelled sig1 over @method and @target-uri, and content-digest on a
// request with a body, with the created, keyid and alg parameters, and a
// Content-Digest of body in sha-256. It replaces any draft-cavage signature
// on r, which a receiver could otherwise take for the one to check.
func SignMessage(r *http.Request, keyID string, key *rsa.PrivateKey, body []byte, now time.Time) error {
	if key == nil {
		return errors.New("signature: sign message: no key")
	}
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	if r.Host == "" || r.URL.Scheme == "" {
		return errors.New("signature: sign message: request has no absolute URL")
	}
	r.Header.Del("Signature")
	r.Header.Del("Digest")
	r.Header.Set("Date", now.UTC().Format(http.TimeFormat))

	components := []string{"@method", "@target-uri"}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if body == nil {
			body = []byte{}
		}
		sum := sha256.Sum256(body)
		cd := httpsfv.NewDictionary()
		cd.Add("sha-256", httpsfv.NewItem(sum[:]))
		v, err := httpsfv.Marshal(cd)
		if err != nil {
			return fmt.Errorf("signature: content digest: %w", err)
		}
		r.Header.Set("Content-Digest", v)
		components = append(components, "content-digest")
	}
	in := httpsfv.InnerList{Params: httpsfv.NewParams()}
	for _, c := range components {
		in.Items = append(in.Items, httpsfv.NewItem(c))
	}
	in.Params.Add("created", now.Unix())
	in.Params.Add("keyid", keyID)
	in.Params.Add("alg", algRSA)
	m := &messageSignature{label: "sig1", components: components, input: in}

	base, err := signatureBase(r, m, r.URL.Scheme)
	if err != nil {
		return fmt.Errorf("signature: sign message: %w", err)
	}
	sum := sha256.Sum256([]byte(base))
	sig, err := signSHA256(key, sum[:])
	if err != nil {
		return fmt.Errorf("signature: sign message: %w", err)
	}
	input, err := httpsfv.Marshal(in)
	if err != nil {
		return fmt.Errorf("signature: sign message: %w", err)
	}
	sigs := httpsfv.NewDictionary()
	sigs.Add("sig1", httpsfv.NewItem(sig))
	value, err := httpsfv.Marshal(sigs)
	if err != nil {
		return fmt.Errorf("signature: sign message: %w", err)
	}
	r.Header.Set("Signature-Input", "sig1="+input)
	r.Header.Set("Signature", value)
	return nil
}
