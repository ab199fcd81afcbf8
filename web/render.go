package web

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"samizdat/web/internal/serve"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// assets are the public site's static files under /static/, by content hash.
var assets = serve.MustAssets(staticFS, "/static/")

// staticURL returns the cache-busting URL of a static file.
func staticURL(name string) string { return assets.URL(name) }

// templates holds one parsed template set per page: the layout plus the page.
type templates struct {
	pages map[string]*template.Template
}

// parseTemplates parses every page once at startup. Pages share
// templates/layout.html and templates/partials/; each defines "title" and
// "main".
func parseTemplates() (*templates, error) {
	pages, err := serve.ParsePages(templateFS, templateFuncs())
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return &templates{pages: pages}, nil
}

// render executes a page into a buffer and sends it with an ETag, answering
// a matching If-None-Match with 304. A template error sends a plain 500,
// never half a page.
//
// Pages say Cache-Control: no-cache unless their handler (or the desk,
// previewing) said otherwise: a browser or a CDN may keep a page but must
// ask again with its ETag before showing it, so that every change is on
// the next request, and the answer is mostly a 304. Without it, a CDN may
// apply a default lifetime of its own (docs/scaling.md).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	body, ok := s.renderBytes(w, name, data)
	if !ok {
		return
	}
	h := w.Header()
	h["Content-Type"] = htmlType
	if _, set := h["Cache-Control"]; !set {
		h["Cache-Control"] = noCache
	}
	s.writeBody(w, r, status, body)
}

// renderBytes executes a page into a buffer and returns it. On a template
// error it logs, answers a plain 500 itself, and returns false.
func (s *Server) renderBytes(w http.ResponseWriter, name string, data any) ([]byte, bool) {
	body, err := serve.ExecutePage(s.tmpl.pages, name, data)
	if err != nil {
		s.logger.Error("render", "template", name, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return nil, false
	}
	return body, true
}

// writeBody sends a response body with a weak ETag, answering
// If-None-Match with 304.
func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	serve.WriteBody(w, r, status, body)
}
