package desk

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
)

func TestDesk_StoryFlow(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")

	wantStatus(t, b.get("/desk/stories/new"), http.StatusOK)
	resp := b.post("/desk/stories/", url.Values{
		"byline_kind": {"pseudonym"}, "byline_name": {"Nadia K."},
		"lang": {"en"}, "title": {"The river crossing"}, "teaser": {"How a family left at night."},
		"body": {"It was *cold*.\r\n\r\n| a | b |\r\n|---|---|\r\n| 1 | 2 |"}, "slug": {""}, "tags": {"exile, #Family"},
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d; body:\n%.3000s", resp.StatusCode, resp.Body)
	}
	var id int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/desk/stories/%d/en", &id); err != nil {
		t.Fatalf("create redirected to %q", resp.Header.Get("Location"))
	}
	st := d.story(t, id)
	en := st.Translation("en")
	if st.BylineKind != content.BylinePseudonym || st.BylineName != "Nadia K." || en == nil ||
		en.State != content.StateDraft || en.Slug != "the-river-crossing" || strings.Join(en.Tags, ",") != "exile,family" ||
		en.BodyMarkdown != "It was *cold*.\n\n| a | b |\n|---|---|\n| 1 | 2 |" {
		t.Fatalf("stored story %+v, translation %+v", st, en)
	}
	wantContains(t, b.get(resp.Header.Get("Location")).Body, "The story is created as a draft in English.", "Publish now")

	// The Russian translation, with the English beside it.
	ru := b.get(fmt.Sprintf("/desk/stories/%d/ru", id))
	wantStatus(t, ru, http.StatusOK)
	wantContains(t, ru.Body, `New <span lang="ru">Русский</span> translation`, `class="original"`, "The river crossing", "How a family left at night.", "<em>cold</em>", "<table>")
	resp = b.post(fmt.Sprintf("/desk/stories/%d/ru", id), url.Values{
		"title": {"Переправа"}, "teaser": {"Как семья ушла ночью."}, "body": {"Было *холодно*."}, "slug": {"pereprava"}, "tags": {"изгнание"},
	})
	wantRedirect(t, resp, fmt.Sprintf("/desk/stories/%d/ru", id))
	if got := d.story(t, id).Translation("ru"); got == nil || got.Title != "Переправа" || got.State != content.StateDraft {
		t.Fatalf("ru translation: %+v", got)
	}

	// Publish the English now.
	b.get(fmt.Sprintf("/desk/stories/%d/en", id))
	wantRedirect(t, b.post(fmt.Sprintf("/desk/stories/%d/en/state", id), url.Values{"action": {"publish"}}), fmt.Sprintf("/desk/stories/%d/en", id))
	if en := d.story(t, id).Translation("en"); en.State != content.StatePublished || en.PublishedAt.IsZero() {
		t.Fatalf("after publish: %s at %v", en.State, en.PublishedAt)
	}
	wantContains(t, b.get(fmt.Sprintf("/desk/stories/%d/en", id)).Body,
		`<a href="/en/stories/the-river-crossing">View the published page</a>`, fmt.Sprintf(`<a href="/desk/stories/%d/en/deliveries">Delivery report</a>`, id))
	list := b.get("/desk/stories/?state=published")
	wantContains(t, list.Body, "The river crossing", `<abbr title="English">en</abbr> published`, `<abbr title="Русский">ru</abbr> draft`)
	if strings.Contains(b.get("/desk/stories/?state=withdrawn").Body, "The river crossing") {
		t.Error("the withdrawn tab lists a story without withdrawn translations")
	}

	// Schedule the Russian in UTC, then take it back.
	at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	resp = b.post(fmt.Sprintf("/desk/stories/%d/ru/state", id), url.Values{"action": {"schedule"}, "publish_at": {at.Format("2006-01-02T15:04")}})
	wantStatus(t, resp, http.StatusSeeOther)
	if ru := d.story(t, id).Translation("ru"); ru.State != content.StateScheduled || !ru.PublishAt.Equal(at) {
		t.Fatalf("after schedule: %s at %v, want scheduled at %v", ru.State, ru.PublishAt, at)
	}
	page := b.get(fmt.Sprintf("/desk/stories/%d/ru", id))
	wantContains(t, page.Body, `value="`+at.Format("2006-01-02T15:04")+`"`, "(UTC)", "Unschedule")
	wantStatus(t, b.post(fmt.Sprintf("/desk/stories/%d/ru/state", id), url.Values{"action": {"unschedule"}}), http.StatusSeeOther)
	if ru := d.story(t, id).Translation("ru"); ru.State != content.StateDraft {
		t.Fatalf("after unschedule: %s", ru.State)
	}

	// A past time and a move the state machine refuses come back on the editor.
	resp = b.post(fmt.Sprintf("/desk/stories/%d/ru/state", id), url.Values{"action": {"schedule"}, "publish_at": {"2001-01-01T10:00"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "Choose a time in the future.", `id="publish_at-error"`, `value="2001-01-01T10:00"`)
	resp = b.post(fmt.Sprintf("/desk/stories/%d/ru/state", id), url.Values{"action": {"withdraw"}, "confirm": {"yes"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "A draft translation cannot become withdrawn.")
	if ru := d.story(t, id).Translation("ru"); ru.State != content.StateDraft {
		t.Fatalf("after refused moves: %s", ru.State)
	}

	// Withdraw the English, which asks first on a page of its own; edit
	// the byline.
	wantRedirect(t, b.post(fmt.Sprintf("/desk/stories/%d/en/state", id), url.Values{"action": {"withdraw"}}), fmt.Sprintf("/desk/stories/%d/en/withdraw", id))
	if en := d.story(t, id).Translation("en"); en.State != content.StatePublished {
		t.Fatalf("withdrawn without confirmation: %s", en.State)
	}
	wantContains(t, b.get(fmt.Sprintf("/desk/stories/%d/en", id)).Body, fmt.Sprintf(`href="/desk/stories/%d/en/withdraw">Withdraw…</a>`, id))
	wantContains(t, b.get(fmt.Sprintf("/desk/stories/%d/en/withdraw", id)).Body, "is told to delete it", `name="confirm" value="yes"`)
	wantStatus(t, b.post(fmt.Sprintf("/desk/stories/%d/en/state", id), url.Values{"action": {"withdraw"}, "confirm": {"yes"}}), http.StatusSeeOther)
	if en := d.story(t, id).Translation("en"); en.State != content.StateWithdrawn {
		t.Fatalf("after withdraw: %s", en.State)
	}
	wantRedirect(t, b.post(fmt.Sprintf("/desk/stories/%d", id), url.Values{"byline_kind": {"name"}, "byline_name": {"Nadia Karimova"}}), fmt.Sprintf("/desk/stories/%d", id))
	if st := d.story(t, id); st.BylineKind != content.BylineName || st.BylineName != "Nadia Karimova" {
		t.Errorf("byline: %s %q", st.BylineKind, st.BylineName)
	}
	resp = b.post(fmt.Sprintf("/desk/stories/%d", id), url.Values{"byline_kind": {"name"}, "byline_name": {"  "}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "Give the name or pseudonym to credit.", `id="byline_name-error"`)

	wantStatus(t, b.get("/desk/stories/999999"), http.StatusNotFound)
	wantStatus(t, b.get(fmt.Sprintf("/desk/stories/%d/xx", id)), http.StatusNotFound)
	css := b.get(staticURL("desk.css"))
	wantStatus(t, css, http.StatusOK)
	wantContains(t, css.Body, ":focus-visible")

	notFound := b.get("/desk/no-such-page")
	wantStatus(t, notFound, http.StatusNotFound)
	wantContains(t, notFound.Body, "There is nothing here", `class="desk"`)
	// The desk's pages name their icon, so browsers do not ask for a
	// missing /favicon.ico (a console error on every desk page).
	wantContains(t, notFound.Body, `<link rel="icon" href="`+staticURL("favicon.svg")+`" type="image/svg+xml">`)
	icon := b.get(staticURL("favicon.svg"))
	wantStatus(t, icon, http.StatusOK)
	wantContains(t, icon.Body, "<svg")
}

func TestDesk_ValidationKeepsInput(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	b.get("/desk/stories/new")

	long := strings.Repeat("слово ", 100) // 600 characters
	body := "A body I typed with care, & <b>markup</b>."
	resp := b.post("/desk/stories/", url.Values{
		"byline_kind": {"name"}, "byline_name": {"Ivan"}, "lang": {"ru"},
		"title": {""}, "teaser": {long}, "body": {body}, "slug": {"Bad Slug!"}, "tags": {"one, two"},
	})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body,
		`<p class="field-error" id="title-error">A title is required.</p>`,
		`aria-invalid="true" aria-describedby="title-error"`,
		`id="teaser-error">Keep the teaser to 500 characters at most.`,
		`aria-describedby="teaser-hint teaser-error"`,
		`id="slug-error"`, `value="Bad Slug!"`,
		html.EscapeString(body), strings.TrimSpace(long), `value="one, two"`, `value="Ivan"`,
		`<option value="ru" selected>`, `class="error-summary"`, `href="#title"`)
	if i, j, k := strings.Index(resp.Body, `href="#title"`), strings.Index(resp.Body, `href="#teaser"`), strings.Index(resp.Body, `href="#slug"`); !(i < j && j < k) {
		t.Errorf("the summary of problems is not in the form's order: title %d, teaser %d, slug %d", i, j, k)
	}
	stories, err := d.store.Stories(t.Context(), store.StoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 0 {
		t.Errorf("an invalid form stored %d stories", len(stories))
	}

	// The same on an existing translation's editor; the saved text stays.
	st, tr := d.addDraft("en", "Kept title")
	resp = b.post(fmt.Sprintf("/desk/stories/%d/en", st.ID), url.Values{"title": {"New title"}, "teaser": {"<script>"}, "body": {"Typed body"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "The teaser is plain text: leave out &lt; and &gt;.", `value="New title"`, "Typed body")
	if got := d.story(t, st.ID).Translation("en"); got.Title != tr.Title || got.BodyMarkdown != tr.BodyMarkdown {
		t.Errorf("a refused save changed the translation: %q / %q", got.Title, got.BodyMarkdown)
	}

	// A slug taken by another story in the same language.
	resp = b.post("/desk/stories/", url.Values{"byline_kind": {"publication"}, "lang": {"en"}, "title": {"Another"}, "teaser": {"T."}, "slug": {"kept-title"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "Another story in this language already uses this slug.", `value="Another"`)
	if stories, _ := d.store.Stories(t.Context(), store.StoryFilter{}); len(stories) != 1 {
		t.Errorf("a refused slug left %d stories, want 1", len(stories))
	}
}

func TestDesk_Preview(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	st, tr := d.addDraft("en", "Saved title")
	b.get(fmt.Sprintf("/desk/stories/%d/en", st.ID))

	form := url.Values{"title": {"Unsaved title"}, "teaser": {"Unsaved teaser."}, "body": {"An **unsaved** body.\n\n<script>alert(1)</script>"}, "tags": {"draft_tag"}}
	resp := b.post(fmt.Sprintf("/desk/stories/%d/en/preview", st.ID), form)
	wantStatus(t, resp, http.StatusOK)
	wantContains(t, resp.Body, `<html lang="en">`, `<article class="story">`, "Unsaved title", "Unsaved teaser.", "<strong>unsaved</strong>", "#draft_tag", `class="preview-banner"`)
	if strings.Contains(resp.Body, "<script>alert(1)</script>") {
		t.Error("the preview passed raw HTML through")
	}
	if got := d.story(t, st.ID).Translation("en"); got.Title != tr.Title || got.BodyMarkdown != tr.BodyMarkdown || got.State != content.StateDraft {
		t.Errorf("preview changed the translation: %+v", got)
	}

	// A language not yet translated previews too, and is not created.
	resp = b.post(fmt.Sprintf("/desk/stories/%d/fr/preview", st.ID), url.Values{"title": {"Titre provisoire"}, "teaser": {"Chapô."}, "body": {"Texte."}})
	wantStatus(t, resp, http.StatusOK)
	wantContains(t, resp.Body, `<html lang="fr">`, "Titre provisoire")
	if d.story(t, st.ID).Translation("fr") != nil {
		t.Error("preview created a French translation")
	}
}

func TestDesk_Pin(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	st, _ := d.addDraft("en", "Pinned words")
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	path := fmt.Sprintf("/desk/stories/%d", st.ID)
	wantContains(t, b.get(path).Body, `name="pinned"`)

	wantRedirect(t, b.post(path+"/pin", url.Values{"pinned": {"on"}}), path)
	if !d.story(t, st.ID).Pinned {
		t.Fatal("the story is not pinned")
	}
	wantRedirect(t, b.post(path+"/pin", url.Values{}), path)
	if d.story(t, st.ID).Pinned {
		t.Fatal("the story is still pinned")
	}
}

// TestDesk_StoryInvalidUTF8: bytes that are not text in any field of the
// story editor come back with a clear message and everything typed, and
// save nothing.
func TestDesk_StoryInvalidUTF8(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	for _, field := range []string{"byline_name", "title", "teaser", "body", "tags", "cover_alt"} {
		form := url.Values{
			"byline_kind": {"pseudonym"}, "byline_name": {"Nadia"}, "lang": {"en"}, "title": {"The crossing"},
			"teaser": {"At night."}, "body": {"Kept text."}, "slug": {""}, "tags": {"exile"}, "cover_alt": {""},
		}
		form.Set(field, form.Get(field)+" \xff\xfe")
		resp := b.post("/desk/stories/", form)
		// Tags are lower-cased first, which turns the bytes into U+FFFD:
		// they then fail as tags, with the tags' own message.
		msg := "invalid UTF-8"
		if field == "tags" {
			msg = "Tags are single words"
		}
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, msg) || !strings.Contains(resp.Body, "Kept text.") {
			t.Errorf("%s: status %d, want 422 with the message and the text kept", field, resp.StatusCode)
		}
	}
	// Two megabytes pasted into the text: the message, and the text kept.
	huge := "Kept text. " + strings.Repeat("ж", 1<<20)
	resp := b.post("/desk/stories/", url.Values{
		"byline_kind": {"publication"}, "lang": {"en"}, "title": {"The crossing"}, "teaser": {"At night."},
		"body": {huge}, "slug": {""}, "tags": {""}, "cover_alt": {""},
	})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "too long") || !strings.Contains(resp.Body, huge[:200]) {
		t.Errorf("2 MB text: status %d, want 422 with the message and the text kept", resp.StatusCode)
	}
	if list, _ := d.store.Stories(t.Context(), store.StoryFilter{Limit: 10}); len(list) != 0 {
		t.Errorf("%d stories saved", len(list))
	}
}

// TestDesk_NewStoryAutosave: what the script keeps of a story not created
// yet is offered back on the new-story form, and goes once it is created.
func TestDesk_NewStoryAutosave(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	wantStatus(t, b.post("/desk/autosave", url.Values{"key": {"story/new"}, "lang": {"ru"}, "title": {"Половина истории"}, "body": {"Начало."}}), http.StatusNoContent)
	wantStatus(t, b.post("/desk/autosave", url.Values{"key": {"../../etc"}, "title": {"x"}}), http.StatusBadRequest)
	wantContains(t, b.get("/desk/stories/new").Body, "was never created", "/desk/stories/new?restore=1")
	restored := b.get("/desk/stories/new?restore=1").Body
	wantContains(t, restored, `value="Половина истории"`, "Начало.", `<option value="ru" selected>`)
	resp := b.post("/desk/stories/", url.Values{"byline_kind": {"publication"}, "lang": {"ru"}, "title": {"Половина истории"},
		"teaser": {"Тизер."}, "body": {"Начало."}, "slug": {""}, "tags": {""}, "cover_alt": {""}})
	wantStatus(t, resp, http.StatusSeeOther)
	if strings.Contains(b.get("/desk/stories/new").Body, "was never created") {
		t.Error("the copy is offered after the story was created")
	}
}
