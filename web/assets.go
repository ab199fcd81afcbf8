package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// handleStatic serves the embedded static files under their content-hashed
// URLs (serve.Assets).
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	ok, err := assets.Serve(w, r, chi.URLParam(r, "hash"), chi.URLParam(r, "*"))
	switch {
	case err != nil:
		s.error(w, r, err)
	case !ok:
		s.notFound(w, r)
	}
}
