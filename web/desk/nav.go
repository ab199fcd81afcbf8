package desk

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// navRoutes registers /desk/navigation/…, the header's and the footer's
// links, for editors.
func (s *Server) navRoutes(r chi.Router) {
	r.Use(s.requireRoleMW(roleEditor))
	r.Get("/", s.handleNav)
	r.Post("/", s.handleNavAdd)
	r.Post("/customize", s.handleNavCustomize)
	r.Post("/{id}/labels", s.handleNavLabels)
	r.Post("/{id}/move", s.handleNavMove)
	r.Post("/{id}/remove", s.handleNavRemove)
}

// navPage is the data of templates/navigation.html.
type navPage struct {
	deskPage
	Places []navPlace
	Langs  []languageLink
	Pages  []navPageChoice
	Add    navAddForm
	Errors formErrors
}

type navPlace struct {
	Place   string
	Name    string
	BuiltIn bool // no links of the editors' own yet
	Links   []navRow
}

type navRow struct {
	ID     int64
	Target string
	Labels []navLabel
	First  bool
	Last   bool
}

type navLabel struct {
	Lang  string
	Name  string
	Value string
}

type navPageChoice struct {
	ID    int64
	Title string
}

// navAddForm is the form that adds a link, as typed.
type navAddForm struct {
	Place  string
	Kind   string
	PageID int64
	URL    string
	Labels []navLabel
}

func (s *Server) handleNav(w http.ResponseWriter, r *http.Request) {
	s.renderNav(w, r, http.StatusOK, navAddForm{Place: content.NavHeader, Kind: content.NavPage}, nil)
}

func (s *Server) renderNav(w http.ResponseWriter, r *http.Request, status int, add navAddForm, errs formErrors) {
	links, err := s.store.NavLinks(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	pages, err := s.store.SitePages(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := navPage{deskPage: s.deskPage(r, "Navigation", "navigation"), Errors: errs}
	titles := map[int64]string{}
	for _, sp := range pages {
		if t := s.firstPageTranslation(sp); t != nil {
			titles[sp.ID] = t.Title
			p.Pages = append(p.Pages, navPageChoice{ID: sp.ID, Title: t.Title})
		}
	}
	for _, l := range s.cfg.Languages {
		p.Langs = append(p.Langs, languageLink{Lang: l, Name: serve.LangName(l)})
	}
	if add.Labels == nil {
		for _, l := range p.Langs {
			add.Labels = append(add.Labels, navLabel{Lang: l.Lang, Name: l.Name})
		}
	}
	p.Add = add
	for _, place := range []string{content.NavHeader, content.NavFooter} {
		np := navPlace{Place: place, Name: map[string]string{content.NavHeader: "Header", content.NavFooter: "Footer"}[place]}
		var mine []*content.NavLink
		for _, l := range links {
			if l.Place == place {
				mine = append(mine, l)
			}
		}
		np.BuiltIn = len(mine) == 0
		for i, l := range mine {
			row := navRow{ID: l.ID, First: i == 0, Last: i == len(mine)-1}
			switch l.Kind {
			case content.NavPage:
				row.Target = "Page: " + titles[l.PageID]
			case content.NavSection:
				row.Target = "The latest stories (the section)"
			case content.NavTell:
				row.Target = "The “Tell your story” form"
			case content.NavURL:
				row.Target = "Outside link: " + l.URL
			}
			for _, lang := range p.Langs {
				row.Labels = append(row.Labels, navLabel{Lang: lang.Lang, Name: lang.Name, Value: l.Labels[lang.Lang]})
			}
			np.Links = append(np.Links, row)
		}
		p.Places = append(p.Places, np)
	}
	s.render(w, r, status, "navigation.html", p)
}

// labelsFrom reads the label_{lang} fields of a form.
func (s *Server) labelsFrom(r *http.Request) (map[string]string, []navLabel) {
	labels := map[string]string{}
	var typed []navLabel
	for _, l := range s.cfg.Languages {
		v := r.PostFormValue("label_" + l)
		typed = append(typed, navLabel{Lang: l, Name: serve.LangName(l), Value: v})
		if v != "" {
			labels[l] = v
		}
	}
	return labels, typed
}

func (s *Server) handleNavAdd(w http.ResponseWriter, r *http.Request) {
	labels, typed := s.labelsFrom(r)
	pageID, _ := strconv.ParseInt(r.PostFormValue("page_id"), 10, 64)
	l := &content.NavLink{Place: r.PostFormValue("place"), Kind: r.PostFormValue("kind"), URL: r.PostFormValue("url"), Labels: labels}
	if l.Kind == content.NavPage {
		l.PageID = pageID
	}
	if l.Kind != content.NavURL {
		l.URL = ""
	}
	add := navAddForm{Place: l.Place, Kind: l.Kind, PageID: pageID, URL: r.PostFormValue("url"), Labels: typed}
	if err := l.Validate(); err != nil {
		s.renderNav(w, r, http.StatusUnprocessableEntity, add, fieldErrors(err))
		return
	}
	// A place still showing the built-in links keeps them: they become
	// links of the editors' own first, and the new one comes after them.
	existing, err := s.store.NavLinks(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	if !slices.ContainsFunc(existing, func(e *content.NavLink) bool { return e.Place == l.Place }) {
		links, err := s.builtInLinks(r, content.BuiltInNav[l.Place])
		if err == nil {
			err = s.store.SetNavLinks(r.Context(), l.Place, links)
		}
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
	}
	if err := s.store.AddNavLink(r.Context(), l); err != nil {
		if errs := fieldErrors(err); errs != nil {
			s.renderNav(w, r, http.StatusUnprocessableEntity, add, errs)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The link is added. Readers see it on every page now.")
	seeOther(w, r, "/desk/navigation/")
}

// handleNavCustomize turns the built-in links of a place into links the
// editors can change, each built-in page found by its slug.
func (s *Server) handleNavCustomize(w http.ResponseWriter, r *http.Request) {
	place := r.PostFormValue("place")
	names, ok := content.BuiltInNav[place]
	if !ok {
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	links, err := s.builtInLinks(r, names)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	if err := s.store.SetNavLinks(r.Context(), place, links); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "These links are yours to change now.")
	seeOther(w, r, "/desk/navigation/")
}

// builtInLinks are the built-in links named (content.BuiltInNav) as links
// of the editors' own, each built-in page found by its slug.
func (s *Server) builtInLinks(r *http.Request, names []string) ([]*content.NavLink, error) {
	pages, err := s.store.SitePages(r.Context())
	if err != nil {
		return nil, err
	}
	var links []*content.NavLink
	for _, name := range names {
		switch name {
		case content.NavSection, content.NavTell:
			links = append(links, &content.NavLink{Kind: name})
			continue
		}
		for _, sp := range pages {
			if hasSlug(sp, name) {
				links = append(links, &content.NavLink{Kind: content.NavPage, PageID: sp.ID})
				break
			}
		}
	}
	return links, nil
}

func hasSlug(sp *content.SitePage, slug string) bool {
	for _, t := range sp.Translations {
		if t.Slug == slug {
			return true
		}
	}
	return false
}

func (s *Server) handleNavLabels(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	labels, _ := s.labelsFrom(r)
	if err := s.store.SetNavLabels(r.Context(), id, labels); err != nil {
		if errs := fieldErrors(err); errs != nil {
			s.renderNav(w, r, http.StatusUnprocessableEntity, navAddForm{Place: content.NavHeader, Kind: content.NavPage}, errs)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Labels saved.")
	seeOther(w, r, fmt.Sprintf("/desk/navigation/#link-%d", id))
}

func (s *Server) handleNavMove(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	if err := s.store.MoveNavLink(r.Context(), id, r.PostFormValue("dir") == "up"); err != nil {
		s.deskFail(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/desk/navigation/#link-%d", id))
}

func (s *Server) handleNavRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	if err := s.store.RemoveNavLink(r.Context(), id); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The link is removed.")
	seeOther(w, r, "/desk/navigation/")
}
