package web

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
)

// staticPage is the data of page.html: about, team, stance or privacy.
type staticPage struct {
	page
	BodyHTML   template.HTML
	Updated    string
	UpdatedISO string
}

// handlePage shows one of the publication's static pages in a language.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	lang, slug := chi.URLParam(r, "lang"), chi.URLParam(r, "page")
	pg, err := s.store.Page(r.Context(), lang, slug)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := staticPage{
		page:       s.newPage(r, lang),
		BodyHTML:   template.HTML(pg.BodyHTML), // from content.RenderMarkdown, which drops raw HTML
		Updated:    formatDate(lang, pg.UpdatedAt),
		UpdatedISO: isoTime(pg.UpdatedAt),
	}
	p.Title = pg.Title
	p.Canonical = s.absURL("/" + lang + "/" + slug)
	p.FeedURL = "/" + lang + "/feed.atom"
	p.switchTo(func(l string) string { return "/" + l + "/" + slug })
	for _, l := range s.cfg.Languages {
		if l == lang {
			p.Alternates = append(p.Alternates, alternate{Lang: l, Name: langName(l), URL: p.Canonical})
			continue
		}
		_, err := s.store.Page(r.Context(), l, slug)
		switch {
		case err == nil:
			p.Alternates = append(p.Alternates, alternate{Lang: l, Name: langName(l), URL: s.absURL("/" + l + "/" + slug)})
		case !errors.Is(err, content.ErrNotFound):
			s.error(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "page.html", p)
}
