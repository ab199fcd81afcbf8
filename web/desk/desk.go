package desk

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// The desk's handlers live in files named after what they work on: auth.go
// (login, roles), csrf.go, story.go, translation.go, cover.go,
// submission.go, staff.go, moderation.go and delivery.go. This file holds
// what they share.

// Session keys.
const (
	sessionStaffID = "staff_id"
	sessionCSRF    = "csrf"
	sessionFlash   = "flash"
)

// deskPage is what every desk page's data carries for the desk layout.
type deskPage struct {
	Lang    string // always "en": the desk is in English
	Title   string
	Site    site
	Section string // "stories", "submissions" or "staff", for the navigation
	CSRF    string
	Staff   *staffView
	Flash   string
}

// site is the publication as desk pages show it.
type site struct {
	Name string
}

// languageLink is a configured language, for choosing one.
type languageLink struct {
	Lang string
	Name string
}

// staffView is the signed-in staff member as desk pages show them.
type staffView struct {
	ID          int64
	DisplayName string
	Email       string
	IsAdmin     bool
	IsEditor    bool
	IsModerator bool
}

// deskErrorPage is the data of templates/error.html.
type deskErrorPage struct {
	deskPage
	Status  int
	Message string
	Back    string // a link to where the person came from, when known
}

// deskPage fills the fields every desk page shares: the signed-in staff
// member, the CSRF token for its forms, and the flash message left by the
// previous request (which it consumes).
func (s *Server) deskPage(r *http.Request, title, section string) deskPage {
	p := deskPage{Lang: "en", Title: title, Site: site{Name: s.cfg.PublicationName}, Section: section}
	p.CSRF = s.csrfToken(r)
	if m := staffFrom(r.Context()); m != nil {
		p.Staff = &staffView{
			ID:          m.ID,
			DisplayName: m.DisplayName,
			Email:       m.Email,
			IsAdmin:     m.Has(content.RoleAdmin),
			IsEditor:    m.Has(content.RoleEditor),
			IsModerator: m.Has(content.RoleModerator),
		}
	}
	p.Flash = s.sessions.PopString(r.Context(), sessionFlash)
	return p
}

// flash leaves a message for the next desk page the person sees, after a
// redirect.
func (s *Server) flash(r *http.Request, msg string) {
	s.sessions.Put(r.Context(), sessionFlash, msg)
}

// seeOther redirects after a successful POST (POST-redirect-GET).
func seeOther(w http.ResponseWriter, r *http.Request, url string) {
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// deskMessages are the fixed messages desk error pages show for a status.
var deskMessages = map[int]string{
	http.StatusBadRequest:            "The request could not be understood. Go back and try again.",
	http.StatusForbidden:             "Your account does not have the role this page needs.",
	http.StatusNotFound:              "There is nothing here. It may have been removed, or the address is wrong.",
	http.StatusConflict:              "This conflicts with something already saved. Reload the page and try again.",
	http.StatusRequestEntityTooLarge: "What you sent is too large. Images may be at most 10 MB.",
	http.StatusTooManyRequests:       "Too many attempts. Wait a few minutes and try again.",
	http.StatusInternalServerError:   "Something went wrong on our side. What you sent may not have been saved; try again in a moment.",
}

// deskError shows the desk's error page for status with a fixed message, or
// msg when given.
func (s *Server) deskError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if msg == "" {
		msg = deskMessages[status]
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	p := deskErrorPage{deskPage: s.deskPage(r, http.StatusText(status), ""), Status: status, Message: msg}
	s.render(w, r, status, "error.html", p)
}

// deskFail answers a desk request that failed: it maps the error's kind to a
// status as the public site does (serve.Status), logging only what is
// unexpected, and never shows the error's text.
func (s *Server) deskFail(w http.ResponseWriter, r *http.Request, err error) {
	status := serve.Status(err)
	if c, ok := formCheckFrom(r); ok && status >= http.StatusInternalServerError {
		// Most likely the database refused the text that is not text.
		s.formProblem(w, r, c)
		return
	}
	switch status {
	case http.StatusInternalServerError:
		s.logger.Error("request failed", "err", err, "request_id", serve.RequestID(r), "path", r.URL.Path)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", serve.RetryAfter)
	}
	s.deskError(w, r, status, "")
}

// sessionFail answers a request whose session could not be read or saved,
// and closes its answer: scs saves a changed session when the handler's
// answer starts, and when that fails it sends this error page and then
// still passes on the handler's status and body, which would follow the
// error page on the wire. guardSessionErrors drops them.
func (s *Server) sessionFail(w http.ResponseWriter, r *http.Request, err error) {
	s.deskFail(w, r, err)
	if g, ok := w.(*sessionGuard); ok {
		g.closed = true
	}
}

// guardSessionErrors sits outside scs, so that sessionFail reaches its
// writer.
func guardSessionErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&sessionGuard{ResponseWriter: w}, r)
	})
}

// sessionGuard passes everything on until a session error page has been
// sent, and nothing after it.
type sessionGuard struct {
	http.ResponseWriter
	closed bool
}

func (g *sessionGuard) WriteHeader(code int) {
	if !g.closed {
		g.ResponseWriter.WriteHeader(code)
	}
}

func (g *sessionGuard) Write(b []byte) (int, error) {
	if g.closed {
		return len(b), nil
	}
	return g.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (g *sessionGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// idParam reads a positive integer route parameter; ok is false when it is
// missing or malformed.
func idParam(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	return id, err == nil && id > 0
}

// pageParam reads the 1-based ?page= of a list.
func pageParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 10_000 {
		return 1
	}
	return n
}

// formErrors are a form's problems by field name, as a
// content.ValidationError gives them.
type formErrors map[string]string

// fieldError is one problem with a form, for the summary above it.
type fieldError struct {
	Field   string // the id of the field's input
	Message string
}

// formOrder is the order fields appear in on the desk's forms, so that the
// summary of problems reads in the same order as the form.
var formOrder = []string{
	"byline_kind", "byline_name", "lang", "title", "teaser", "body", "slug", "tags", "cover_alt",
	"cover", "state", "publish_at", "email", "display_name", "roles", "password",
}

// InOrder lists the problems in the order of the form's fields; fields the
// order does not know come last, by name.
func (e formErrors) InOrder() []fieldError {
	var out []fieldError
	for _, f := range formOrder {
		if msg, ok := e[f]; ok {
			out = append(out, fieldError{f, msg})
		}
	}
	var rest []string
	for f := range e {
		if !slices.Contains(formOrder, f) {
			rest = append(rest, f)
		}
	}
	slices.Sort(rest)
	for _, f := range rest {
		out = append(out, fieldError{f, e[f]})
	}
	return out
}

// fieldErrors returns a validation error's messages by field, or nil when
// err is not a validation error.
func fieldErrors(err error) map[string]string {
	var ve *content.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

// deskHeaders sets the headers of every desk response. Desk pages are
// private and carry CSRF tokens, so no cache may keep them. And where public
// pages send no referrer at all, desk pages send it within the site: under
// "no-referrer" browsers send "Origin: null" even on same-origin form posts,
// which the CSRF Origin check would refuse.
func deskHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
