package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// descriptionLength is how much of a page's text its meta description
// carries: about what search engines show.
const descriptionLength = 160

// staticPage is the data of page.html: one of the pages the editors keep
// (about, team, stance, privacy and any other).
type staticPage struct {
	page
	BodyHTML   template.HTML
	Updated    string
	UpdatedISO string
	Preview    bool // the desk's preview: a banner, kept out of indexes
	Team       []teamView
	Anonymous  bool // some members are anonymous: the page says so
}

// teamView is a team member as the team page shows them. An anonymous
// member has only a Role.
type teamView struct {
	Name  string
	Role  string
	Photo string
	Link  string
}

// teamOf is the team list in lang.
func (s *Server) teamOf(r *http.Request, lang string) ([]teamView, bool, error) {
	members, err := s.store.TeamMembers(r.Context())
	if err != nil {
		return nil, false, err
	}
	var out []teamView
	anonymous := false
	for _, m := range members {
		role := m.Roles[lang]
		if role == "" {
			for _, l := range s.cfg.Languages {
				if role = m.Roles[l]; role != "" {
					break
				}
			}
		}
		if m.Anonymous {
			anonymous = true
			out = append(out, teamView{Role: role})
			continue
		}
		v := teamView{Name: m.Name, Role: role, Link: m.Link}
		if m.Photo != "" {
			v.Photo = mediaURL(m.Photo)
		}
		out = append(out, v)
	}
	return out, anonymous, nil
}

// PreviewPage answers the desk's preview of static page pg as typed: the
// public page's template, with the preview banner, kept out of indexes.
func (s *Server) PreviewPage(w http.ResponseWriter, r *http.Request, pg *content.Page) error {
	p := staticPage{
		page:     s.newPage(r, pg.Lang),
		BodyHTML: template.HTML(pg.BodyHTML), // from content.RenderMarkdown, which drops raw HTML
		Updated:  formatDate(pg.Lang, s.cfg.Now()),
		Preview:  true,
	}
	p.Title = pg.Title
	p.NoIndex = true
	s.render(w, r, http.StatusOK, "page.html", p)
	return nil
}

// pageURL is the path of a static page in a language.
func staticPageURL(lang, slug string) string { return "/" + lang + "/" + url.PathEscape(slug) }

// handlePage shows a published static page at /{lang}/{slug}. A slug that
// names a page published only in other languages gets the "not yet
// translated" notice, as a story does, with links to those languages.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	lang, slug := chi.URLParam(r, "lang"), chi.URLParam(r, "page")
	pg, err := s.store.Page(r.Context(), lang, slug)
	if err == nil && pg.State != content.StatePublished {
		err = content.ErrNotFound
	}
	if errors.Is(err, content.ErrNotFound) {
		s.pageUntranslated(w, r, lang, slug)
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	site, err := s.store.SitePage(r.Context(), pg.PageID)
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
	if site.ShowsTeam {
		if p.Team, p.Anonymous, err = s.teamOf(r, lang); err != nil {
			s.error(w, r, err)
			return
		}
	}
	p.Title = pg.Title
	// What a search engine or a link preview shows of the page.
	p.Description = serve.Excerpt(pg.BodyHTML, descriptionLength)
	p.Canonical = s.absURL(staticPageURL(lang, slug))
	p.FeedURL = "/" + lang + "/feed.atom"
	urls := map[string]string{}
	for _, t := range site.Translations {
		if t.State == content.StatePublished && s.hasLang(t.Lang) {
			urls[t.Lang] = staticPageURL(t.Lang, t.Slug)
			p.Alternates = append(p.Alternates, alternate{Lang: t.Lang, Name: langName(t.Lang), URL: s.absURL(urls[t.Lang])})
		}
	}
	p.switchTo(func(l string) string {
		if u, ok := urls[l]; ok {
			return u
		}
		return staticPageURL(l, slug) // the notice, in that language
	})
	s.render(w, r, http.StatusOK, "page.html", p)
}

// pageUntranslated answers a slug lang has no published page at: the
// notice when another language publishes a page there, or not found.
func (s *Server) pageUntranslated(w http.ResponseWriter, r *http.Request, lang, slug string) {
	site, err := s.store.PageWithSlug(r.Context(), lang, slug)
	if errors.Is(err, content.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := untranslatedPage{page: s.newPage(r, lang), Text: T(lang, "untranslated.page_text")}
	for _, t := range site.Translations {
		if t.State == content.StatePublished && s.hasLang(t.Lang) {
			p.Available = append(p.Available, translationLink{Lang: t.Lang, Name: langName(t.Lang), URL: staticPageURL(t.Lang, t.Slug), Title: t.Title, Available: true})
		}
	}
	if len(p.Available) == 0 {
		s.notFound(w, r)
		return
	}
	p.Title = T(lang, "untranslated.title")
	p.NoIndex = true
	p.switchTo(func(l string) string {
		for _, a := range p.Available {
			if a.Lang == l {
				return a.URL
			}
		}
		return staticPageURL(l, slug)
	})
	s.render(w, r, http.StatusOK, "untranslated.html", p)
}
