package signature

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The kinds of verification failure. Every error Verify returns is an *Error
// whose Kind is one of these, so errors.Is(err, ErrDigest) works, and the inbox
// answers 401 to all of them (docs/federation.md#inbox-answers), except perhaps
// ErrKey when the cause is its own database rather than the remote key.
var (
	ErrUnsigned    = errors.New("signature: request is not signed")
	ErrUnsupported = errors.New("signature: unsupported signature scheme")
	ErrMalformed   = errors.New("signature: malformed signature")
	ErrWeak        = errors.New("signature: required headers are not signed")
	ErrDigest      = errors.New("signature: Digest does not match the body")
	ErrStale       = errors.New("signature: date outside the accepted window")
	ErrKey         = errors.New("signature: key not available")
	ErrInvalid     = errors.New("signature: signature does not verify")
)

// Error is a verification failure.
type Error struct {
	Kind   error  // ErrUnsigned, ErrUnsupported, …
	KeyID  string // the keyId, when the header could be parsed
	Detail string // what was wrong, for the log; never for the client
	Err    error  // the cause, when there is one (the key lookup's error)
}

func newError(kind error, keyID, detail string, err error) *Error {
	return &Error{Kind: kind, KeyID: keyID, Detail: detail, Err: err}
}

func (e *Error) Error() string {
	msg := e.Kind.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.KeyID != "" {
		msg += " (keyId " + e.KeyID + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap gives both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// KeyLookup returns the public key named by keyID and the id of the actor that
// owns it. With refetch false it may answer from a cache (fetching only an
// unknown key); with refetch true it must fetch the key again, because the
// cached one failed to verify and the actor may have rotated it
// (docs/federation.md#key-refetch-once). Rate-limiting refetches per host is
// the lookup's business.
type KeyLookup func(ctx context.Context, keyID string, refetch bool) (pub *rsa.PublicKey, owner string, err error)

// Mastodon's time window (app/lib/signed_request.rb): a signature is created at
// Date (or at the created parameter with hs2019) and expires five minutes later
// unless it says otherwise, at most twelve hours later; an hour of clock skew
// is allowed on either side (docs/federation.md#signature-time-window).
const (
	defaultExpiry = 5 * time.Minute
	maxExpiry     = 12 * time.Hour
	clockSkew     = time.Hour
)

// Verify checks r's signature by Mastodon's rules and returns the keyId and
// the id of the actor that owns the key. A request with Signature-Input is
// RFC 9421 and is checked as verifyMessage says; any other is draft-cavage.
// body is the request body, already read (the inbox caps it at 1 MB first,
// docs/federation.md#httpsig-gaps).
//
// The draft-cavage checks, in order, all before any key lookup so that a
// malformed or stale request never causes a fetch: the algorithm must be
// rsa-sha256 or hs2019; date or (created) must be signed, (request-target)
// or digest, digest on every POST and host on every GET
// (docs/federation.md#signed-headers, #httpsig-gaps); the time window
// (docs/federation.md#signature-time-window); the Digest, SHA-256 only, against
// body (docs/federation.md#httpsig-gaps). Then the signature is checked against
// the key with (request-target) built with and without the query string
// (docs/federation.md#request-target-query); if it fails, the key is looked up
// again once with refetch set, and checked again
// (docs/federation.md#key-refetch-once).
func Verify(r *http.Request, body []byte, now time.Time, lookup KeyLookup) (keyID string, actorID string, err error) {
	if r.Header.Get("Signature-Input") != "" {
		return verifyMessage(r, body, now, lookup)
	}
	header := r.Header.Get("Signature")
	if header == "" {
		return "", "", newError(ErrUnsigned, "", "no Signature header", nil)
	}
	p, err := parseParams(header)
	if err != nil {
		return "", "", newError(ErrMalformed, "", err.Error(), nil)
	}
	keyID = p.keyID
	if p.algorithm != "rsa-sha256" && p.algorithm != "hs2019" {
		return keyID, "", newError(ErrUnsupported, keyID, "algorithm "+strconv.Quote(p.algorithm), nil)
	}
	if err := checkStrength(r, p); err != nil {
		return keyID, "", newError(ErrWeak, keyID, err.Error(), nil)
	}
	if err := checkWindow(r, p, now); err != nil {
		return keyID, "", err
	}
	if p.signs("digest") {
		if err := checkDigest(strings.Join(r.Header.Values("Digest"), ","), body); err != nil {
			return keyID, "", newError(ErrDigest, keyID, err.Error(), nil)
		}
	}
	candidates, err := signingStrings(r, p)
	if err != nil {
		return keyID, "", newError(ErrMalformed, keyID, err.Error(), nil)
	}

	owner, err := withKey(r, keyID, lookup, func(pub *rsa.PublicKey) bool {
		for _, s := range candidates {
			sum := sha256.Sum256([]byte(s))
			if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], p.signature) == nil {
				return true
			}
		}
		return false
	})
	return keyID, owner, err
}

// withKey looks up keyID and runs verify with it; if verify fails, it looks
// the key up again once with refetch set, in case the owner rotated it, and
// runs verify again (docs/federation.md#key-refetch-once). It returns the
// key's owner.
func withKey(r *http.Request, keyID string, lookup KeyLookup, verify func(*rsa.PublicKey) bool) (string, error) {
	for _, refetch := range []bool{false, true} {
		pub, owner, err := lookup(r.Context(), keyID, refetch)
		if err == nil && pub == nil {
			err = errors.New("lookup returned no key")
		}
		if err != nil {
			detail := "looking up the key"
			if refetch {
				detail = "the key failed to verify and fetching it again failed"
			}
			return "", newError(ErrKey, keyID, detail, err)
		}
		if verify(pub) {
			return owner, nil
		}
	}
	return "", newError(ErrInvalid, keyID, "", nil)
}

// checkStrength applies Mastodon's rules on what must be signed
// (HttpSignature#verify_signature_strength!).
func checkStrength(r *http.Request, p *params) error {
	switch {
	case !p.signs("date") && !p.signs("(created)"):
		return errors.New("neither date nor (created) is signed")
	case !p.signs("(request-target)") && !p.signs("digest"):
		return errors.New("neither (request-target) nor digest is signed")
	case r.Method == http.MethodGet && !p.signs("host"):
		return errors.New("host is not signed on a GET")
	case r.Method == http.MethodPost && !p.signs("digest"):
		return errors.New("digest is not signed on a POST")
	}
	return nil
}

// checkWindow applies the time window of
// docs/federation.md#signature-time-window (#matches_time_window?).
func checkWindow(r *http.Request, p *params, now time.Time) error {
	var created time.Time
	switch date := r.Header.Get("Date"); {
	case p.algorithm == "hs2019" && p.created != 0:
		created = time.Unix(p.created, 0)
	case date != "":
		t, err := http.ParseTime(date)
		if err != nil {
			return newError(ErrMalformed, p.keyID, "invalid Date "+strconv.Quote(date), nil)
		}
		created = t
	default:
		return newError(ErrStale, p.keyID, "no Date and no created parameter", nil)
	}
	var expires time.Time
	if p.expires != 0 {
		expires = time.Unix(p.expires, 0)
	}
	return inWindow(p.keyID, created, expires, now)
}

// inWindow applies Mastodon's time window (#matches_time_window?) to a
// signature created at created that expires at expires, or five minutes
// after created when expires is zero.
func inWindow(keyID string, created, expires, now time.Time) error {
	if expires.IsZero() {
		expires = created.Add(defaultExpiry)
	}
	if limit := created.Add(maxExpiry); expires.After(limit) {
		expires = limit
	}
	switch {
	case created.After(now.Add(clockSkew)):
		return newError(ErrStale, keyID, fmt.Sprintf("created %s, more than an hour ahead of %s", created.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), nil)
	case now.After(expires.Add(clockSkew)):
		return newError(ErrStale, keyID, fmt.Sprintf("expired %s, more than an hour before %s", expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), nil)
	}
	return nil
}

// checkDigest compares a Digest header, a comma-separated list of
// algorithm=base64 pairs whose algorithm names are case-insensitive, with the
// SHA-256 of body. Like Mastodon it requires a SHA-256 entry.
func checkDigest(header string, body []byte) error {
	if header == "" {
		return errors.New("no Digest header")
	}
	var offered []string
	for _, part := range strings.Split(header, ",") {
		alg, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		offered = append(offered, alg)
		if !strings.EqualFold(alg, "SHA-256") {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("SHA-256 digest is not base64: %q", value)
		}
		sum := sha256.Sum256(body)
		if subtle.ConstantTimeCompare(got, sum[:]) != 1 {
			return fmt.Errorf("SHA-256 digest %s, body's is %s", value, base64.StdEncoding.EncodeToString(sum[:]))
		}
		return nil
	}
	return fmt.Errorf("no SHA-256 digest (offered: %s)", strings.Join(offered, ", "))
}

// signingStrings returns the strings the signature may have been made over:
// one per way of writing (request-target). The path is tried as it came on
// the wire and as decoded (httpsig signs the decoded path), each with and
// without the query string, since GoToSocial and Mastodon before 4.3 signed
// without it (docs/federation.md#request-target-query).
func signingStrings(r *http.Request, p *params) ([]string, error) {
	targets := []string{""}
	if p.signs("(request-target)") {
		targets = requestTargets(r)
	}
	var out []string
	for _, target := range targets {
		s, err := signingString(r, p, target)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func requestTargets(r *http.Request) []string {
	var paths []string
	if uri := r.RequestURI; strings.HasPrefix(uri, "/") {
		path, _, _ := strings.Cut(uri, "?")
		paths = append(paths, path)
	}
	paths = append(paths, r.URL.EscapedPath(), r.URL.Path)
	method := strings.ToLower(r.Method)
	var targets []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			targets = append(targets, t)
		}
	}
	for _, path := range paths {
		if r.URL.RawQuery != "" {
			add(method + " " + path + "?" + r.URL.RawQuery)
		}
		add(method + " " + path)
	}
	return targets
}

// signingString builds the string that was signed (draft-cavage section
// 2.3), with target as the value of (request-target).
func signingString(r *http.Request, p *params, target string) (string, error) {
	var b strings.Builder
	for i, h := range p.headers {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(h)
		b.WriteString(": ")
		switch h {
		case "(request-target)":
			b.WriteString(target)
		case "(created)", "(expires)":
			v := p.created
			if h == "(expires)" {
				v = p.expires
			}
			if p.algorithm != "hs2019" {
				return "", fmt.Errorf("%s signed with algorithm %s", h, p.algorithm)
			}
			if v == 0 {
				return "", fmt.Errorf("%s signed without its parameter", h)
			}
			b.WriteString(strconv.FormatInt(v, 10))
		case "host":
			host := r.Header.Get("Host")
			if host == "" {
				host = r.Host
			}
			if host == "" {
				return "", errors.New("host signed but absent")
			}
			b.WriteString(host)
		default:
			values := r.Header.Values(h)
			if len(values) == 0 {
				return "", fmt.Errorf("header %s signed but absent", h)
			}
			for j, v := range values {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strings.TrimSpace(v))
			}
		}
	}
	return b.String(), nil
}
