package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samizdat/content"
)

// What staff do in the desk reaches the audit log, which only admins read,
// filtered by member and action.
func TestDesk_AuditLog(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("admin@example.org", "administrate this", content.RoleAdmin)
	ed := d.addStaff("ed@example.org", "edit all the things", content.RoleEditor)
	st, _ := d.addDraft("en", "Letters from Kharkiv")

	e := d.browser(t)
	e.login("ed@example.org", "edit all the things")
	e.get(fmt.Sprintf("/desk/stories/%d/en", st.ID))
	wantStatus(t, e.post(fmt.Sprintf("/desk/stories/%d/en/state", st.ID), url.Values{"action": {"publish"}}), http.StatusSeeOther)
	wantStatus(t, e.get("/desk/audit"), http.StatusForbidden)

	a := d.browser(t)
	a.login("admin@example.org", "administrate this")
	page := a.get("/desk/audit")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, "ed</td><td>published <code>story "+fmt.Sprint(st.ID)+" en</code></td><td>Letters from Kharkiv",
		"ed</td><td>signed in", "admin</td><td>signed in", "Samizdat</td><td>created <code>story")

	mine := a.get(fmt.Sprintf("/desk/audit?staff=%d", ed.ID))
	if strings.Contains(mine.Body, "admin</td>") || !strings.Contains(mine.Body, "ed</td><td>published") {
		t.Errorf("filtered by Ed, the page shows:\n%.3000s", mine.Body)
	}
	logins := a.get("/desk/audit?action=login")
	if strings.Contains(logins.Body, "published <code>") || strings.Count(logins.Body, "</td><td>signed in") != 2 {
		t.Errorf("filtered by sign-ins, the page shows:\n%.3000s", logins.Body)
	}
	wantContains(t, logins.Body, `<option value="login" selected>`)
}
