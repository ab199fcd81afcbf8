package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// perPage is how many stories a list shows at once.
const perPage = 20

// listPage is the data of list.html: a language section's latest stories, a
// tag's stories or a byline's stories, one page at a time.
type listPage struct {
	page
	Heading   string
	Intro     string
	Entries   []entryView
	Empty     string // shown when there is nothing to list
	PageNum   int
	PageCount int
	Total     int    // stories in the whole list, on every page
	Newer     string // link to the previous page; "" on the first
	Older     string // link to the next page; "" on the last
	// ProfileLinks are the links of the section's actor's profile fields,
	// shown with rel="me" (profileLinks).
	ProfileLinks []profileLink
}

// profileLink is a link of the language actor's profile fields.
type profileLink struct {
	Label, URL string
}

// entryView is one story in a list.
type entryView struct {
	Lang         string
	URL          string
	Title        string
	Teaser       string
	Byline       bylineView
	Published    string
	PublishedISO string
	Cover        string
	Picture      *pictureView // the cover as shown; nil when none
	CoverAlt     string
	Tags         []tagLink
	Others       []translationLink // the other languages the story is published in
}

// handleSection lists a language's latest stories. Its URL is also where
// the language's actor lives for ActivityPub clients, so it varies on Accept.
func (s *Server) handleSection(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	if s.cfg.ActivityPub != nil && wantsActivityPub(r) {
		s.cfg.ActivityPub.ServeHTTP(w, r)
		return
	}
	key, version, gen, answered := s.cachedList(w, r) // page_cache.go
	if answered {
		return
	}
	lang := chi.URLParam(r, "lang")
	p, ok := s.listEntries(w, r, store.EntryFilter{Lang: lang}, "/"+lang+"/")
	if !ok {
		return
	}
	p.Title = T(lang, "section.title")
	p.Heading = p.Title
	p.Intro = T(lang, "site.tagline")
	p.Description = p.Intro
	p.Empty = T(lang, "section.empty")
	if !s.profileLinks(w, r, &p) {
		return
	}
	s.renderKept(w, r, "list.html", p, key, version, gen)
}

// handleTag lists a language's stories with a tag. A tag nothing carries has
// no page.
func (s *Server) handleTag(w http.ResponseWriter, r *http.Request) {
	lang, tag := chi.URLParam(r, "lang"), chi.URLParam(r, "tag")
	s.filteredList(w, r, store.EntryFilter{Lang: lang, Tag: tag}, tagURL(lang, tag),
		func(*listPage) string { return T(lang, "tag.title", "Tag", tag) })
}

// handleByline lists a language's stories credited to one name or pseudonym.
func (s *Server) handleByline(w http.ResponseWriter, r *http.Request) {
	lang, byline := chi.URLParam(r, "lang"), chi.URLParam(r, "byline")
	s.filteredList(w, r, store.EntryFilter{Lang: lang, BylineSlug: byline}, bylineURL(lang, byline),
		func(p *listPage) string { return T(lang, "byline.title", "Name", p.Entries[0].Byline.Name) })
}

// filteredList serves a list of stories narrowed by a filter, titled by
// title; a filter that matches nothing has no page.
func (s *Server) filteredList(w http.ResponseWriter, r *http.Request, f store.EntryFilter, path string, title func(*listPage) string) {
	key, version, gen, answered := s.cachedList(w, r)
	if answered {
		return
	}
	p, ok := s.listEntries(w, r, f, path)
	if !ok {
		return
	}
	if len(p.Entries) == 0 {
		s.notFound(w, r)
		return
	}
	p.Title = title(&p)
	p.Heading = p.Title
	p.Intro = N(p.Lang, "list.count", p.Total)
	p.Description = listDescription(p.Title, p.Entries)
	s.renderKept(w, r, "list.html", p, key, version, gen)
}

// listDescription is a list's meta description: its title and the titles
// of its first stories, what a search result can show of it.
func listDescription(title string, entries []entryView) string {
	titles := make([]string, 0, len(entries))
	for _, e := range entries {
		titles = append(titles, e.Title)
	}
	return serve.Shorten(title+": "+strings.Join(titles, "; "), descriptionLength)
}

// listEntries reads the page of entries the request asks for (?page=N) and
// builds the list page around them. A page number that is not one, or a page
// past the last, is not found. When it returns false it has answered.
func (s *Server) listEntries(w http.ResponseWriter, r *http.Request, f store.EntryFilter, path string) (listPage, bool) {
	n := 1
	if v := r.URL.Query().Get("page"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 10_000 {
			s.notFound(w, r)
			return listPage{}, false
		}
	}
	f.Limit, f.Offset = perPage, (n-1)*perPage
	entries, total, err := s.store.Entries(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return listPage{}, false
	}
	if n > 1 && len(entries) == 0 {
		s.notFound(w, r)
		return listPage{}, false
	}
	views, err := s.entryViews(r, f.Lang, entries)
	if err != nil {
		s.error(w, r, err)
		return listPage{}, false
	}
	p := listPage{page: s.newPage(r, f.Lang), Entries: views, PageNum: n, PageCount: (total + perPage - 1) / perPage, Total: total}
	p.FeedURL = "/" + f.Lang + "/feed.atom"
	// absURL escapes the path itself, so it takes the path unescaped.
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		s.error(w, r, err)
		return listPage{}, false
	}
	p.Canonical = s.absURL(unescaped)
	if n > 1 {
		p.Canonical += strings.TrimPrefix(pageURL(path, n), path)
	}
	if n > 1 {
		p.Newer = pageURL(path, n-1)
	}
	if n < p.PageCount {
		p.Older = pageURL(path, n+1)
	}
	return p, true
}

// pageURL is page n of a list at path.
func pageURL(path string, n int) string {
	if n <= 1 {
		return path
	}
	return path + "?" + url.Values{"page": {strconv.Itoa(n)}}.Encode()
}

// entryViews prepares entries for a list in lang, saying for each which
// other languages it can be read in.
func (s *Server) entryViews(r *http.Request, lang string, entries []*content.Entry) ([]entryView, error) {
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.Story.ID
	}
	langs := map[int64][]string{}
	if len(ids) > 0 {
		var err error
		if langs, err = s.store.PublishedLanguages(r.Context(), ids); err != nil {
			return nil, err
		}
	}
	views := make([]entryView, 0, len(entries))
	eager := false
	for _, e := range entries {
		v := entryView{
			Lang:         lang,
			URL:          storyURL(lang, e.Slug),
			Title:        e.Title,
			Teaser:       e.Teaser,
			Byline:       s.bylineOf(lang, e.Story),
			Published:    formatDate(lang, e.PublishedAt),
			PublishedISO: isoTime(e.PublishedAt),
			CoverAlt:     e.CoverAlt,
		}
		if e.Story.CoverImage != "" {
			v.Cover = mediaURL(e.Story.CoverImage)
			// The first cover of a list is likely its largest element.
			v.Picture = newPicture(e.Story.CoverImage, e.CoverAlt, entryCoverSizes, !eager)
			eager = true
		}
		for _, tag := range e.Tags {
			v.Tags = append(v.Tags, tagLink{Tag: tag, URL: tagURL(lang, tag)})
		}
		for _, l := range langs[e.Story.ID] {
			if l != lang && s.hasLang(l) {
				v.Others = append(v.Others, translationLink{Lang: l, Name: langName(l), URL: storyLinkURL(l, e.Story.ID), Available: true})
			}
		}
		views = append(views, v)
	}
	return views, nil
}

// profileLinks adds to a section page the links editors put in its
// language actor's profile fields, as <link rel="me"> and <a rel="me">:
// Mastodon marks such a field verified when the page it links to links back
// (docs/federation.md#profile-link-verification). They come after the
// actors' own rel="me" links, whose first one Mastodon follows to the
// actor. A kept page changes with the profile (migration 026).
func (s *Server) profileLinks(w http.ResponseWriter, r *http.Request, p *listPage) bool {
	pr, err := s.store.ActorProfile(r.Context(), p.Lang)
	if err != nil {
		s.error(w, r, err)
		return false
	}
	for _, f := range pr.Fields {
		if link := f.Link(); link != "" {
			p.Me = append(p.Me, link)
			p.ProfileLinks = append(p.ProfileLinks, profileLink{Label: f.Label, URL: link})
		}
	}
	return true
}
