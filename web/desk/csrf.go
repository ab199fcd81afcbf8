package desk

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"samizdat/web/internal/serve"
)

// Limits on request bodies under /desk. A translation's Markdown may be
// 200,000 bytes, which URL-encoding can triple; uploads are a cover image plus
// a few text fields. The form limit is well above what may be saved, so that
// a text pasted far too long (two megabytes of Cyrillic is six encoded)
// still reaches the form's own check and comes back with its message and
// everything typed, rather than as a bare error page.
const (
	maxFormBody      = 8 << 20
	maxMultipartBody = maxCoverBytes + 1<<20
	multipartMemory  = 1 << 20 // larger uploads spill to temporary files
)

// csrf protects every state-changing desk request (POST, PUT, PATCH,
// DELETE) in two layers, both before any handler runs.
//
// First net/http's CrossOriginProtection refuses what a browser says comes
// from another origin: by Sec-Fetch-Site, or, from browsers that do not send
// it, by comparing Origin with Host. The configured address is trusted as an
// Origin too, for a proxy that rewrites Host; deskHeaders makes sure that
// browsers send Origin on the desk's own forms.
//
// Then the session's token (the "synchronizer token" pattern): every form
// carries it in a hidden csrf_token field, or a script in an X-CSRF-Token
// header, and a request whose token does not match is refused. It still
// adds two things CrossOriginProtection cannot: browsers that send neither
// Sec-Fetch-Site nor Origin are let through by it, and the public site
// shares the desk's origin while showing remote HTML, so a form that ever
// slipped past the sanitizer would be same-origin to it but could not know
// the token. The login form is covered too, with the token of the
// anonymous session scs creates for it.
//
// Reading the token means reading the body, so csrf also caps the body's size.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			next.ServeHTTP(w, r)
			return
		}
		if err := s.crossOrigin.Check(r); err != nil {
			s.csrfRefuse(w, r)
			return
		}
		check, err := readDeskForm(w, r)
		if err != nil {
			s.deskError(w, r, http.StatusBadRequest, "")
			return
		}
		if check.TooLarge || check.Malformed {
			// Nothing changes, whoever sent it: the page only gives back
			// what was typed, to the browser that typed it.
			s.formProblem(w, r, check)
			return
		}
		if len(check.BadText) > 0 {
			// The handler may say which field is wrong itself; if it fails
			// instead, deskFail shows the form's problem.
			r = r.WithContext(context.WithValue(r.Context(), formCheckKey{}, check))
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
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

// newCrossOriginProtection returns the first layer of csrf, trusting the
// site's configured origin as browsers send it.
func newCrossOriginProtection(base *url.URL) (*http.CrossOriginProtection, error) {
	cop := http.NewCrossOriginProtection()
	origin := strings.ToLower(base.Scheme + "://" + base.Host)
	if err := cop.AddTrustedOrigin(origin); err != nil {
		return nil, fmt.Errorf("desk: trusted origin %s: %w", origin, err)
	}
	return cop, nil
}

// readDeskForm reads a form or multipart body within the desk's size
// limits, and says what was wrong with it (serve.ReadForm). Other bodies are
// left for their handler.
func readDeskForm(w http.ResponseWriter, r *http.Request) (serve.FormCheck, error) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		return serve.ReadFormAsSent(w, r, maxMultipartBody, multipartMemory)
	case "application/x-www-form-urlencoded", "":
		return serve.ReadFormAsSent(w, r, maxFormBody, multipartMemory)
	}
	return serve.FormCheck{}, nil
}

// parseDeskBody makes sure a form body is parsed, for handlers that need
// its multipart parts; the csrf middleware has usually done it already.
func parseDeskBody(w http.ResponseWriter, r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if _, err := readDeskForm(w, r); err != nil {
		return err
	}
	return nil
}

func (s *Server) csrfRefuse(w http.ResponseWriter, r *http.Request) {
	s.deskError(w, r, http.StatusForbidden,
		"This form has expired or did not come from this site, so nothing was changed. Go back, reload the page and try again.")
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
