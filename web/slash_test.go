package web

import (
	"net/http"
	"net/url"
	"testing"

	"samizdat/content"
)

func TestRedirectNoSlash(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.addStory(storySpec{Translations: []content.Translation{published("en", "First title", "exile")}})
	for path, want := range map[string]string{
		"/en/stories/first-title/":        "/en/stories/first-title",
		"/en/stories/first-title/?a=b":    "/en/stories/first-title?a=b",
		"/en/tags/exile/":                 "/en/tags/exile",
		"/en/stories/caf%C3%A9%2Fx/":      "/en/stories/caf%C3%A9%2Fx",
		"/en/stories/%2F%2Fevil.example/": "/en/stories/%2F%2Fevil.example",
	} {
		rec := s.get(path)
		expect(t, rec, http.StatusMovedPermanently)
		if got := rec.Header().Get("Location"); got != want {
			t.Errorf("GET %s: Location %q, want %q", path, got, want)
		}
	}
	// Paths no route with a slash names stay as they were: not found.
	for _, path := range []string{"/en/stories/a/b/", "/en//evil.example/", "/xx/stories/first-title/", "/en/stories//"} {
		rec := s.get(path)
		if rec.Code == http.StatusMovedPermanently {
			t.Errorf("GET %s redirected to %q", path, rec.Header().Get("Location"))
		}
	}
	expectPage(t, s.get("/en/stories/first-title"), http.StatusOK, "en")
	expectPage(t, s.get("/en/"), http.StatusOK, "en")
}

func TestAbsoluteLinks(t *testing.T) {
	t.Parallel()
	base, err := url.Parse("https://samizdat.test/en/stories/a-story")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{`<p>plain &amp; text</p>`, `<p>plain &amp; text</p>`},
		{`<p><a href="/en/stories/other">o</a></p>`, `<p><a href="https://samizdat.test/en/stories/other">o</a></p>`},
		{`<sup><a href="#fn:1" id="fnref:1">1</a></sup>`, `<sup><a href="https://samizdat.test/en/stories/a-story#fn:1" id="fnref:1">1</a></sup>`},
		{`<img src="/media/ab.jpg" alt="a &quot;b&quot;">`, `<img src="https://samizdat.test/media/ab.jpg" alt="a &#34;b&#34;">`},
		{`<a href="https://example.org/x?a=1&amp;b=2">x</a>`, `<a href="https://example.org/x?a=1&amp;b=2">x</a>`},
		{`<a href="mailto:a@b.c">m</a>`, `<a href="mailto:a@b.c">m</a>`},
	}
	for _, tc := range tests {
		if got := absoluteLinks(tc.in, base); got != tc.want {
			t.Errorf("absoluteLinks(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
