package web

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"samizdat/web/internal/serve"
)

// errorPage is the data of error.html.
type errorPage struct {
	page
	Status  int
	Message string
}

// error answers a failed request: it maps the error's kind to a status, logs
// only what is unexpected, and shows a page in the reader's section language
// that never includes the error's text.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	s.errorStatus(w, r, s.statusFor(r, err))
}

// statusFor maps an error's kind to an HTTP status (serve.Status), logging
// the errors that are not the client's doing.
func (s *Server) statusFor(r *http.Request, err error) int {
	status := serve.Status(err)
	if status == http.StatusInternalServerError {
		s.logger.Error("request failed", "err", err, "request_id", serve.RequestID(r), "path", r.URL.Path)
	}
	return status
}

// errorStatus shows the error page for a status.
func (s *Server) errorStatus(w http.ResponseWriter, r *http.Request, status int) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", serve.RetryAfter)
	}
	lang := chi.URLParam(r, "lang")
	if !s.hasLang(lang) {
		lang = s.cfg.Languages[0]
	}
	p := errorPage{page: s.newPage(r, lang), Status: status}
	p.Title, p.Message = T(lang, "error.title", "Status", status), T(lang, "error.text")
	if key := fmt.Sprintf("error.%d.", status); T("en", key+"title") != key+"title" {
		p.Title, p.Message = T(lang, key+"title"), T(lang, key+"text")
	}
	p.NoIndex = true
	s.render(w, r, status, "error.html", p)
}

// notFound is the 404 handler for every unknown route.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorStatus(w, r, http.StatusNotFound)
}
