package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// WriteBody sends a response body with a weak ETag (weak because the body
// may be compressed on the way out), answering a matching If-None-Match
// with 304. The body is left out of answers to HEAD.
func WriteBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	etag := ETag(body)
	w.Header().Set("ETag", etag)
	if status == http.StatusOK && ETagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// ETag is the weak ETag of a body (weak because the body may be sent
// compressed).
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

// ETagMatch reports whether an If-None-Match header matches etag, comparing
// weakly as RFC 9110 section 13.1.2 asks.
func ETagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for rest := header; rest != ""; {
		var v string
		v, rest, _ = strings.Cut(rest, ",")
		if strings.TrimSpace(v) == "*" || strip(v) == strip(etag) {
			return true
		}
	}
	return false
}
