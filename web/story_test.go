package web

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"samizdat/content"
)

// twoLanguageStory publishes a story in English and Russian, not French,
// under a pseudonym, with a cover and tags.
func twoLanguageStory(s *testSite) *content.Story {
	s.t.Helper()
	en := published("en", "Letters from Tbilisi", "exile", "letters")
	en.CoverAlt = "A kitchen table with an open notebook"
	ru := published("ru", "Письма из Тбилиси", "эмиграция")
	return s.addStory(storySpec{
		Byline: content.BylinePseudonym, BylineName: "Anna K.", Cover: "0a1b2c.jpg",
		Translations: []content.Translation{en, ru},
	})
}

func TestStory_Page(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	st := twoLanguageStory(s)

	rec := s.get("/en/stories/letters-from-tbilisi")
	body := expectPage(t, rec, http.StatusOK, "en")
	if v := rec.Header().Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept") {
		t.Errorf("Vary: got %q, want Accept in it", v)
	}
	contains(t, body,
		"<h1>Letters from Tbilisi</h1>",
		`<p class="teaser">A teaser for Letters from Tbilisi.</p>`,
		"<em>Letters from Tbilisi</em>", // the body, rendered
		`<a href="/en/by/anna-k" rel="author">Anna K.</a>`,
		"(pseudonym)",
		`<img src="/media/0a1b2c.jpg" alt="A kitchen table with an open notebook" fetchpriority="high">`,
		`<a href="/en/tags/exile" rel="tag">#exile</a>`,
		`<link rel="canonical" href="https://samizdat.test/en/stories/letters-from-tbilisi">`,
		`<link rel="alternate" hreflang="en" href="https://samizdat.test/en/stories/letters-from-tbilisi">`,
		`<link rel="alternate" hreflang="ru" href="https://samizdat.test/ru/stories/pisma-iz-tbilisi">`,
		`<meta property="og:type" content="article">`,
		`<meta property="og:title" content="Letters from Tbilisi">`,
		`<meta property="og:description" content="A teaser for Letters from Tbilisi.">`,
		`<meta property="og:image" content="https://samizdat.test/media/0a1b2c.jpg">`,
		`<meta property="og:image:alt" content="A kitchen table with an open notebook">`,
		`<meta property="og:locale" content="en_GB">`,
		`<meta property="article:published_time" content="`,
		`<meta property="article:tag" content="exile">`,
		`<meta property="article:tag" content="letters">`,
		// the switcher: Russian exists, French links to the neutral address
		`<a href="/ru/stories/pisma-iz-tbilisi" hreflang="ru" lang="ru">`,
		fmt.Sprintf(`<a href="/fr/s/%d" hreflang="fr">`, st.ID),
		"not yet translated",
	)
	lacks(t, body, `hreflang="fr" href="https://`, "article:modified_time", "fediverse:creator", "application/activity+json", `rel="me"`)
	head := body[:strings.Index(body, "</head>")]
	contains(t, head, "og:title", "og:image", "canonical")

	ru := expectPage(t, s.get("/ru/stories/pisma-iz-tbilisi"), http.StatusOK, "ru")
	contains(t, ru,
		"<h1>Письма из Тбилиси</h1>",
		`<meta property="og:locale" content="ru_RU">`,
		"перевода пока нет",
		"(псевдоним)",
		`<a href="/ru/tags/%D1%8D%D0%BC%D0%B8%D0%B3%D1%80%D0%B0%D1%86%D0%B8%D1%8F" rel="tag">#эмиграция</a>`,
		"Эта история на других языках",
	)
}

func TestStory_Edited(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	st := s.addStory(storySpec{Translations: []content.Translation{published("fr", "Le pont")}})
	tr := st.Translation("fr")
	tr.BodyMarkdown = "Corrigé."
	if err := s.store.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatal(err)
	}
	body := expectPage(t, s.get("/fr/stories/le-pont"), http.StatusOK, "fr")
	contains(t, body, `<meta property="article:modified_time" content="`, "mis à jour le", "Corrigé.",
		// the publication's own byline links nowhere
		"Par Samizdat Test ·")
	lacks(t, body, `rel="author"`)
}

func TestStory_States(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.addStory(storySpec{Translations: []content.Translation{
		{Lang: "en", Title: "A draft"},
		{Lang: "ru", Title: "Запланировано", State: content.StateScheduled},
		{Lang: "fr", Title: "Retiré", State: content.StateWithdrawn},
	}})

	t.Run("Draft", func(t *testing.T) {
		body := expectPage(t, s.get("/en/stories/a-draft"), http.StatusNotFound, "en")
		contains(t, body, "Page not found", `<meta name="robots" content="noindex">`)
		lacks(t, body, "A draft")
	})
	t.Run("Scheduled", func(t *testing.T) {
		body := expectPage(t, s.get("/ru/stories/zaplanirovano"), http.StatusNotFound, "ru")
		contains(t, body, "Страница не найдена")
	})
	t.Run("Withdrawn", func(t *testing.T) {
		body := expectPage(t, s.get("/fr/stories/retire"), http.StatusGone, "fr")
		contains(t, body, "Ce récit a été retiré")
	})
	t.Run("UnknownSlug", func(t *testing.T) {
		expectPage(t, s.get("/en/stories/no-such-story"), http.StatusNotFound, "en")
	})
	t.Run("UnknownLanguage", func(t *testing.T) {
		body := expectPage(t, s.get("/de/stories/a-draft"), http.StatusNotFound, "en")
		contains(t, body, "Page not found")
	})
}

func TestStory_OldSlug(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	st := s.addStory(storySpec{Translations: []content.Translation{published("en", "First title")}})
	tr := st.Translation("en")
	tr.Slug = "second-title"
	if err := s.store.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatal(err)
	}
	rec := s.get("/en/stories/first-title")
	expect(t, rec, http.StatusMovedPermanently)
	if got := rec.Header().Get("Location"); got != "/en/stories/second-title" {
		t.Errorf("Location: got %q", got)
	}
	expectPage(t, s.get("/en/stories/second-title"), http.StatusOK, "en")

	// Once withdrawn, the old address says gone too.
	s.setState(tr.ID, content.StateWithdrawn)
	expectPage(t, s.get("/en/stories/first-title"), http.StatusGone, "en")
}

func TestStory_ActivityPub(t *testing.T) {
	t.Parallel()
	s := newSite(t, withFederation)
	st := twoLanguageStory(s)
	key := st.Translation("en").ObjectKey
	if key == "" {
		t.Fatal("published translation has no object key")
	}

	body := expectPage(t, s.get("/en/stories/letters-from-tbilisi"), http.StatusOK, "en")
	contains(t, body,
		`<link rel="alternate" type="application/activity+json" href="https://samizdat.test/ap/articles/`+key+`">`,
		`<meta name="fediverse:creator" content="@en@samizdat.test">`,
		`<link rel="me" href="https://samizdat.test/ap/actors/en">`,
		"@en@samizdat.test",
	)

	for _, accept := range []string{
		"application/activity+json, application/ld+json",
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/activity+json, text/html;q=0.1`,
	} {
		for _, path := range []string{"/en/stories/letters-from-tbilisi", "/en/"} {
			rec := s.get(path, "Accept", accept)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/activity+json" {
				t.Errorf("%s with Accept %q: got %d %q, want the ActivityPub handler", path, accept, rec.Code, rec.Header().Get("Content-Type"))
			}
			if !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Accept") {
				t.Errorf("%s: no Vary: Accept on the ActivityPub answer", path)
			}
		}
	}
	// Without the hook, the same Accept gets the page.
	plain := newSite(t)
	twoLanguageStory(plain)
	rec := plain.get("/en/stories/letters-from-tbilisi", "Accept", "application/activity+json")
	expectPage(t, rec, http.StatusOK, "en")
}

func TestWantsActivityPub(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		accept string
		want   bool
	}{
		// docs/federation.md#activitypub-accept-headers: what Mastodon sends.
		{"application/activity+json, application/ld+json", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/activity+json`, true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/activity+json, text/html;q=0.1`, true},
		{"application/activity+json", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{"application/ld+json", true},
		{"Application/Activity+JSON", true},
		{"text/html", false},
		{"*/*", false},
		{"", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"application/json", false},
		{"application/activity+json;q=0", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/en/", nil)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		if got := wantsActivityPub(r); got != tc.want {
			t.Errorf("wantsActivityPub(%q) = %v, want %v", tc.accept, got, tc.want)
		}
	}
}

func TestStory_AcceptLanguageChangesNothing(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	twoLanguageStory(s)
	for _, path := range []string{"/", "/en/", "/en/stories/letters-from-tbilisi", "/fr/about", "/ru/tell"} {
		plain := s.get(path)
		ja := s.get(path, "Accept-Language", "ja,en;q=0.5")
		if plain.Code != ja.Code || plain.Body.String() != ja.Body.String() || plain.Header().Get("Location") != ja.Header().Get("Location") {
			t.Errorf("%s: Accept-Language changed the answer (%d vs %d)", path, plain.Code, ja.Code)
		}
	}
}

func TestStory_ConditionalAndCompressed(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	twoLanguageStory(s)
	for _, path := range []string{"/", "/en/", "/en/stories/letters-from-tbilisi", "/en/tags/exile", "/en/by/anna-k",
		"/en/feed.atom", "/sitemap.xml", "/robots.txt", "/ru/tell", "/fr/s/1"} {
		t.Run(path, func(t *testing.T) {
			first := s.get(path)
			expect(t, first, http.StatusOK)
			etag := first.Header().Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			again := s.get(path, "If-None-Match", etag)
			expect(t, again, http.StatusNotModified)
			if again.Body.Len() != 0 {
				t.Errorf("304 with a body of %d bytes", again.Body.Len())
			}

			gz := s.get(path, "Accept-Encoding", "gzip")
			expect(t, gz, http.StatusOK)
			if ce := gz.Header().Get("Content-Encoding"); ce != "gzip" {
				t.Fatalf("Content-Encoding: got %q, want gzip", ce)
			}
			zr, err := gzip.NewReader(gz.Body)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if string(plain) != first.Body.String() {
				t.Error("gzip body differs from the plain one")
			}
		})
	}
}

func TestStoryLink(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	st := twoLanguageStory(s)
	id := fmt.Sprint(st.ID)

	t.Run("Translated", func(t *testing.T) {
		rec := s.get("/ru/s/" + id)
		expect(t, rec, http.StatusFound)
		if got := rec.Header().Get("Location"); got != "/ru/stories/pisma-iz-tbilisi" {
			t.Errorf("Location: got %q", got)
		}
	})
	t.Run("NotYetTranslated", func(t *testing.T) {
		body := expectPage(t, s.get("/fr/s/"+id), http.StatusOK, "fr")
		contains(t, body,
			`<meta name="robots" content="noindex">`,
			"<h1 id=\"untranslated-heading\">Pas encore traduit</h1>",
			"pas encore été traduit en français",
			`<a href="/en/stories/letters-from-tbilisi" hreflang="en">`,
			"<cite>Letters from Tbilisi</cite>",
			`<a href="/ru/stories/pisma-iz-tbilisi" hreflang="ru">`,
			"<cite>Письма из Тбилиси</cite>",
		)
	})
	t.Run("NowhereYet", func(t *testing.T) {
		draft := s.addStory(storySpec{Translations: []content.Translation{{Lang: "en", Title: "Unfinished"}}})
		expectPage(t, s.get(fmt.Sprintf("/fr/s/%d", draft.ID)), http.StatusNotFound, "fr")
	})
	t.Run("BadID", func(t *testing.T) {
		expectPage(t, s.get("/en/s/abc"), http.StatusNotFound, "en")
		expectPage(t, s.get("/en/s/999999"), http.StatusNotFound, "en")
	})
}

func TestStoryView_Preview(t *testing.T) {
	t.Parallel()
	s := newSite(t, withFederation)
	st := s.addStory(storySpec{Translations: []content.Translation{{Lang: "en", Title: "Work in progress"}}})
	tr := st.Translation("en")
	tr.BodyMarkdown = "Edited *but not saved*."

	r := httptest.NewRequest(http.MethodPost, "/desk/stories/1/en/preview", nil)
	p, err := s.srv.storyView(r, st, tr, true, 1)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.srv.render(rec, r, http.StatusOK, "story.html", p)
	body := rec.Body.String()
	contains(t, body, `<p class="preview-banner" role="note">`, `<meta name="robots" content="noindex">`,
		"<em>but not saved</em>", "<h1>Work in progress</h1>")
	lacks(t, body, "application/activity+json", "fediverse:creator", `rel="canonical"`)

	other := s.addStory(storySpec{Translations: []content.Translation{{Lang: "en", Title: "Another"}}})
	if _, err := s.srv.storyView(r, other, tr, true, 1); err == nil {
		t.Error("storyView accepted a translation of another story")
	}
}
