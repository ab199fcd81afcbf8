package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// testBase is the publication's address in tests.
const testBase = "https://samizdat.test"

// site is a web server on its own database, for one test.
type testSite struct {
	t     *testing.T
	store *store.Store
	srv   *Server
	cfg   Config
}

// newSite builds a server with English, Russian and French on a fresh
// database. Options adjust the configuration before the server is built.
func newSite(t *testing.T, opts ...func(*Config)) *testSite {
	t.Helper()
	st := storetest.New(t)
	base, _ := url.Parse(testBase)
	cfg := Config{
		BaseURL:         base,
		Languages:       []string{"en", "ru", "fr"},
		PublicationName: "Samizdat Test",
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := New(cfg, st, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	return &testSite{t: t, store: st, srv: srv, cfg: cfg}
}

// withFederation sets the ActivityPub hooks the way main wires them.
func withFederation(c *Config) {
	c.ActivityPub = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		io.WriteString(w, `{"type":"Article"}`)
	})
	c.ArticleIRI = func(key string) string { return testBase + "/ap/articles/" + key }
	c.ActorHandle = func(lang string) string { return "@" + lang + "@samizdat.test" }
	c.ActorURL = func(lang string) string { return testBase + "/ap/actors/" + lang }
}

// storySpec describes a story to create: its byline and cover, and one
// translation per language.
type storySpec struct {
	Byline       content.BylineKind
	BylineName   string
	Cover        string
	Translations []content.Translation
}

// addStory creates a story and its translations, and publishes each
// translation whose State is published or withdrawn (withdrawn ones are
// published first). It returns the story as the store gives it back.
func (s *testSite) addStory(spec storySpec) *content.Story {
	s.t.Helper()
	ctx := s.t.Context()
	if spec.Byline == "" {
		spec.Byline = content.BylinePublication
	}
	st := &content.Story{BylineKind: spec.Byline, BylineName: spec.BylineName, CoverImage: spec.Cover}
	if err := s.store.CreateStory(ctx, st); err != nil {
		s.t.Fatalf("CreateStory: %v", err)
	}
	for _, tr := range spec.Translations {
		want := tr.State
		tr.State = ""
		tr.StoryID = st.ID
		if tr.Teaser == "" {
			tr.Teaser = "A teaser for " + tr.Title + "."
		}
		if tr.BodyMarkdown == "" {
			tr.BodyMarkdown = "The body of *" + tr.Title + "*."
		}
		if err := s.store.SaveTranslation(ctx, &tr); err != nil {
			s.t.Fatalf("SaveTranslation %s: %v", tr.Lang, err)
		}
		switch want {
		case content.StatePublished:
			s.setState(tr.ID, content.StatePublished)
		case content.StateWithdrawn:
			s.setState(tr.ID, content.StatePublished)
			s.setState(tr.ID, content.StateWithdrawn)
		case content.StateScheduled:
			if _, err := s.store.SetTranslationState(ctx, tr.ID, content.StateScheduled, time.Now().Add(time.Hour)); err != nil {
				s.t.Fatalf("schedule: %v", err)
			}
		}
	}
	full, err := s.store.Story(ctx, st.ID)
	if err != nil {
		s.t.Fatalf("Story: %v", err)
	}
	return full
}

func (s *testSite) setState(id int64, to content.State) {
	s.t.Helper()
	if _, err := s.store.SetTranslationState(s.t.Context(), id, to, time.Time{}); err != nil {
		s.t.Fatalf("SetTranslationState %d → %s: %v", id, to, err)
	}
}

// published is a published translation for storySpec.
func published(lang, title string, tags ...string) content.Translation {
	return content.Translation{Lang: lang, Title: title, Tags: tags, State: content.StatePublished}
}

// get requests path from the full router with optional header pairs
// ("Accept", "text/html", …).
func (s *testSite) get(path string, headers ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.do(httptest.NewRequest(http.MethodGet, path, nil), headers...)
}

// post sends a form to path.
func (s *testSite) post(path string, form url.Values, headers ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req, headers...)
}

func (s *testSite) do(req *http.Request, headers ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	req.RemoteAddr = "192.0.2.1:1234"
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, req)
	return rec
}

// expect checks a response's status and, for pages, the public headers every
// response must carry: a CSP and no cookie.
func expect(t *testing.T, rec *httptest.ResponseRecorder, status int) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status: got %d, want %d; body:\n%.2000s", rec.Code, status, rec.Body.String())
	}
	if c := rec.Header().Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("Set-Cookie on a public response: %q", c)
	}
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Error("no Content-Security-Policy header")
	}
	return rec.Body.String()
}

// expectPage checks an HTML page's status, Content-Type and <html lang>.
func expectPage(t *testing.T, rec *httptest.ResponseRecorder, status int, lang string) string {
	t.Helper()
	body := expect(t, rec, status)
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type: got %q", ct)
	}
	if want := `<html lang="` + lang + `">`; !strings.Contains(body, want) {
		t.Errorf("page lacks %s", want)
	}
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("page has %d h1 elements, want 1", n)
	}
	checkNoForeignURLs(t, body)
	for _, img := range imgRE.FindAllString(body, -1) {
		if !strings.Contains(img, " alt=") {
			t.Errorf("image without alt: %s", img)
		}
	}
	return body
}

var imgRE = regexp.MustCompile(`<img\b[^>]*>`)

var urlAttrRE = regexp.MustCompile(`(?i)\b(?:src|href|content|action)="((?:https?:)?//[^"]*)"`)

// checkNoForeignURLs fails if any src, href, content or action attribute of
// a page points to another host. Story bodies are the editors' own words and
// may link anywhere, so tests keep links out of them unless they mean to.
func checkNoForeignURLs(t *testing.T, body string) {
	t.Helper()
	for _, m := range urlAttrRE.FindAllStringSubmatch(body, -1) {
		u, err := url.Parse(m[1])
		if err != nil || u.Host != "samizdat.test" {
			t.Errorf("page refers to another host: %s", m[0])
		}
	}
}

// contains fails unless body holds every one of wants.
func contains(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

// lacks fails if body holds any of unwanted.
func lacks(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("body holds %q", w)
		}
	}
}
