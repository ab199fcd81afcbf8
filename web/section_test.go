package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"samizdat/content"
)

func TestSection(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	first := twoLanguageStory(s)
	s.addStory(storySpec{Byline: content.BylineName, BylineName: "Ilya Sokolov",
		Translations: []content.Translation{published("en", "The Night Train", "trains")}})

	rec := s.get("/en/")
	body := expectPage(t, rec, http.StatusOK, "en")
	contains(t, body,
		"<h1>Latest stories</h1>",
		`<h2><a href="/en/stories/the-night-train">The Night Train</a></h2>`,
		`<h2><a href="/en/stories/letters-from-tbilisi">Letters from Tbilisi</a></h2>`,
		"A teaser for The Night Train.",
		`<a href="/en/by/ilya-sokolov" rel="author">Ilya Sokolov</a>`,
		`<img src="/media/0a1b2c.jpg" alt="A kitchen table with an open notebook" fetchpriority="high">`, // stored without its size: no variants
		`<a href="/en/tags/trains" rel="tag">#trains</a>`,
		fmt.Sprintf(`Also in: <a href="/ru/s/%d" hreflang="ru" lang="ru">Русский</a>`, first.ID),
		`<time datetime="`,
		// navigation
		`<a href="/en/about">About</a>`, `<a href="/en/team">Team</a>`, `<a href="/en/stance">Our stance</a>`,
		`<a href="/en/privacy">Privacy</a>`, `<a href="/en/tell">Tell your story</a>`,
		`<a href="/en/feed.atom" type="application/atom+xml">`,
		`<link rel="alternate" type="application/atom+xml" title="Samizdat Test" href="/en/feed.atom">`,
		`<a class="skip" href="#main">`, `<main id="main"`,
		`<a href="/ru/" hreflang="ru" lang="ru">Русский</a>`,
	)
	if strings.Index(body, "The Night Train") > strings.Index(body, "Letters from Tbilisi") {
		t.Error("the newest story is not listed first")
	}
	if v := strings.Join(rec.Header().Values("Vary"), ","); !strings.Contains(v, "Accept") {
		t.Errorf("Vary: got %q", v)
	}

	ru := expectPage(t, s.get("/ru/"), http.StatusOK, "ru")
	contains(t, ru, "Новые истории", "Письма из Тбилиси", "Расскажите свою историю", "О нас", "г.</time>")
	lacks(t, ru, "The Night Train")

	fr := expectPage(t, s.get("/fr/"), http.StatusOK, "fr")
	contains(t, fr, "Derniers récits", "Aucun récit n’a encore été publié en français.")
}

func TestSection_Addresses(t *testing.T) {
	t.Parallel()
	s := newSite(t)

	rec := s.get("/ru")
	expect(t, rec, http.StatusMovedPermanently)
	if got := rec.Header().Get("Location"); got != "/ru/" {
		t.Errorf("Location: got %q, want /ru/", got)
	}
	for _, path := range []string{"/de/", "/de", "/xx/about", "/EN/", "/en/nothing-here", "/favicon.ico"} {
		body := expectPage(t, s.get(path), http.StatusNotFound, "en")
		contains(t, body, "Page not found")
	}
	ru := expectPage(t, s.get("/ru/nothing-here"), http.StatusNotFound, "ru")
	contains(t, ru, "Страница не найдена", `<a href="/ru/">К новым историям</a>`)
}

func TestSection_Paging(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for i := 1; i <= perPage+1; i++ {
		s.addStory(storySpec{Translations: []content.Translation{published("en", fmt.Sprintf("Story number %d", i))}})
	}
	first := expectPage(t, s.get("/en/"), http.StatusOK, "en")
	if n := strings.Count(first, `<article class="entry`); n != perPage {
		t.Errorf("first page lists %d stories, want %d", n, perPage)
	}
	contains(t, first, `<a href="/en/?page=2" rel="next">Older stories →</a>`, "Page 1 of 2", "Story number 21")
	lacks(t, first, `rel="prev"`, "Story number 1<")

	second := expectPage(t, s.get("/en/?page=2"), http.StatusOK, "en")
	if n := strings.Count(second, `<article class="entry`); n != 1 {
		t.Errorf("second page lists %d stories, want 1", n)
	}
	contains(t, second, `<a href="/en/" rel="prev">← Newer stories</a>`, "Story number 1<",
		`<link rel="canonical" href="https://samizdat.test/en/?page=2">`, "<title>Latest stories · Page 2 of 2 · ")
	lacks(t, second, `rel="next"`)

	for _, q := range []string{"3", "0", "-1", "abc", "1.5"} {
		expectPage(t, s.get("/en/?page="+q), http.StatusNotFound, "en")
	}
}

func TestTagAndByline(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	twoLanguageStory(s)
	s.addStory(storySpec{Translations: []content.Translation{published("en", "Untagged")}})

	tag := expectPage(t, s.get("/en/tags/exile"), http.StatusOK, "en")
	contains(t, tag, "<h1>Stories tagged #exile</h1>", `<p class="intro">1 story</p>`, "Letters from Tbilisi",
		`<meta name="description" content="Stories tagged #exile: Letters from Tbilisi">`)
	lacks(t, tag, "Untagged")

	ru := expectPage(t, s.get("/ru/tags/%D1%8D%D0%BC%D0%B8%D0%B3%D1%80%D0%B0%D1%86%D0%B8%D1%8F"), http.StatusOK, "ru")
	contains(t, ru, "Истории с тегом #эмиграция", `<p class="intro">1 история</p>`, "Письма из Тбилиси",
		`<link rel="canonical" href="https://samizdat.test/ru/tags/%D1%8D%D0%BC%D0%B8%D0%B3%D1%80%D0%B0%D1%86%D0%B8%D1%8F">`)

	by := expectPage(t, s.get("/en/by/anna-k"), http.StatusOK, "en")
	contains(t, by, "<h1>Stories by Anna K.</h1>", "Letters from Tbilisi",
		`<meta name="description" content="Stories by Anna K.: Letters from Tbilisi">`)
	lacks(t, by, "Untagged")
	fr := expectPage(t, s.get("/ru/by/anna-k"), http.StatusOK, "ru")
	contains(t, fr, "Автор: Anna K.")

	for _, path := range []string{"/en/tags/nothing", "/fr/tags/exile", "/en/by/nobody", "/fr/by/anna-k", "/en/tags/exile?page=2"} {
		expectPage(t, s.get(path), http.StatusNotFound, path[1:3])
	}
}

func TestHome(t *testing.T) {
	t.Parallel()
	s := newSite(t, withFederation)
	body := expectPage(t, s.get("/"), http.StatusOK, "en")
	contains(t, body,
		`<a href="/en/" hreflang="en">`, `<a href="/ru/" hreflang="ru">`, `<a href="/fr/" hreflang="fr">`,
		`<li lang="ru">`, "Читать по-русски", "Lire en français",
		`<link rel="me" href="https://samizdat.test/ap/actors/en">`,
		`<link rel="me" href="https://samizdat.test/ap/actors/ru">`,
		`<link rel="me" href="https://samizdat.test/ap/actors/fr">`,
		`<link rel="alternate" hreflang="x-default" href="https://samizdat.test/">`,
	)
	rec := s.get("/", "Accept-Language", "ru-RU,ru;q=0.9")
	expect(t, rec, http.StatusOK)
	if rec.Header().Get("Location") != "" || rec.Body.String() != body {
		t.Error("the home page changed with Accept-Language")
	}

	section := expectPage(t, s.get("/ru/"), http.StatusOK, "ru")
	contains(t, section, `<link rel="me" href="https://samizdat.test/ap/actors/ru">`, "@ru@samizdat.test")
}

func TestStaticPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for _, p := range []content.Page{
		{Lang: "en", Slug: "about", Title: "About us", BodyMarkdown: "We publish *first-hand* stories."},
		{Lang: "fr", Slug: "about", Title: "À propos", BodyMarkdown: "Nous publions des récits."},
	} {
		if err := s.store.SavePage(t.Context(), &p); err != nil {
			t.Fatal(err)
		}
	}
	body := expectPage(t, s.get("/en/about"), http.StatusOK, "en")
	contains(t, body, "<h1>About us</h1>", "<em>first-hand</em>", "Last updated ",
		`<link rel="alternate" hreflang="fr" href="https://samizdat.test/fr/about">`,
		`<a href="/fr/about" hreflang="fr" lang="fr">Français</a>`,
		`<a href="/en/about" aria-current="page">About</a>`,
		`<meta name="description" content="We publish first-hand stories.">`)
	lacks(t, body, `hreflang="ru" href="https://`)
	expectPage(t, s.get("/fr/about"), http.StatusOK, "fr")
	// Missing in a language: the notice, with the languages it is in.
	notice := expectPage(t, s.get("/ru/about"), http.StatusOK, "ru")
	contains(t, notice, "Эта страница ещё не переведена на русский.", `<a href="/en/about" hreflang="en">`, `<a href="/fr/about" hreflang="fr">`)
	expectPage(t, s.get("/en/team"), http.StatusNotFound, "en")

	// A page of the editors' own, with a slug of its own per language; a
	// draft shows nowhere.
	ctx := t.Context()
	en := &content.Page{Lang: "en", Title: "How we work", BodyMarkdown: "Slowly."}
	if err := s.store.CreatePage(ctx, en); err != nil {
		t.Fatal(err)
	}
	expectPage(t, s.get("/en/how-we-work"), http.StatusNotFound, "en")
	fr := &content.Page{PageID: en.PageID, Lang: "fr", Slug: "notre-methode", Title: "Notre méthode", BodyMarkdown: "Lentement."}
	if err := s.store.SavePageTranslation(ctx, fr); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"en", "fr"} {
		if err := s.store.SetPageState(ctx, en.PageID, l, content.StatePublished); err != nil {
			t.Fatal(err)
		}
	}
	body = expectPage(t, s.get("/en/how-we-work"), http.StatusOK, "en")
	contains(t, body, "<h1>How we work</h1>", `<a href="/fr/notre-methode" hreflang="fr" lang="fr">Français</a>`)
	contains(t, expectPage(t, s.get("/ru/how-we-work"), http.StatusOK, "ru"), `<a href="/fr/notre-methode" hreflang="fr">`)
	expect(t, s.get("/fr/notre-methode/"), http.StatusMovedPermanently)
	if err := s.store.SetPageState(ctx, en.PageID, "en", content.StateDraft); err != nil {
		t.Fatal(err)
	}
	contains(t, expectPage(t, s.get("/en/how-we-work"), http.StatusOK, "en"), "This page has not been translated into English yet.")
	sitemap := expect(t, s.get("/sitemap.xml"), http.StatusOK)
	contains(t, sitemap, "https://samizdat.test/fr/notre-methode", "https://samizdat.test/en/about")
	lacks(t, sitemap, "https://samizdat.test/en/how-we-work")
}

func TestHead(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	twoLanguageStory(s)
	for _, path := range []string{"/", "/en/", "/en/stories/letters-from-tbilisi", "/en/feed.atom", "/sitemap.xml", staticURL("style.css")} {
		get := s.get(path)
		rec := s.do(httptest.NewRequest(http.MethodHead, path, nil))
		expect(t, rec, http.StatusOK)
		if rec.Body.Len() != 0 {
			t.Errorf("HEAD %s: a body of %d bytes", path, rec.Body.Len())
		}
		if rec.Header().Get("ETag") != get.Header().Get("ETag") || rec.Header().Get("Content-Type") != get.Header().Get("Content-Type") {
			t.Errorf("HEAD %s: headers differ from GET's", path)
		}
	}
	expect(t, s.do(httptest.NewRequest(http.MethodHead, "/en/stories/nothing", nil)), http.StatusNotFound)
}
