package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

func TestSearch(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	war := published("ru", "Письмо с Урала", "память")
	war.BodyMarkdown = "Эта война разделила нашу семью. <script>alert(1)</script> & *шёпотом*."
	s.addStory(storySpec{Byline: content.BylinePseudonym, BylineName: "Ольха", Translations: []content.Translation{war}})
	hostile := published("ru", `Заголовок <img src=x onerror=alert(1)> о войне`)
	hostile.Teaser = "Тизер."
	s.addStory(storySpec{Translations: []content.Translation{hostile}})
	for i := range 12 {
		tr := published("en", fmt.Sprintf("Kitchen table %d", i))
		tr.BodyMarkdown = "Two languages at one kitchen table."
		s.addStory(storySpec{Translations: []content.Translation{tr}})
	}
	search := func(lang, q string, extra ...string) string {
		t.Helper()
		path := "/" + lang + "/search?q=" + url.QueryEscape(q) + strings.Join(extra, "")
		return expectPage(t, s.get(path), http.StatusOK, lang)
	}

	t.Run("Inflected", func(t *testing.T) {
		body := search("ru", "войны")
		contains(t, body, `href="/ru/stories/pismo-s-urala"`, "<mark>война</mark>", "Ольха", `<meta name="robots" content="noindex">`,
			`value="войны"`)
		lacks(t, body, "<script>alert", "<img src=x", "\uE000", "\uE001")
		contains(t, body, "&lt;img src=x onerror=alert(1)&gt;")
	})
	t.Run("Byline", func(t *testing.T) {
		contains(t, search("ru", "Ольха"), `href="/ru/stories/pismo-s-urala"`)
	})
	t.Run("Paged", func(t *testing.T) {
		first := search("en", "kitchen")
		contains(t, first, "12 results for “kitchen”", `href="/en/search?page=2&amp;q=kitchen"`)
		second := search("en", "kitchen", "&page=2")
		contains(t, second, `href="/en/search?q=kitchen"`)
		if n := strings.Count(second, `<article class="entry">`); n != 2 {
			t.Errorf("page 2 shows %d results, want 2", n)
		}
	})
	t.Run("Clear pages", func(t *testing.T) {
		contains(t, search("en", ""), "Type a word")
		contains(t, search("en", "   "), "Type a word")
		contains(t, search("en", strings.Repeat("long ", 300)), "too long to search")
		for _, q := range []string{"\x00", "\xff\xfe войны", `"`, "!!&&||(", "-", "'; DROP TABLE stories; --", "the", "a:* & b", "<script>alert(1)</script>", "\uE000"} {
			body := search("ru", q)
			lacks(t, body, "<script>alert")
		}
		contains(t, search("en", "zebra"), "Nothing published in English matches “zebra”")
		contains(t, search("en", "kitchen", "&page=abc"), "results for")
	})
	t.Run("Header", func(t *testing.T) {
		body := expectPage(t, s.get("/en/"), http.StatusOK, "en")
		contains(t, body, `<form class="site-search" role="search" action="/en/search" method="get">`, `name="q"`)
	})
}

func TestMarkedHTML(t *testing.T) {
	t.Parallel()
	m := func(s string) string {
		return strings.NewReplacer("[", store.MarkStart, "]", store.MarkStop).Replace(s)
	}
	tests := []struct {
		in       string
		entities bool
		want     string
	}{
		{m("plain"), false, "plain"},
		{m("a [war] b"), false, "a <mark>war</mark> b"},
		{m("[one] and [two]"), false, "<mark>one</mark> and <mark>two</mark>"},
		{m("<b>[x]</b>"), false, "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"},
		{m("fish &amp; [chips] &lt;i&gt;"), true, "fish &amp; <mark>chips</mark> &lt;i&gt;"},
		{m("fish &amp; chips"), false, "fish &amp;amp; chips"},
		{m("stray ] and [ open"), false, "stray and open"},
		{m("spread   \n  out"), false, "spread out"},
	}
	for _, tc := range tests {
		if got := string(markedHTML(tc.in, tc.entities)); got != tc.want {
			t.Errorf("markedHTML(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
