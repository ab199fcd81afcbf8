package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// storyPage is the data of story.html: one translation of a story, as a
// reader sees it or as an editor previews it.
type storyPage struct {
	page
	StoryID      int64
	Heading      string
	Teaser       string
	BodyHTML     template.HTML
	Byline       bylineView
	Published    string // localized date
	PublishedISO string
	Edited       string // localized date of the last edit; "" when never edited
	EditedISO    string
	Cover        string       // path of the cover image; "" when none
	Picture      *pictureView // the cover as shown; nil when none
	CoverAlt     string
	Tags         []tagLink
	Translations []translationLink // every configured language
	Preview      bool
	Dialogue     *dialogueView // nil in previews
}

// bylineView is who a story is credited to, as pages show it.
type bylineView struct {
	Lang      string // the page's language, for the "pseudonym" note
	Name      string
	URL       string // the byline's page; "" for the publication itself
	Pseudonym bool
}

// tagLink is a tag and its page.
type tagLink struct {
	Tag string
	URL string
}

// translationLink is a story in one configured language: its translation's
// page when published there, the "not yet translated" page otherwise.
type translationLink struct {
	Lang      string
	Name      string
	URL       string
	Title     string // "" when not published in Lang
	Current   bool
	Available bool
}

// storyView builds the data of story.html for translation t of story st.
// With preview set it shows an editor what readers would see if t were
// published now: the body is rendered from its Markdown, a banner says it is
// a preview, and the page is kept out of indexes and away from ActivityPub.
// The desk's preview renders "story.html" with it, so the two cannot drift.
//
// Page n (from 1) of the dialogue is shown; every page keeps the story's
// own address as its canonical one, since the story is what each shows.
func (s *Server) storyView(r *http.Request, st *content.Story, t *content.Translation, preview bool, n int) (storyPage, error) {
	if t.StoryID != st.ID {
		return storyPage{}, fmt.Errorf("web: story view: translation %d belongs to story %d, not %d", t.ID, t.StoryID, st.ID)
	}
	lang := t.Lang
	p := storyPage{
		page:     s.newPage(r, lang),
		StoryID:  st.ID,
		Heading:  t.Title,
		Teaser:   t.Teaser,
		BodyHTML: template.HTML(t.BodyHTML), // from content.RenderMarkdown, which drops raw HTML
		Byline:   s.bylineOf(lang, st),
		CoverAlt: t.CoverAlt,
		Preview:  preview,
	}
	if preview {
		p.BodyHTML = template.HTML(content.RenderMarkdown(lang, t.BodyMarkdown))
	}
	// Still our goldmark markup: only its own <img> tags are rewritten.
	p.BodyHTML = template.HTML(bodyPictures(string(p.BodyHTML), st.CoverImage == ""))
	p.Title = t.Title
	p.Description = t.Teaser
	p.FeedURL = "/" + lang + "/feed.atom"

	published := t.PublishedAt
	if published.IsZero() {
		published = s.cfg.Now()
	}
	p.Published, p.PublishedISO = formatDate(lang, published), isoTime(published)
	og := &openGraph{Type: "article", Locale: ogLocale(lang), PublishedTime: p.PublishedISO, Tags: t.Tags}
	if !t.PublishedAt.IsZero() && t.EditedAt.After(t.PublishedAt) {
		p.Edited, p.EditedISO = formatDate(lang, t.EditedAt), isoTime(t.EditedAt)
		og.ModifiedTime = p.EditedISO
	}
	if st.CoverImage != "" {
		p.Cover = mediaURL(st.CoverImage)
		p.Picture = newPicture(st.CoverImage, t.CoverAlt, storyCoverSizes, true)
		og.Image, og.ImageAlt = s.absURL(p.Cover), t.CoverAlt
	}
	p.OpenGraph = og
	for _, tag := range t.Tags {
		p.Tags = append(p.Tags, tagLink{Tag: tag, URL: tagURL(lang, tag)})
	}

	for _, l := range s.cfg.Languages {
		tl := translationLink{Lang: l, Name: langName(l), URL: storyLinkURL(l, st.ID)}
		other := st.Translation(l)
		if l == lang {
			other = t // the desk may pass a translation newer than st's copy
			tl.Current = true
		}
		if other != nil && (other.Public() || l == lang) {
			tl.URL, tl.Title, tl.Available = storyURL(l, other.Slug), other.Title, true
			if other.Public() {
				p.Alternates = append(p.Alternates, alternate{Lang: l, Name: langName(l), URL: s.absURL(tl.URL)})
			}
		}
		p.Translations = append(p.Translations, tl)
	}
	p.switchTo(func(l string) string {
		for _, tl := range p.Translations {
			if tl.Lang == l {
				return tl.URL
			}
		}
		return "/" + l + "/"
	})

	if preview {
		p.NoIndex = true
		return p, nil
	}
	p.Canonical = s.absURL(storyURL(lang, t.Slug))
	if s.cfg.ArticleIRI != nil && t.ObjectKey != "" {
		p.ActivityPub = s.cfg.ArticleIRI(t.ObjectKey)
	}
	if s.cfg.ActorHandle != nil {
		p.Creator = s.cfg.ActorHandle(lang)
	}
	d, err := s.dialogue(r, st, t, n)
	if err != nil {
		return storyPage{}, err
	}
	p.Dialogue = d
	// absURL would escape the query, so it is added to the canonical URL.
	if d.Earlier != "" {
		p.Prev = p.Canonical + strings.TrimPrefix(d.Earlier, storyURL(lang, t.Slug))
	}
	if d.Later != "" {
		p.Next = p.Canonical + strings.TrimPrefix(d.Later, storyURL(lang, t.Slug))
	}
	return p, nil
}

// Preview answers the desk's preview of translation t of story st: the
// public story page as readers would see it once t is published, with the
// preview banner, kept out of indexes and away from ActivityPub. It renders
// "story.html" with storyView as the public page does, so that the two
// cannot drift. An error (t is not one of st's translations, or the story
// cannot be read) is returned unanswered, for the desk to show.
func (s *Server) Preview(w http.ResponseWriter, r *http.Request, st *content.Story, t *content.Translation) error {
	view, err := s.storyView(r, st, t, true, 1)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "story.html", view)
	return nil
}

// bylineOf is who st is credited to, with a link to the byline's page.
func (s *Server) bylineOf(lang string, st *content.Story) bylineView {
	if st.BylineKind == content.BylinePublication || st.BylineName == "" {
		return bylineView{Lang: lang, Name: s.cfg.PublicationName}
	}
	v := bylineView{Lang: lang, Name: st.BylineName, Pseudonym: st.BylineKind == content.BylinePseudonym}
	if st.BylineSlug != "" {
		v.URL = bylineURL(lang, st.BylineSlug)
	}
	return v
}

// handleStory shows a published translation. A withdrawn one is gone (410); a
// draft or a scheduled one does not exist yet (404); an old slug redirects to
// the current one. The same URL answers ActivityPub clients with the Article
// (docs/federation.md#activitypub-accept-headers), so the page varies on Accept
// (docs/federation.md#activitypub-content-type). Accept-Language is never
// looked at (docs/federation.md#no-accept-language-switch).
func (s *Server) handleStory(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	if s.cfg.ActivityPub != nil && wantsActivityPub(r) {
		s.cfg.ActivityPub.ServeHTTP(w, r)
		return
	}
	// Pages of the dialogue are ?page=N; any other query shows the first
	// (and is kept under the bare path, so that made-up queries do not
	// multiply the cache's entries).
	key, n := r.URL.Path, 1
	if k := listKey(r); k != "" && k != r.URL.Path {
		key = k
		n, _ = strconv.Atoi(r.URL.Query().Get("page"))
	}
	// A page kept and vouched for by the watch is served as it is
	// (page_cache.go).
	p, gen := s.freshPage(key)
	if p != nil {
		s.countPage(true)
		s.writeCached(w, r, p)
		return
	}
	lang, slug := chi.URLParam(r, "lang"), chi.URLParam(r, "slug")
	// The translation's state and the version of all its page shows, in
	// one query: a page rendered at this version is served from the cache,
	// and only otherwise is the rest read.
	pv, err := s.store.TranslationPageVersion(r.Context(), lang, slug)
	if errors.Is(err, content.ErrNotFound) {
		s.redirectOldSlug(w, r, lang, slug)
		return
	}
	if p := s.keptWhileDown(key, err); p != nil {
		s.countPage(true)
		s.writeCached(w, r, p)
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	if status := publicStatus(&content.Translation{State: pv.State}); status != http.StatusOK {
		s.errorStatus(w, r, status)
		return
	}
	version := pv.Version
	if p := s.pages.get(key, version); p != nil {
		s.countPage(true)
		p.checked.Store(gen)
		s.writeCached(w, r, p)
		return
	}
	t, err := s.store.Translation(r.Context(), pv.TranslationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if status := publicStatus(t); status != http.StatusOK { // withdrawn a moment ago
		s.errorStatus(w, r, status)
		return
	}
	st, err := s.store.Story(r.Context(), t.StoryID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	view, err := s.storyView(r, st, t, false, n)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderKept(w, r, "story.html", view, key, version, gen)
}

// publicStatus is how a translation answers readers: 200 when published,
// 410 when withdrawn, 404 before it is published.
func publicStatus(t *content.Translation) int {
	switch t.State {
	case content.StatePublished:
		return http.StatusOK
	case content.StateWithdrawn:
		return http.StatusGone
	default:
		return http.StatusNotFound
	}
}

// redirectOldSlug answers a slug that no translation has now: when it used to
// belong to a translation that readers may see, it moves permanently to that
// translation's current address.
func (s *Server) redirectOldSlug(w http.ResponseWriter, r *http.Request, lang, slug string) {
	current, err := s.store.SlugRedirect(r.Context(), lang, slug)
	if err != nil {
		s.error(w, r, err)
		return
	}
	t, err := s.store.TranslationBySlug(r.Context(), lang, current)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if status := publicStatus(t); status != http.StatusOK {
		s.errorStatus(w, r, status)
		return
	}
	http.Redirect(w, r, storyURL(lang, current), http.StatusMovedPermanently)
}

// untranslatedPage is the data of untranslated.html.
type untranslatedPage struct {
	page
	Text      string // what is missing; the story's sentence when ""
	Available []translationLink
}

// handleStoryLink answers the language-neutral address of a story in a
// section: it redirects to the translation in that language when there is
// one, and otherwise says so, in that language, with links to the languages
// the story can be read in.
func (s *Server) handleStoryLink(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return
	}
	st, err := s.store.Story(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if t := st.Translation(lang); t != nil && t.Public() {
		http.Redirect(w, r, storyURL(lang, t.Slug), http.StatusFound)
		return
	}
	p := untranslatedPage{page: s.newPage(r, lang)}
	for _, l := range s.cfg.Languages {
		if t := st.Translation(l); t != nil && t.Public() {
			p.Available = append(p.Available, translationLink{Lang: l, Name: langName(l), URL: storyURL(l, t.Slug), Title: t.Title, Available: true})
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
		return storyLinkURL(l, id)
	})
	s.render(w, r, http.StatusOK, "untranslated.html", p)
}

// wantsActivityPub reports whether the request's Accept header asks for
// ActivityStreams JSON: application/activity+json or application/ld+json, with
// or without a profile, anywhere in the list and not refused with q=0
// (docs/federation.md#activitypub-accept-headers). Mastodon lists text/html
// too, at a lower weight, so any mention of either type wins.
func wantsActivityPub(r *http.Request) bool {
	for _, header := range r.Header.Values("Accept") {
		for rest := header; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ",")
			mediaType, params, _ := strings.Cut(part, ";")
			mediaType = strings.ToLower(strings.TrimSpace(mediaType))
			if mediaType != "application/activity+json" && mediaType != "application/ld+json" {
				continue
			}
			if !serve.Refused(params) {
				return true
			}
		}
	}
	return false
}

// isoTime formats a time for machines: RFC 3339 in UTC.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
