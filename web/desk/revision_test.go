package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"samizdat/content"
)

func TestDesk_RevisionsAndOutdated(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	st, en := d.addDraft("en", "First title")
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	edit := fmt.Sprintf("/desk/stories/%d/en", st.ID)
	save := func(lang, title, body string) {
		t.Helper()
		wantRedirect(t, b.post(fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang), url.Values{
			"title": {title}, "teaser": {"A teaser."}, "body": {body}, "slug": {""}, "tags": {""}, "cover_alt": {""}}),
			fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang))
	}
	save("en", "First title", "Line one.\nLine two.")
	save("ru", "Первый", "Строка.")
	save("en", "Second title", "Line one.\nLine 2, changed.")

	list := b.get(edit + "/revisions")
	wantContains(t, list.Body, "Second title", "the current text", "Compare and restore")
	m := regexp.MustCompile(`href="`+regexp.QuoteMeta(edit)+`/revisions/(\d+)"`).FindAllStringSubmatch(list.Body, -1)
	if len(m) < 2 {
		t.Fatalf("revisions listed: %d\n%s", len(m), list.Body)
	}
	first := m[len(m)-1][1] // the oldest: the draft as created
	cmp := b.get(edit + "/revisions/" + m[0][1])
	wantContains(t, cmp.Body, "− Line 2, changed.", "+ Line two.", "Restore this text")

	// The original changed after the Russian was saved: marked.
	wantContains(t, b.get(fmt.Sprintf("/desk/stories/%d", st.ID)).Body, "out of date")
	ru := b.get(fmt.Sprintf("/desk/stories/%d/ru", st.ID))
	wantContains(t, ru.Body, "Out of date:", "It follows the original")
	wantRedirect(t, b.post(fmt.Sprintf("/desk/stories/%d/ru/outdated/dismiss", st.ID), url.Values{}), fmt.Sprintf("/desk/stories/%d/ru", st.ID))
	if body := b.get(fmt.Sprintf("/desk/stories/%d/ru", st.ID)).Body; regexp.MustCompile(`Out of date:`).MatchString(body) {
		t.Error("still marked after dismissing")
	}

	wantRedirect(t, b.post(edit+"/revisions/"+m[0][1]+"/restore", url.Values{}), edit)
	if got := d.story(t, st.ID).Translation("en"); got.Title != "First title" || got.BodyMarkdown != "Line one.\nLine two." {
		t.Errorf("after restore: %q %q", got.Title, got.BodyMarkdown)
	}
	// Restoring is a save: it is a revision too, and marks the Russian again.
	wantContains(t, b.get(fmt.Sprintf("/desk/stories/%d/ru", st.ID)).Body, "Out of date:")
	wantStatus(t, b.get(edit+"/revisions/"+first), http.StatusOK)
	wantStatus(t, b.get(fmt.Sprintf("/desk/stories/%d/ru/revisions/%s", st.ID, first)), http.StatusNotFound) // another translation's
	_ = en
}
