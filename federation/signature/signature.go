// Package signature signs outgoing ActivityPub requests and verifies incoming
// ones with draft-cavage HTTP Signatures, the scheme every fediverse server
// speaks (https://datatracker.ietf.org/doc/html/draft-cavage-http-signatures-12),
// and with RFC 9421 HTTP Message Signatures, which Mastodon 4.5 and later
// verify and 4.7 sends when draft-cavage is refused (message.go,
// docs/federation.md#rfc9421-signatures).
//
// Signing goes through github.com/go-fed/httpsig, with RSA from OpenSSL
// where it can be loaded (rsa.go). Verification follows
// Mastodon's rules (app/lib/signed_request.rb) and is done here rather than
// through httpsig's Verifier, because that verifier checks neither the Digest
// nor which headers were signed nor the Date (docs/federation.md#httpsig-gaps,
// #signature-time-window); it checks the created and expires parameters against
// the wall clock with a 10-second margin, stricter than Mastodon and blind to
// an injected clock; and its parameter parser is not quote-aware
// (docs/federation.md#httpsig-gaps). The signing string is built the same way
// httpsig builds it, and the tests verify httpsig-signed requests.
package signature

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

// Headers signed on requests with a body and on GETs
// (docs/federation.md#signed-headers). Date is always signed, never (created)
// alone, which Pleroma cannot check.
var (
	postHeaders = []string{httpsig.RequestTarget, "host", "date", "digest"}
	getHeaders  = []string{httpsig.RequestTarget, "host", "date"}
)

// SignRequest signs r with key under keyID. A GET or HEAD is signed over
// (request-target) host date; any other method over (request-target) host date
// digest, with a Digest header of body, the exact bytes that will be sent. It
// sets the Host and Date headers itself: Go keeps the host in r.Host, where
// httpsig cannot see it (docs/federation.md#signed-headers, #httpsig-gaps).
// Signing again replaces the earlier signature, so a retried request can be
// signed with a fresh Date.
func SignRequest(r *http.Request, keyID string, key *rsa.PrivateKey, body []byte, now time.Time) error {
	return signRequest(r, keyID, key, body, "", now)
}

// Digest is the value of the Digest header SignRequest would set for body.
// An activity sent to many inboxes has the same body for each, so its
// digest is worth computing once: for a story of 1,200 words, hashed per
// inbox, it was about 3% of the server's CPU a delivery
// (docs/benchmarks.md#delivery-cpu).
func Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// SignRequestDigest is SignRequest for a request other than a GET or HEAD
// whose body's Digest value was computed beforehand by Digest.
func SignRequestDigest(r *http.Request, keyID string, key *rsa.PrivateKey, digest string, now time.Time) error {
	if digest == "" || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return errors.New("signature: sign: a digest is for a request with a body")
	}
	return signRequest(r, keyID, key, nil, digest, now)
}

// signRequest signs with body's digest computed by httpsig, or, when digest
// is set, with digest as the Digest header.
func signRequest(r *http.Request, keyID string, key *rsa.PrivateKey, body []byte, digest string, now time.Time) error {
	if key == nil {
		return errors.New("signature: sign: no key")
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if host == "" {
		return errors.New("signature: sign: request has no host")
	}
	r.Host = host
	r.Header.Set("Host", host)
	r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	r.Header.Del("Signature")
	r.Header.Del("Digest") // httpsig refuses to add a Digest when one is set (docs/federation.md#httpsig-gaps)

	headers := postHeaders
	switch {
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		headers, body = getHeaders, nil
	case digest != "":
		// httpsig signs the header as it finds it when given no body.
		r.Header.Set("Digest", digest)
		body = nil
	case body == nil:
		body = []byte{}
	}
	// Signers are not safe for concurrent use
	// (docs/federation.md#httpsig-gaps): one per request. httpsig builds
	// the signing string and the headers; the RSA signature comes from
	// signSHA256 through the ssh.Signer door httpsig leaves open (rsa.go).
	ss, err := newSSHSigner(key)
	if err != nil {
		return fmt.Errorf("signature: sign: %w", err)
	}
	signer, _, err := httpsig.NewSSHSigner(ss, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("signature: new signer: %w", err)
	}

	// httpsig puts r.URL.Path, decoded, into (request-target), while the
	// receiver sees the path as sent on the wire. They differ only for a path
	// with escaped characters; sign the escaped form so both sides agree.
	if escaped := r.URL.EscapedPath(); escaped != r.URL.Path {
		path, rawPath := r.URL.Path, r.URL.RawPath
		r.URL.Path, r.URL.RawPath = escaped, ""
		defer func() { r.URL.Path, r.URL.RawPath = path, rawPath }()
	}
	if err := signer.SignRequest(keyID, r, body); err != nil {
		return fmt.Errorf("signature: sign %s %s: %w", r.Method, r.URL.Redacted(), err)
	}

	// httpsig always writes algorithm="hs2019"
	// (docs/federation.md#httpsig-gaps). The algorithm is not part of the
	// signed string, so name the real one, as Mastodon does: every verifier
	// understands rsa-sha256, not every one understands hs2019.
	r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `algorithm="hs2019"`, `algorithm="rsa-sha256"`, 1))
	return nil
}
