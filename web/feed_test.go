package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"samizdat/content"
)

// parsedFeed is an Atom feed as a reader of RFC 4287 sees it; it is declared
// apart from the types the server writes so that a mistake in those shows.
type parsedFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Author struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Entries []struct {
		ID        string `xml:"http://www.w3.org/2005/Atom id"`
		Title     string `xml:"http://www.w3.org/2005/Atom title"`
		Updated   string `xml:"http://www.w3.org/2005/Atom updated"`
		Published string `xml:"http://www.w3.org/2005/Atom published"`
		Link      struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Author struct {
			Name string `xml:"http://www.w3.org/2005/Atom name"`
		} `xml:"http://www.w3.org/2005/Atom author"`
		Summary string `xml:"http://www.w3.org/2005/Atom summary"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom content"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"http://www.w3.org/2005/Atom category"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

func getFeed(t *testing.T, s *testSite, lang string) parsedFeed {
	t.Helper()
	rec := s.get("/" + lang + "/feed.atom")
	body := expect(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("Content-Type: got %q", ct)
	}
	if !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.80s", body)
	}
	var f parsedFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, body)
	}
	return f
}

func TestFeed(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	st := twoLanguageStory(s)
	tr := st.Translation("en")
	tr.BodyMarkdown = "Read [the letter](https://example.org/letter) & <script>alert(1)</script> weep. " +
		"See [the other one](/en/stories/other) and a note.[^1]\n\n[^1]: The note."
	later := s.store.WithClock(func() time.Time { return time.Now().Add(time.Hour) })
	if err := later.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatal(err)
	}

	f := getFeed(t, s, "en")
	if f.Lang != "en" || f.ID != "https://samizdat.test/en/" || f.Title != "Samizdat Test (English)" || f.Author.Name != "Samizdat Test" {
		t.Errorf("feed head: lang %q id %q title %q author %q", f.Lang, f.ID, f.Title, f.Author.Name)
	}
	links := map[string]string{}
	for _, l := range f.Links {
		links[l.Rel] = l.Href
	}
	if links["self"] != "https://samizdat.test/en/feed.atom" || links["alternate"] != "https://samizdat.test/en/" {
		t.Errorf("feed links: %v", links)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("feed updated %q: %v", f.Updated, err)
	}
	if len(f.Entries) != 1 {
		t.Fatalf("got %d entries, want 1", len(f.Entries))
	}
	e := f.Entries[0]
	wantID := fmt.Sprintf("https://samizdat.test/en/s/%d", st.ID)
	if e.ID != wantID || e.Title != "Letters from Tbilisi" || e.Link.Href != "https://samizdat.test/en/stories/letters-from-tbilisi" ||
		e.Summary != "A teaser for Letters from Tbilisi." || e.Author.Name != "Anna K." || e.Content.Type != "html" {
		t.Errorf("entry: %+v", e)
	}
	for _, ts := range []string{e.Updated, e.Published} {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Errorf("entry time %q: %v", ts, err)
		}
	}
	if e.Updated == e.Published {
		t.Error("an edited entry's updated equals its published")
	}
	if f.Updated != e.Updated {
		t.Errorf("feed updated %s, want the newest entry's %s", f.Updated, e.Updated)
	}
	contains(t, e.Content.Body, `<img src="https://samizdat.test/media/0a1b2c.jpg" alt="A kitchen table with an open notebook">`,
		`<a href="https://example.org/letter">the letter</a>`, "&amp;",
		`<a href="https://samizdat.test/en/stories/other">the other one</a>`,
		`href="https://samizdat.test/en/stories/letters-from-tbilisi#fn:1"`)
	lacks(t, e.Content.Body, `href="/`, `href="#`)
	lacks(t, e.Content.Body, "<script>")
	var terms []string
	for _, c := range e.Categories {
		terms = append(terms, c.Term)
	}
	if strings.Join(terms, ",") != "exile,letters" {
		t.Errorf("categories: %v", terms)
	}

	// The entry's id survives a change of slug.
	tr.Slug = "letters-from-georgia"
	if err := s.store.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatal(err)
	}
	if got := getFeed(t, s, "en").Entries[0]; got.ID != wantID || !strings.HasSuffix(got.Link.Href, "/letters-from-georgia") {
		t.Errorf("after a slug change: id %q link %q", got.ID, got.Link.Href)
	}

	ru := getFeed(t, s, "ru")
	if ru.Lang != "ru" || len(ru.Entries) != 1 || ru.Entries[0].Title != "Письма из Тбилиси" {
		t.Errorf("Russian feed: %+v", ru)
	}
	empty := getFeed(t, s, "fr")
	if len(empty.Entries) != 0 || empty.Updated == "" {
		t.Errorf("empty feed: %+v", empty)
	}
	expectPage(t, s.get("/de/feed.atom"), http.StatusNotFound, "en")
}

// TestFeed_Images: a cover and an image in the text that carry their size
// reach feed readers with absolute addresses, their variants in srcset,
// and the width and height of the image the src names; every image of the
// feed has its size once its name has.
func TestFeed_Images(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	cover := strings.Repeat("a1", 32) + "-1600x900.jpg"
	inText := strings.Repeat("c3", 32) + "-1000x500.png"
	tr := published("en", "Pictures")
	tr.CoverAlt = `A "wide" view`
	tr.BodyMarkdown = "Before.\n\n![A quiet street](/media/" + inText + " \"Evening\")\n\nAfter."
	s.addStory(storySpec{Cover: cover, Translations: []content.Translation{tr}})

	body := getFeed(t, s, "en").Entries[0].Content.Body
	c := "https://samizdat.test/media/" + strings.TrimSuffix(cover, ".jpg")
	i := "https://samizdat.test/media/" + strings.TrimSuffix(inText, ".png")
	contains(t, body,
		`<p><img src="`+c+`-1200.jpg" srcset="`+c+`-480.jpg 480w, `+c+`-800.jpg 800w, `+c+`-1200.jpg 1200w" sizes="100vw" width="1200" height="675" alt="A &#34;wide&#34; view"></p>`,
		`<img src="`+i+`-1000.png" srcset="`+i+`-480.png 480w, `+i+`-800.png 800w, `+i+`-1000.png 1000w" sizes="100vw" width="1000" height="500" alt="A quiet street" title="Evening">`)
	lacks(t, body, `src="/`, "<picture", "webp")
	imgs := imgRE.FindAllString(body, -1)
	if len(imgs) != 2 {
		t.Fatalf("%d images in the entry, want 2: %s", len(imgs), body)
	}
	for _, img := range imgs {
		if !strings.Contains(img, ` width="`) || !strings.Contains(img, ` height="`) {
			t.Errorf("image without its size: %s", img)
		}
	}
}

func TestFeed_OnlyPublished(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.addStory(storySpec{Translations: []content.Translation{
		{Lang: "en", Title: "Still a draft"},
		{Lang: "fr", Title: "Retiré", State: content.StateWithdrawn},
	}})
	if n := len(getFeed(t, s, "en").Entries) + len(getFeed(t, s, "fr").Entries); n != 0 {
		t.Errorf("feeds carry %d unpublished entries", n)
	}
}

type parsedSitemap struct {
	URLs []struct {
		Loc     string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
		LastMod string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 lastmod"`
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Hreflang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"http://www.w3.org/1999/xhtml link"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
}

func TestSitemap(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	twoLanguageStory(s)
	s.addStory(storySpec{Translations: []content.Translation{{Lang: "en", Title: "Secret draft"}}})
	if err := s.store.SavePage(t.Context(), &content.Page{Lang: "ru", Slug: "privacy", Title: "Приватность", BodyMarkdown: "Ничего не храним."}); err != nil {
		t.Fatal(err)
	}

	rec := s.get("/sitemap.xml")
	body := expect(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Errorf("Content-Type: got %q", ct)
	}
	lacks(t, body, "secret-draft")
	var sm parsedSitemap
	if err := xml.Unmarshal([]byte(body), &sm); err != nil {
		t.Fatalf("sitemap does not parse: %v\n%s", err, body)
	}
	alternates := map[string][]string{}
	for _, u := range sm.URLs {
		for _, l := range u.Links {
			alternates[u.Loc] = append(alternates[u.Loc], l.Hreflang+"="+l.Href)
		}
	}
	for loc, want := range map[string]string{
		"https://samizdat.test/en/stories/letters-from-tbilisi": "en=https://samizdat.test/en/stories/letters-from-tbilisi ru=https://samizdat.test/ru/stories/pisma-iz-tbilisi",
		"https://samizdat.test/ru/stories/pisma-iz-tbilisi":     "en=https://samizdat.test/en/stories/letters-from-tbilisi ru=https://samizdat.test/ru/stories/pisma-iz-tbilisi",
		"https://samizdat.test/fr/":                             "en=https://samizdat.test/en/ ru=https://samizdat.test/ru/ fr=https://samizdat.test/fr/",
		"https://samizdat.test/ru/privacy":                      "ru=https://samizdat.test/ru/privacy",
	} {
		got, ok := alternates[loc]
		if !ok {
			t.Errorf("sitemap lacks %s", loc)
			continue
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s alternates: got %v, want %s", loc, got, want)
		}
	}
	if len(sm.URLs) != 3+2+1 {
		t.Errorf("sitemap lists %d URLs, want 6", len(sm.URLs))
	}
}

func TestRobots(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	rec := s.get("/robots.txt")
	body := expect(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type: got %q", ct)
	}
	contains(t, body, "User-agent: *", "Disallow: /desk/", "Sitemap: https://samizdat.test/sitemap.xml")
}
