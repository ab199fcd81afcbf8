package web

import (
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"samizdat/content/store"
)

// Search limits. A query longer than maxQuery characters is not searched
// at all: a reader never needs that much, and it would only cost the
// database.
const (
	maxQuery      = 1000
	searchPerPage = 10
	maxSearchPage = 100
)

// searchPage is the data of search.html.
type searchPage struct {
	page
	Query     string
	Message   string // why there are no results, or how to search
	Found     string // "12 results for …"
	Results   []searchResult
	PageNum   int
	PageCount int
	Newer     string
	Older     string
}

// searchResult is one hit as the page shows it. TitleHTML and SnippetHTML
// are built by markedHTML: escaped text with <mark> around the matches.
type searchResult struct {
	URL         string
	TitleHTML   template.HTML
	SnippetHTML template.HTML
	Byline      string
	Published   string
	Page        bool
}

// handleSearch answers /{lang}/search?q=…: the language's published
// stories and pages that match, best first, ten at a time. Whatever a
// reader types gets a page that says what happened: an empty or too long
// query is not searched, and a query PostgreSQL reads as nothing finds
// nothing.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	q := strings.TrimSpace(strings.ToValidUTF8(r.URL.Query().Get("q"), "\uFFFD"))
	p := searchPage{page: s.newPage(r, lang), Query: q, PageNum: 1}
	p.Title = T(lang, "search.title")
	p.NoIndex = true // result pages are endless and say nothing new
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 && n <= maxSearchPage {
		p.PageNum = n
	}
	switch {
	case q == "":
		p.Message = T(lang, "search.empty")
	case utf8.RuneCountInString(q) > maxQuery:
		p.Message = T(lang, "search.too_long")
		p.Query = string([]rune(q)[:maxQuery])
	default:
		hits, total, err := s.store.Search(r.Context(), store.SearchFilter{
			Lang: lang, Query: q, Limit: searchPerPage, Offset: (p.PageNum - 1) * searchPerPage,
		})
		if err != nil {
			s.error(w, r, err)
			return
		}
		p.Title = q + " · " + p.Title
		if total == 0 {
			p.Message = T(lang, "search.none", "Query", q)
			break
		}
		p.Found = N(lang, "search.found", total, "Query", q)
		p.PageCount = min((total+searchPerPage-1)/searchPerPage, maxSearchPage)
		for _, h := range hits {
			res := searchResult{TitleHTML: markedHTML(h.Title, false), SnippetHTML: markedHTML(h.Snippet, true), Byline: h.BylineName}
			if h.Kind == "page" {
				res.URL, res.Page = "/"+lang+"/"+url.PathEscape(h.Slug), true
			} else {
				res.URL, res.Published = storyURL(lang, h.Slug), formatDate(lang, h.PublishedAt)
			}
			p.Results = append(p.Results, res)
		}
		at := func(n int) string {
			v := url.Values{"q": {q}}
			if n > 1 {
				v.Set("page", strconv.Itoa(n))
			}
			return "/" + lang + "/search?" + v.Encode()
		}
		if p.PageNum > 1 {
			p.Newer = at(p.PageNum - 1)
		}
		if p.PageNum < p.PageCount {
			p.Older = at(p.PageNum + 1)
		}
	}
	s.render(w, r, http.StatusOK, "search.html", p)
}

// markedHTML turns text marked by the store (store.MarkStart and MarkStop
// around each match) into HTML: every piece escaped, the matches in
// <mark>. Nothing in it is trusted as HTML. entities says the text is cut
// from HTML and may still hold character references, decoded first.
func markedHTML(marked string, entities bool) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(marked, store.MarkStart) {
		inside, after, found := strings.Cut(part, store.MarkStop)
		if i == 0 || !found {
			inside, after = "", part // text before the first match, or a stray marker
		}
		if inside != "" {
			b.WriteString("<mark>" + escapeText(inside, entities) + "</mark>")
		}
		b.WriteString(escapeText(after, entities))
	}
	return template.HTML(strings.Join(strings.Fields(b.String()), " "))
}

func escapeText(s string, entities bool) string {
	if entities {
		s = html.UnescapeString(s)
	}
	s = strings.NewReplacer(store.MarkStart, "", store.MarkStop, "").Replace(s)
	return template.HTMLEscapeString(s)
}
