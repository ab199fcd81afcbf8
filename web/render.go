package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticHashes maps a static file's name to a short hash of its content, so
// its URL changes whenever it does and can be cached for a year.
var staticHashes = func() map[string]string {
	m := map[string]string{}
	fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := staticFS.ReadFile(p)
		sum := sha256.Sum256(b)
		m[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return m
}()

// staticURL returns the cache-busting URL of a static file.
func staticURL(name string) string {
	h, ok := staticHashes[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + h + "/" + name
}

// templates holds one parsed template set per page: the layout plus the page.
type templates struct {
	pages map[string]*template.Template
}

// parseTemplates parses every page once at startup. Public pages share
// templates/layout.html and templates/partials/; desk pages share
// templates/desk/layout.html. Each page defines "title" and "main".
func parseTemplates() (*templates, error) {
	t := &templates{pages: map[string]*template.Template{}}
	for _, set := range []struct{ dir, layout string }{
		{"templates", "templates/layout.html"},
		{"templates/desk", "templates/desk/layout.html"},
	} {
		base := template.New("layout").Funcs(templateFuncs())
		shared := []string{set.layout}
		partials, _ := fs.Glob(templateFS, "templates/partials/*.html")
		shared = append(shared, partials...)
		if _, err := base.ParseFS(templateFS, shared...); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", set.layout, err)
		}
		files, _ := fs.Glob(templateFS, set.dir+"/*.html")
		for _, f := range files {
			if f == set.layout {
				continue
			}
			clone, err := base.Clone()
			if err != nil {
				return nil, err
			}
			if _, err := clone.ParseFS(templateFS, f); err != nil {
				return nil, fmt.Errorf("web: parse %s: %w", f, err)
			}
			name := strings.TrimPrefix(f, "templates/")
			t.pages[name] = clone
		}
	}
	return t, nil
}

// render executes a page into a buffer and sends it with an ETag, answering
// a matching If-None-Match with 304. A template error sends a plain 500,
// never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	body, ok := s.renderBytes(w, name, data)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	s.writeBody(w, r, status, body)
}

// renderBytes executes a page into a buffer and returns it. On a template
// error it logs, answers a plain 500 itself, and returns false.
func (s *Server) renderBytes(w http.ResponseWriter, name string, data any) ([]byte, bool) {
	tmpl, ok := s.tmpl.pages[name]
	if !ok {
		s.logger.Error("no such template", "template", name)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return nil, false
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.logger.Error("render", "template", name, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return nil, false
	}
	return buf.Bytes(), true
}

// writeBody sends a response body with a weak ETag (weak because the body
// may be compressed on the way out), answering If-None-Match with 304.
func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	etag := etagOf(body)
	w.Header().Set("ETag", etag)
	if status == http.StatusOK && etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// etagMatch reports whether an If-None-Match header matches etag, comparing
// weakly as RFC 9110 section 13.1.2 asks.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, v := range strings.Split(header, ",") {
		if strings.TrimSpace(v) == "*" || strip(v) == strip(etag) {
			return true
		}
	}
	return false
}
