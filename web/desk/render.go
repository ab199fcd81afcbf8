package desk

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"github.com/go-chi/chi/v5"

	"samizdat/web/internal/serve"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// assets are the desk's static files under /desk/static/, by content hash.
var assets = serve.MustAssets(staticFS, "/desk/static/")

// staticURL returns the cache-busting URL of a static file.
func staticURL(name string) string { return assets.URL(name) }

// handleStatic serves the desk's stylesheet under its content-hashed URL.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	ok, err := assets.Serve(w, r, chi.URLParam(r, "hash"), chi.URLParam(r, "*"))
	switch {
	case err != nil:
		s.deskFail(w, r, err)
	case !ok:
		s.deskError(w, r, http.StatusNotFound, "")
	}
}

// templates holds one parsed template set per page: the layout plus the page.
type templates struct {
	pages map[string]*template.Template
}

// parseTemplates parses every page once at startup. Pages share
// templates/layout.html and templates/partials/; each defines "title" and
// "main". Pages are named as before the desk had its own package
// ("story.html"), so that a log line names the file unambiguously.
func parseTemplates() (*templates, error) {
	pages, err := serve.ParsePages(templateFS, template.FuncMap{"static": staticURL, "teamArgs": teamArgs, "add1": func(i int) int { return i + 1 }})
	if err != nil {
		return nil, fmt.Errorf("desk: %w", err)
	}
	return &templates{pages: pages}, nil
}

// render executes a page into a buffer and sends it with an ETag. A
// template error sends a plain 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	body, err := serve.ExecutePage(s.tmpl.pages, name, data)
	if err != nil {
		s.logger.Error("render", "template", name, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	serve.WriteBody(w, r, status, body)
}
