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
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor, content.RoleAdmin)
	st, _ := d.addDraft("en", "Saved title")
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	path := fmt.Sprintf("/desk/stories/%d/en", st.ID)

	// A form that does not check its text itself: the database refuses it,
	// and the page says why.
	b.get("/desk/staff/")
	resp := b.post("/desk/staff/", url.Values{"email": {"vera@example.org"}, "display_name": {"Vera\xff\xfe the NUL\x00 after"}, "roles": {"editor"}})
	wantStatus(t, resp, http.StatusBadRequest)
	wantContains(t, resp.Body, "Nothing was saved", "The field “display_name” held characters that are not text",
		"Vera\uFFFD the NUL after</textarea>", ">vera@example.org</textarea>")
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

	// The sign-in form: an address that is not text is refused with 400,
	// not a 500 from the database.
	other := d.browser(t)
	other.get("/desk/login")
	resp = other.post("/desk/login", url.Values{"email": {"ed\xff@example.org"}, "password": {"whatever it is"}})
	wantStatus(t, resp, http.StatusBadRequest)
	wantContains(t, resp.Body, "The field “email” held characters that are not text", "ed\uFFFD@example.org</textarea>")
	if strings.Contains(resp.Body, "whatever it is") {
		t.Error("the password was given back")
	}

	if got := d.story(t, st.ID).Translations[0].Title; got != "Saved title" {
		t.Errorf("title = %q; a refused form changed it", got)
	}
}
