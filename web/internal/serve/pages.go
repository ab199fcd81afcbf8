package serve

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
)

// ParsePages parses every page of a template tree once, at start-up: the
// layout (templates/layout.html) and the partials (templates/partials/)
// with funcs, cloned once per page (templates/*.html). Each page defines
// "title" and "main" and is executed as "layout". The map is keyed by the
// page's file name ("story.html"). The site and the desk each have a tree.
func ParsePages(fsys fs.FS, funcs template.FuncMap) (map[string]*template.Template, error) {
	const layout = "templates/layout.html"
	base := template.New("layout").Funcs(funcs)
	partials, _ := fs.Glob(fsys, "templates/partials/*.html")
	if _, err := base.ParseFS(fsys, append([]string{layout}, partials...)...); err != nil {
		return nil, fmt.Errorf("parse %s: %w", layout, err)
	}
	files, _ := fs.Glob(fsys, "templates/*.html")
	pages := map[string]*template.Template{}
	for _, f := range files {
		if f == layout {
			continue
		}
		clone, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := clone.ParseFS(fsys, f); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		pages[strings.TrimPrefix(f, "templates/")] = clone
	}
	return pages, nil
}

// MustAssets makes the Assets of the files in fsys's "static" directory,
// served under prefix. It panics, at start-up, when they cannot be read:
// they are embedded in the binary, so that is a build mistake.
func MustAssets(fsys fs.FS, prefix string) *Assets {
	sub, err := fs.Sub(fsys, "static")
	if err != nil {
		panic(err)
	}
	a, err := NewAssets(sub, prefix)
	if err != nil {
		panic(err)
	}
	return a
}

// ExecutePage runs the page name of pages (from ParsePages) into a buffer,
// so that a template error sends no half page.
func ExecutePage(pages map[string]*template.Template, name string, data any) ([]byte, error) {
	tmpl, ok := pages[name]
	if !ok {
		return nil, fmt.Errorf("no template %s", name)
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
