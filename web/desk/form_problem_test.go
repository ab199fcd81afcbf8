package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samizdat/content"
)

// A desk form with text that is not text, or too large, saves nothing and
// gives back what was typed, with a 400 or a 413 that says what was wrong.
func TestDesk_FormProblems(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	st, _ := d.addDraft("en", "Saved title")
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	path := fmt.Sprintf("/desk/stories/%d/en", st.ID)

	b.get(path)
	resp := b.post(path, url.Values{"title": {"New title"}, "teaser": {"A teaser."}, "body": {"Before\xff\xfe the NUL\x00 after."}})
	wantStatus(t, resp, http.StatusBadRequest)
	wantContains(t, resp.Body, "Nothing was saved", "The field “body” held characters that are not text",
		"Before\uFFFD the NUL after.</textarea>", ">New title</textarea>")
	if strings.Contains(resp.Body, b.csrf+"</textarea>") {
		t.Error("the CSRF token is given back as typed text")
	}

	b.get(path)
	// In the order a browser sends the fields: what comes before the limit is kept.
	body := "csrf_token=" + url.QueryEscape(b.csrf) + "&title=Kept+title&body=" + strings.Repeat("x", maxFormBody)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, d.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp = b.do(req)
	wantStatus(t, resp, http.StatusRequestEntityTooLarge)
	wantContains(t, resp.Body, "too large for the desk", ">Kept title</textarea>")

	if got := d.story(t, st.ID).Translations[0].Title; got != "Saved title" {
		t.Errorf("title = %q; a refused form changed it", got)
	}
}
