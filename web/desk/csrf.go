package desk

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"strings"
)

// Limits on request bodies under /desk. A translation's Markdown may be
// 200,000 bytes, which URL-encoding can triple; uploads are a cover image plus
// a few text fields.
const (
	maxFormBody      = 2 << 20
	maxMultipartBody = maxCoverBytes + 1<<20
	multipartMemory  = 1 << 20 // larger uploads spill to temporary files
)

// csrf protects every state-changing desk request (the OWASP "synchronizer
// token" pattern): each session holds a random token, every form carries it
// in a hidden csrf_token field (or a script in an X-CSRF-Token header), and a
// POST, PUT, PATCH or DELETE whose token does not match is refused with 403
// before any handler runs. The login form is covered too, with the token of
// the anonymous session scs creates for it. When the browser says where the
// request comes from (Origin), that must be this site as well; deskHeaders
// makes sure browsers do say it.
//
// Reading the token means reading the body, so csrf also caps the body's size.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			next.ServeHTTP(w, r)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !strings.EqualFold(origin, s.origin()) {
			s.csrfRefuse(w, r)
			return
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			if err := parseDeskBody(w, r); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					s.deskError(w, r, http.StatusRequestEntityTooLarge, "")
					return
				}
				s.deskError(w, r, http.StatusBadRequest, "")
				return
			}
			got = r.PostFormValue("csrf_token")
		}
		want := s.sessions.GetString(r.Context(), sessionCSRF)
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			s.csrfRefuse(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// parseDeskBody parses a form or multipart body within the desk's size limits.
func parseDeskBody(w http.ResponseWriter, r *http.Request) error {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, maxMultipartBody)
		return r.ParseMultipartForm(multipartMemory)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	return r.ParseForm()
}

func (s *Server) csrfRefuse(w http.ResponseWriter, r *http.Request) {
	s.deskError(w, r, http.StatusForbidden,
		"This form has expired or did not come from this site, so nothing was changed. Go back, reload the page and try again.")
}

// origin is the site's origin as browsers send it in the Origin header.
func (s *Server) origin() string {
	return s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host
}

// csrfToken returns the session's CSRF token, creating one (and so a session)
// when there is none yet.
func (s *Server) csrfToken(r *http.Request) string {
	ctx := r.Context()
	tok := s.sessions.GetString(ctx, sessionCSRF)
	if tok == "" {
		tok = newCSRFToken()
		s.sessions.Put(ctx, sessionCSRF, tok)
	}
	return tok
}

// newCSRFToken returns 256 random bits, URL-safe.
func newCSRFToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
