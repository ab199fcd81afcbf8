package web

import (
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"samizdat/content/store/storetest"
)

// postRaw sends body as a form, byte for byte.
func (s *testSite) postRaw(path, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

// Text that is not text, or a body too large, gets a page that says so,
// with what was typed given back, and stores nothing.
func TestTell_BadInput(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	const rest = "&name=Olena&contact=&story_lang=en&consent=yes&website="

	t.Run("InvalidUTF8", func(t *testing.T) {
		rec := s.postRaw("/en/tell", "story="+strings.Repeat("ab", 12)+"%FF%FE"+"end of my story"+rest)
		body := expect(t, rec, http.StatusBadRequest)
		contains(t, body, html.EscapeString(T("en", "tell.err.invalid_text")), strings.Repeat("ab", 12)+"\uFFFDend of my story", `value="Olena"`)
	})
	t.Run("NUL", func(t *testing.T) {
		rec := s.postRaw("/en/tell", "story="+strings.Repeat("cd", 12)+"%00 and the rest"+rest)
		body := expect(t, rec, http.StatusBadRequest)
		contains(t, body, strings.Repeat("cd", 12)+" and the rest", `id="story-error"`)
	})
	t.Run("TooLarge", func(t *testing.T) {
		// The story comes last, as browsers send the fields in order: what
		// comes before it is kept.
		rec := s.postRaw("/en/tell", "name=Olena&contact=o%40example.org&story_lang=en&consent=yes&story="+strings.Repeat("x", tellBodyLimit+10))
		body := expect(t, rec, http.StatusRequestEntityTooLarge)
		contains(t, body, html.EscapeString(T("en", "tell.err.too_large")), `value="Olena"`, `value="o@example.org"`)
	})
	t.Run("LongCyrillicFits", func(t *testing.T) {
		// 50,000 Cyrillic characters, percent-encoded: over 256 KiB.
		story := strings.Repeat("п", 50_000)
		rec := s.post("/ru/tell", tellValues(story, "", "", "ru", true))
		expect(t, rec, http.StatusSeeOther)
	})
	if n := len(s.submissions()); n != 1 {
		t.Errorf("%d submissions stored, want only the long Cyrillic one", n)
	}
}

func TestInteract_BadInput(t *testing.T) {
	t.Parallel()
	s := newSite(t, withFederation)
	rec := s.postRaw("/en/interact", "intent=follow&address=me%00%FF%40example.social")
	body := expect(t, rec, http.StatusBadRequest)
	contains(t, body, html.EscapeString(T("en", "interact.err.invalid")), "me\uFFFD@example.social")
	rec = s.postRaw("/en/interact", "intent=follow&address="+strings.Repeat("a", maxInteractBody))
	expect(t, rec, http.StatusRequestEntityTooLarge)
}

// fuzzServer is a server on its own database for a fuzz test.
func fuzzServer(f *testing.F, opts ...func(*Config)) *Server {
	base, _ := url.Parse(testBase)
	cfg := Config{BaseURL: base, Languages: []string{"en", "ru", "fr"}, PublicationName: "Samizdat Fuzz"}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := New(cfg, storetest.New(f), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	return srv
}

// fuzzForm posts each body to path and checks that the answer is a page
// (never a 500), in valid UTF-8, that sets no cookie.
func fuzzForm(f *testing.F, srv *Server, path string, allowed ...int) {
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "192.0.2.1:1234"
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if !slices.Contains(allowed, rec.Code) {
			t.Fatalf("status %d for %q; body:\n%.1000s", rec.Code, body, rec.Body.String())
		}
		if !utf8.Valid(rec.Body.Bytes()) {
			t.Errorf("the answer to %q is not valid UTF-8", body)
		}
		if c := rec.Header().Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("Set-Cookie: %q", c)
		}
	})
}

func FuzzTell(f *testing.F) {
	f.Add("story=" + url.QueryEscape(aStory) + "&story_lang=en&consent=yes")
	f.Add("story=%FF%FE%00&name=%00&story_lang=en&consent=yes")
	f.Add("story=" + strings.Repeat("%D0%BF", 30) + "&story_lang=xx")
	f.Add("a=%zz&story=&&&=")
	f.Add("website=bot&story=x")
	srv := fuzzServer(f)
	// 429 once the fuzzer has sent five stories from its one address.
	fuzzForm(f, srv, "/en/tell", http.StatusSeeOther, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests)
}

func FuzzInteract(f *testing.F) {
	f.Add("intent=follow&address=reader%40example.social")
	f.Add("intent=reply&story=no-such-story&address=x")
	f.Add("intent=follow&address=%FF%00")
	f.Add("intent=follow&address=" + strings.Repeat("a", 5000))
	srv := fuzzServer(f, withFederation)
	fuzzForm(f, srv, "/en/interact", http.StatusOK, http.StatusSeeOther, http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge)
}
