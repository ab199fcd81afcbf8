package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samizdat/content"
)

const aStory = "We left Kharkiv on the third day, with one suitcase and the cat."

func tellValues(story, name, contact, lang string, consent bool) url.Values {
	f := url.Values{"story": {story}, "name": {name}, "contact": {contact}, "story_lang": {lang}, "website": {""}}
	if consent {
		f.Set("consent", "yes")
	}
	return f
}

func (s *testSite) submissions() []*content.Submission {
	s.t.Helper()
	subs, err := s.store.Submissions(s.t.Context(), 100, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	return subs
}

func TestTell_Form(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	body := expectPage(t, s.get("/ru/tell"), http.StatusOK, "ru")
	contains(t, body,
		"<h1>Расскажите свою историю</h1>",
		`<form method="post" action="/ru/tell"`,
		`<label for="story">Ваша история</label>`, `<textarea id="story" name="story"`,
		`<label for="name">`, `<input id="name" name="name"`,
		`<label for="contact">`, `<input id="contact" name="contact"`,
		`<label for="lang">Язык вашей истории</label>`, `<option value="ru" lang="ru" selected>Русский</option>`,
		`<label for="consent">`, `<input id="consent" name="consent" type="checkbox"`,
		`<div class="hp" aria-hidden="true">`, `<input id="website" name="website" type="text" tabindex="-1"`,
		"не записываем ни ваш IP-адрес",
	)
	// Every form control has a label.
	for _, id := range []string{"story", "name", "contact", "lang", "consent", "website"} {
		if !strings.Contains(body, `<label for="`+id+`">`) {
			t.Errorf("no label for #%s", id)
		}
	}
}

func TestTell_Success(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	rec := s.post("/fr/tell", tellValues(aStory, "Olena", "olena@example.org", "ru", true))
	expect(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != "/fr/tell?sent=1" {
		t.Fatalf("Location: got %q", got)
	}
	subs := s.submissions()
	if len(subs) != 1 {
		t.Fatalf("stored %d submissions, want 1", len(subs))
	}
	got := subs[0]
	if got.Story != aStory || got.Name != "Olena" || got.Contact != "olena@example.org" || got.Lang != "ru" {
		t.Errorf("stored %+v", got)
	}

	sent := expectPage(t, s.get("/fr/tell?sent=1"), http.StatusOK, "fr")
	contains(t, sent, "<h1 id=\"sent-heading\">Merci</h1>", "Votre histoire est bien parvenue", `<meta name="robots" content="noindex">`)
	lacks(t, sent, `<form method="post"`, `name="story"`)

	// Name and contact are optional.
	expect(t, s.post("/en/tell", tellValues(aStory, "", "", "en", true)), http.StatusSeeOther)
	if n := len(s.submissions()); n != 2 {
		t.Errorf("stored %d submissions, want 2", n)
	}
}

func TestTell_Invalid(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	typedName := `Ivan "the <b>bold</b>"`
	rec := s.post("/ru/tell", tellValues("Too short", typedName, "ivan@example.org", "ru", false))
	body := expectPage(t, rec, http.StatusBadRequest, "ru")
	contains(t, body,
		`<div class="form-error" role="alert">`,
		"Напишите хотя бы несколько предложений",
		"Отметьте это поле",
		`aria-invalid="true"`,
		`<p class="field-error" id="story-error">`,
		">Too short</textarea>",
		`value="Ivan &#34;the &lt;b&gt;bold&lt;/b&gt;&#34;"`,
		`value="ivan@example.org"`,
		`<option value="ru" lang="ru" selected>`,
	)
	if n := len(s.submissions()); n != 0 {
		t.Errorf("an invalid form stored %d submissions", n)
	}

	// The errors are in the section's language, whatever language the story is in.
	en := expectPage(t, s.post("/en/tell", tellValues(aStory, strings.Repeat("n", 101), "", "xx", true)), http.StatusBadRequest, "en")
	contains(t, en, "Please keep the name under 100 characters.", "Please choose a language from the list.", aStory)
	lacks(t, en, "name_too_long", "lang_invalid")
}

func TestTell_Honeypot(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	f := tellValues(aStory, "Bot", "bot@example.org", "en", true)
	f.Set("website", "https://spam.example")
	rec := s.post("/en/tell", f)
	expect(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != "/en/tell?sent=1" {
		t.Errorf("Location: got %q", got)
	}
	if n := len(s.submissions()); n != 0 {
		t.Errorf("the honeypot let %d submissions through", n)
	}
}

func TestTell_RateLimit(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for i := range tellLimit {
		if rec := s.post("/en/tell", tellValues(aStory, "", "", "en", true)); rec.Code != http.StatusSeeOther {
			t.Fatalf("submission %d: got %d", i+1, rec.Code)
		}
	}
	rec := s.post("/fr/tell", tellValues(aStory+" Again.", "Anna", "", "fr", true))
	body := expectPage(t, rec, http.StatusTooManyRequests, "fr")
	contains(t, body, "Vous avez envoyé plusieurs récits en peu de temps", aStory+" Again.</textarea>", `value="Anna"`)
	if n := len(s.submissions()); n != tellLimit {
		t.Errorf("stored %d submissions, want %d", n, tellLimit)
	}

	// Another sender is not held back.
	req := tellValues(aStory, "", "", "en", true)
	other := s.post("/en/tell", req, "X-Forwarded-For", "192.0.2.1")
	if other.Code != http.StatusTooManyRequests {
		t.Errorf("X-Forwarded-For lifted the limit: got %d", other.Code)
	}
}

// TestTell_NoTrace checks that neither the client's address nor its browser
// reaches the logs or the database.
func TestTell_NoTrace(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := newSite(t)
	srv, err := New(s.cfg, s.store, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	s.srv = srv
	const agent = "TraceableBrowser/1.0"
	expect(t, s.post("/en/tell", tellValues(aStory, "", "", "en", true), "User-Agent", agent), http.StatusSeeOther)
	expect(t, s.get("/en/tell?sent=1", "User-Agent", agent), http.StatusOK)
	if logs.Len() == 0 {
		t.Fatal("nothing was logged at debug level; the test would prove nothing")
	}
	for _, trace := range []string{"192.0.2.1", agent} {
		if strings.Contains(logs.String(), trace) {
			t.Errorf("the log holds %q:\n%s", trace, logs.String())
		}
	}
	for _, sub := range s.submissions() {
		if fields := strings.Join([]string{sub.Story, sub.Name, sub.Contact, sub.Lang}, " "); strings.Contains(fields, "192.0.2.1") || strings.Contains(fields, agent) {
			t.Errorf("a submission holds the sender's address or browser: %+v", sub)
		}
	}
}
