package desk

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// pageForm is a page's text as typed. Values that are not valid UTF-8 are
// kept as typed for the store to refuse, and shown with replacement
// characters (display).
type pageForm struct {
	Lang  string
	Title string
	Slug  string
	Body  string
}

func pageFormFrom(r *http.Request) pageForm {
	return pageForm{
		Lang:  r.PostFormValue("lang"),
		Title: r.PostFormValue("title"),
		Slug:  r.PostFormValue("slug"),
		Body:  strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n"),
	}
}

func pageFormOf(p *content.Page) pageForm {
	return pageForm{Lang: p.Lang, Title: p.Title, Slug: p.Slug, Body: p.BodyMarkdown}
}

// display is the form as it can be shown again: bytes that are not UTF-8
// become U+FFFD, everything else stays as typed.
func (f pageForm) display() pageForm {
	fix := func(s string) string {
		if utf8.ValidString(s) {
			return s
		}
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return pageForm{Lang: fix(f.Lang), Title: fix(f.Title), Slug: fix(f.Slug), Body: fix(f.Body)}
}

func (f pageForm) page(pageID int64, lang string) *content.Page {
	return &content.Page{PageID: pageID, Lang: lang, Title: f.Title, Slug: f.Slug, BodyMarkdown: f.Body}
}

// pageListPage is the data of templates/pages.html.
type pageListPage struct {
	deskPage
	Pages []pageRow
	Langs []languageLink
}

type pageRow struct {
	ID        int64
	Title     string
	TitleLang string
	Languages []pageBadge
}

// pageBadge is one configured language of a page: its state, or missing.
type pageBadge struct {
	Lang    string
	Name    string
	State   string // "draft", "published" or "" when missing
	EditURL string
	Public  string // the public address, when published
}

func (s *Server) handlePageList(w http.ResponseWriter, r *http.Request) {
	pages, err := s.store.SitePages(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := pageListPage{deskPage: s.deskPage(r, "Pages", "pages")}
	for _, sp := range pages {
		row := pageRow{ID: sp.ID}
		if t := s.firstPageTranslation(sp); t != nil {
			row.Title, row.TitleLang = t.Title, t.Lang
		}
		for _, l := range s.cfg.Languages {
			b := pageBadge{Lang: l, Name: serve.LangName(l), EditURL: fmt.Sprintf("/desk/pages/%d/%s", sp.ID, l)}
			if t := sp.Translation(l); t != nil {
				b.State = string(t.State)
				if t.State == content.StatePublished {
					b.Public = "/" + l + "/" + t.Slug
				}
			}
			row.Languages = append(row.Languages, b)
		}
		p.Pages = append(p.Pages, row)
	}
	s.render(w, r, http.StatusOK, "pages.html", p)
}

// firstPageTranslation is the page in the first configured language it
// has, for naming it in lists.
func (s *Server) firstPageTranslation(sp *content.SitePage) *content.Page {
	for _, l := range s.cfg.Languages {
		if t := sp.Translation(l); t != nil {
			return t
		}
	}
	if len(sp.Translations) > 0 {
		return sp.Translations[0]
	}
	return nil
}

// pageEditPage is the data of templates/page_edit.html, which also serves
// for a new page (Current nil, PageID 0).
type pageEditPage struct {
	deskPage
	PageID    int64
	ShowsTeam bool   // the team list shows under the page's text
	PageTitle string // in the first language, for the crumbs
	Lang      string
	LangName  string
	Langs     []languageLink // for a new page: the language to write in
	Current   *content.Page
	F         pageForm
	Errors    formErrors
	FormURL   string
	Original  *pageOriginal
	Compare   []compareLink
	PublicURL string
	Others    []pageBadge // the page's other languages, for moving between them
	// AutosaveKey and Autosave: as on the story editor (autosave.go).
	AutosaveKey string
	Autosave    *autosaveView
}

// pageOriginal is another language of the page, shown beside the editor.
type pageOriginal struct {
	Lang     string
	Name     string
	Title    string
	BodyHTML template.HTML // rendered by content.RenderMarkdown when saved
}

func (s *Server) handlePageNew(w http.ResponseWriter, r *http.Request) {
	s.renderPageNew(w, r, http.StatusOK, pageForm{Lang: s.cfg.Languages[0]}, nil)
}

func (s *Server) renderPageNew(w http.ResponseWriter, r *http.Request, status int, f pageForm, errs formErrors) {
	p := pageEditPage{deskPage: s.deskPage(r, "New page", "pages"), F: f.display(), Errors: errs, FormURL: "/desk/pages/"}
	for _, l := range s.cfg.Languages {
		p.Langs = append(p.Langs, languageLink{Lang: l, Name: serve.LangName(l)})
	}
	p.Lang, p.LangName = f.Lang, serve.LangName(f.Lang)
	s.render(w, r, status, "page_edit.html", p)
}

func (s *Server) handlePageCreate(w http.ResponseWriter, r *http.Request) {
	f := pageFormFrom(r)
	if !s.hasLang(f.Lang) {
		s.renderPageNew(w, r, http.StatusUnprocessableEntity, f, formErrors{"lang": "Choose one of the publication's languages."})
		return
	}
	pg := f.page(0, f.Lang)
	if err := s.store.CreatePage(r.Context(), pg); err != nil {
		if errs := fieldErrors(err); errs != nil {
			s.renderPageNew(w, r, http.StatusUnprocessableEntity, f, errs)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The page is created as a draft. Publish it when it is ready.")
	seeOther(w, r, fmt.Sprintf("/desk/pages/%d/%s", pg.PageID, pg.Lang))
}

// deskSitePage loads the page of the {id} route parameter.
func (s *Server) deskSitePage(w http.ResponseWriter, r *http.Request) (*content.SitePage, bool) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return nil, false
	}
	sp, err := s.store.SitePage(r.Context(), id)
	if err != nil {
		s.deskFail(w, r, err)
		return nil, false
	}
	return sp, true
}

// deskPageLang loads the page and checks the {lang} route parameter.
func (s *Server) deskPageLang(w http.ResponseWriter, r *http.Request) (*content.SitePage, string, bool) {
	sp, ok := s.deskSitePage(w, r)
	if !ok {
		return nil, "", false
	}
	lang := chi.URLParam(r, "lang")
	if !s.hasLang(lang) {
		s.deskError(w, r, http.StatusNotFound, "The publication has no language "+lang+".")
		return nil, "", false
	}
	return sp, lang, true
}

func (s *Server) handlePageEdit(w http.ResponseWriter, r *http.Request) {
	sp, lang, ok := s.deskPageLang(w, r)
	if !ok {
		return
	}
	f := pageForm{Lang: lang}
	var updated int64
	if t := sp.Translation(lang); t != nil {
		f, updated = pageFormOf(t), t.UpdatedAt.Unix()
	}
	fields, offer := s.findAutosave(r, autosaveKeyOf("page", sp.ID, lang), updated)
	if offer != nil && r.URL.Query().Get("restore") == "1" {
		f = pageForm{Lang: lang, Title: fields["title"], Slug: fields["slug"], Body: fields["body"]}
		offer = nil
	}
	s.renderPageEdit(w, r, http.StatusOK, sp, lang, f, nil, offer)
}

func (s *Server) renderPageEdit(w http.ResponseWriter, r *http.Request, status int, sp *content.SitePage, lang string, f pageForm, errs formErrors, offer ...*autosaveView) {
	t := sp.Translation(lang)
	title := "New " + serve.LangName(lang) + " translation of a page"
	if t != nil {
		title = t.Title + " (" + serve.LangName(lang) + ")"
	}
	p := pageEditPage{
		deskPage:    s.deskPage(r, title, "pages"),
		PageID:      sp.ID,
		Lang:        lang,
		LangName:    serve.LangName(lang),
		Current:     t,
		F:           f.display(),
		Errors:      errs,
		FormURL:     fmt.Sprintf("/desk/pages/%d/%s", sp.ID, lang),
		AutosaveKey: autosaveKeyOf("page", sp.ID, lang),
	}
	if len(offer) > 0 {
		p.Autosave = offer[0]
	}
	if first := s.firstPageTranslation(sp); first != nil {
		p.PageTitle = first.Title
	}
	if t != nil && t.State == content.StatePublished {
		p.PublicURL = "/" + lang + "/" + t.Slug
	}
	want := r.FormValue("original")
	var orig *content.Page
	if want != "" && want != lang {
		orig = sp.Translation(want)
	}
	for _, l := range s.cfg.Languages {
		o := sp.Translation(l)
		if l == lang {
			continue
		}
		b := pageBadge{Lang: l, Name: serve.LangName(l), EditURL: fmt.Sprintf("/desk/pages/%d/%s", sp.ID, l)}
		if o == nil {
			p.Others = append(p.Others, b)
			continue
		}
		b.State = string(o.State)
		p.Others = append(p.Others, b)
		if orig == nil && want == "" {
			orig = o
		}
		p.Compare = append(p.Compare, compareLink{Name: serve.LangName(l), URL: p.FormURL + "?original=" + url.QueryEscape(l)})
	}
	if orig != nil {
		p.Original = &pageOriginal{Lang: orig.Lang, Name: serve.LangName(orig.Lang), Title: orig.Title, BodyHTML: template.HTML(orig.BodyHTML)}
		for i := range p.Compare {
			p.Compare[i].Current = p.Compare[i].Name == p.Original.Name
		}
	}
	s.render(w, r, status, "page_edit.html", p)
}

func (s *Server) handlePageSave(w http.ResponseWriter, r *http.Request) {
	sp, lang, ok := s.deskPageLang(w, r)
	if !ok {
		return
	}
	f := pageFormFrom(r)
	pg := f.page(sp.ID, lang)
	created := sp.Translation(lang) == nil
	if err := s.store.SavePageTranslation(r.Context(), pg); err != nil {
		if errs := fieldErrors(err); errs != nil {
			s.renderPageEdit(w, r, http.StatusUnprocessableEntity, sp, lang, f, errs)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	if err := s.store.DeleteAutosave(r.Context(), staffFrom(r.Context()).ID, autosaveKeyOf("page", sp.ID, lang)); err != nil {
		s.logger.Warn("forgetting an autosave", "err", err)
	}
	msg := "Saved."
	switch {
	case created:
		msg = "The " + serve.LangName(lang) + " translation is created as a draft."
	case pg.State == content.StatePublished:
		msg = "Saved. Readers see the new text now."
	}
	s.flash(r, msg)
	u := fmt.Sprintf("/desk/pages/%d/%s", sp.ID, lang)
	if o := r.PostFormValue("original"); o != "" && s.hasLang(o) {
		u += "?original=" + o
	}
	seeOther(w, r, u)
}

func (s *Server) handlePageState(w http.ResponseWriter, r *http.Request) {
	sp, lang, ok := s.deskPageLang(w, r)
	if !ok {
		return
	}
	if sp.Translation(lang) == nil {
		s.deskError(w, r, http.StatusNotFound, "Save this language before publishing it.")
		return
	}
	to, msg := content.StatePublished, "Published: readers see it now."
	switch r.PostFormValue("action") {
	case "publish":
	case "unpublish":
		to, msg = content.StateDraft, "Back to draft: readers no longer see it."
	default:
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	if err := s.store.SetPageState(r.Context(), sp.ID, lang, to); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, msg)
	seeOther(w, r, fmt.Sprintf("/desk/pages/%d/%s", sp.ID, lang))
}

// handlePagePreview shows the page as typed on the public page's own
// template. Nothing is written.
func (s *Server) handlePagePreview(w http.ResponseWriter, r *http.Request) {
	sp, lang, ok := s.deskPageLang(w, r)
	if !ok {
		return
	}
	if s.cfg.PagePreview == nil {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	pg := pageFormFrom(r).page(sp.ID, lang)
	pg.Normalize()
	pg.BodyHTML = content.RenderMarkdown(lang, pg.BodyMarkdown)
	if err := s.cfg.PagePreview(w, r, pg); err != nil {
		s.deskFail(w, r, err)
	}
}

// pageDeletePage is the data of templates/page_delete.html, the second
// step of deleting a page.
type pageDeletePage struct {
	deskPage
	PageID    int64
	PageTitle string
	Languages []pageBadge
}

func (s *Server) handlePageDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	sp, ok := s.deskSitePage(w, r)
	if !ok {
		return
	}
	p := pageDeletePage{deskPage: s.deskPage(r, "Delete a page", "pages"), PageID: sp.ID}
	if t := s.firstPageTranslation(sp); t != nil {
		p.PageTitle = t.Title
	}
	for _, t := range sp.Translations {
		p.Languages = append(p.Languages, pageBadge{Lang: t.Lang, Name: serve.LangName(t.Lang), State: string(t.State)})
	}
	s.render(w, r, http.StatusOK, "page_delete.html", p)
}

func (s *Server) handlePageDelete(w http.ResponseWriter, r *http.Request) {
	sp, ok := s.deskSitePage(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		seeOther(w, r, fmt.Sprintf("/desk/pages/%d/delete", sp.ID))
		return
	}
	if err := s.store.DeletePage(r.Context(), sp.ID); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The page is deleted in every language.")
	seeOther(w, r, "/desk/pages/")
}

// handlePageTeam says whether the team list (/desk/team) shows under the
// page's text, in every language.
func (s *Server) handlePageTeam(w http.ResponseWriter, r *http.Request) {
	sp, ok := s.deskSitePage(w, r)
	if !ok {
		return
	}
	show := r.PostFormValue("show") == "yes"
	if err := s.store.SetPageShowsTeam(r.Context(), sp.ID, show); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if show {
		s.flash(r, "The team list shows under this page's text.")
	} else {
		s.flash(r, "The team list no longer shows on this page.")
	}
	u := "/desk/pages/"
	if l := r.PostFormValue("lang"); s.hasLang(l) {
		u = fmt.Sprintf("/desk/pages/%d/%s", sp.ID, l)
	}
	seeOther(w, r, u)
}
