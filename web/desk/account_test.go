package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"samizdat/content"
)

// codeAt is the TOTP code of secret at t.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// Setting up the second factor: a QR code from the desk itself, a
// confirmation code, recovery codes shown once; then signing in needs a
// code, each code works once, and each recovery code works once.
func TestDesk_TOTP(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")

	page := b.get("/desk/account/totp")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, `<img src="/desk/account/totp/qr.png"`)
	m := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no secret on the page:\n%.3000s", page.Body)
	}
	secret := m[1]
	qr := b.get("/desk/account/totp/qr.png")
	wantStatus(t, qr, http.StatusOK)
	if qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.Body, "\x89PNG") {
		t.Errorf("QR code: %s, %q…", qr.Header.Get("Content-Type"), qr.Body[:min(8, len(qr.Body))])
	}

	wrong := b.post("/desk/account/totp", url.Values{"code": {"000000"}})
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	wantContains(t, wrong.Body, "This code is not right")
	now := time.Now()
	done := b.post("/desk/account/totp", url.Values{"code": {codeAt(t, secret, now)}})
	wantStatus(t, done, http.StatusOK)
	codes := regexp.MustCompile(`<code class="secret">([a-z2-7]{5}-[a-z2-7]{5})</code>`).FindAllStringSubmatch(done.Body, -1)
	if len(codes) != recoveryCount {
		t.Fatalf("%d recovery codes shown, want %d:\n%.3000s", len(codes), recoveryCount, done.Body)
	}
	if strings.Contains(b.get("/desk/account/").Body, codes[0][1]) {
		t.Error("the recovery codes are shown again")
	}

	login := func(code string) deskResponse {
		c := d.browser(t)
		c.get("/desk/login")
		return c.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"correct horse battery"}, "code": {code}})
	}
	wantStatus(t, login(""), http.StatusUnauthorized)
	// The code that confirmed the set-up is used up; the next step's is good, once.
	wantStatus(t, login(codeAt(t, secret, now)), http.StatusUnauthorized)
	next := codeAt(t, secret, now.Add(totpPeriod*time.Second))
	wantRedirect(t, login(next), "/desk/")
	wantStatus(t, login(next), http.StatusUnauthorized)
	recovery := strings.ToUpper(codes[3][1])
	wantRedirect(t, login(recovery), "/desk/")
	wantStatus(t, login(recovery), http.StatusUnauthorized)
	if n, _ := d.store.RecoveryCodesLeft(t.Context(), staffID(t, d, "ed@example.org")); n != recoveryCount-1 {
		t.Errorf("%d recovery codes left, want %d", n, recoveryCount-1)
	}
}

func staffID(t *testing.T, d *deskSite, email string) int64 {
	t.Helper()
	m, err := d.store.StaffByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// When admins require a second factor, staff without one are sent to set
// it up before anything else.
func TestDesk_TOTPRequired(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("admin@example.org", "administrate this", content.RoleAdmin)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	a := d.browser(t)
	a.login("admin@example.org", "administrate this")
	a.get("/desk/staff/")
	wantRedirect(t, a.post("/desk/staff/settings", url.Values{"require_totp": {"on"}}), "/desk/staff/")

	e := d.browser(t)
	e.get("/desk/login")
	wantRedirect(t, e.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"correct horse battery"}}), "/desk/")
	wantRedirect(t, e.get("/desk/stories/"), "/desk/account/totp")
	page := e.get("/desk/account/totp")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, "the publication asks it of all staff")
	secret := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(page.Body)[1]
	wantStatus(t, e.post("/desk/account/totp", url.Values{"code": {codeAt(t, secret, time.Now())}}), http.StatusOK)
	wantStatus(t, e.get("/desk/stories/"), http.StatusOK)
}

// Changing one's password needs the current one and ends one's other
// sessions; sessions are listed and can be ended.
func TestDesk_AccountPassword(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	other := d.browser(t)
	other.login("ed@example.org", "correct horse battery")

	acct := b.get("/desk/account/")
	wantStatus(t, acct, http.StatusOK)
	if n := strings.Count(acct.Body, "<tr><td>"); n != 2 {
		t.Errorf("%d sessions listed, want 2", n)
	}
	wantContains(t, acct.Body, "this session", "Sign out there")

	bad := b.post("/desk/account/password", url.Values{"current": {"not it"}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad.Body, "This is not your current password.")
	mismatch := b.post("/desk/account/password", url.Values{"current": {"correct horse battery"}, "password": {"a new long password"}, "confirm": {"another"}})
	wantContains(t, mismatch.Body, "The two new passwords are not the same.")

	wantRedirect(t, b.post("/desk/account/password", url.Values{"current": {"correct horse battery"}, "password": {"a new long password"}, "confirm": {"a new long password"}}), "/desk/account/")
	wantStatus(t, b.get("/desk/stories/"), http.StatusOK)
	wantRedirect(t, other.get("/desk/stories/"), "/desk/login?next=%2Fdesk%2Fstories%2F")
	c := d.browser(t)
	c.login("ed@example.org", "a new long password")

	// Ending c's session from b.
	acct = b.get("/desk/account/")
	id := regexp.MustCompile(`/desk/account/sessions/(\d+)/end`).FindStringSubmatch(acct.Body)
	if id == nil {
		t.Fatalf("no session to end:\n%.3000s", acct.Body)
	}
	wantRedirect(t, b.post("/desk/account/sessions/"+id[1]+"/end", url.Values{}), "/desk/account/")
	wantRedirect(t, c.get("/desk/stories/"), "/desk/login?next=%2Fdesk%2Fstories%2F")

	// An open session is no way to guess the password: wrong current
	// passwords are throttled as sign-ins are.
	for range loginPerAccount { // the right one above cleared the count
		wantStatus(t, b.post("/desk/account/password", url.Values{"current": {"a guess"}, "password": {"a new long password"}, "confirm": {"a new long password"}}), http.StatusUnprocessableEntity)
	}
	wantStatus(t, b.post("/desk/account/password", url.Values{"current": {"another guess"}, "password": {"x"}, "confirm": {"x"}}), http.StatusTooManyRequests)
}

// Admins reset passwords, disable (signing out at once), enable and delete
// accounts; never their own, nor the last admin.
func TestDesk_StaffManage(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	admin := d.addStaff("admin@example.org", "administrate this", content.RoleAdmin)
	ed := d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	a := d.browser(t)
	a.login("admin@example.org", "administrate this")
	e := d.browser(t)
	e.login("ed@example.org", "correct horse battery")
	edPage := fmt.Sprintf("/desk/staff/%d", ed.ID)

	page := a.get(edPage)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, "Reset the password", "Disable the account")

	wantRedirect(t, a.post(edPage+"/disable", url.Values{"disabled": {"on"}}), edPage)
	wantRedirect(t, e.get("/desk/stories/"), "/desk/login?next=%2Fdesk%2Fstories%2F")
	e.get("/desk/login")
	refused := e.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"correct horse battery"}})
	wantStatus(t, refused, http.StatusForbidden)
	wantContains(t, refused.Body, "This account is disabled.")
	wantRedirect(t, a.post(edPage+"/disable", url.Values{}), edPage)
	e.login("ed@example.org", "correct horse battery")

	reset := a.post(edPage+"/password", url.Values{})
	wantStatus(t, reset, http.StatusOK)
	pw := regexp.MustCompile(`<code class="secret">([^<]+)</code>`).FindStringSubmatch(reset.Body)
	if pw == nil {
		t.Fatalf("no new password shown:\n%.3000s", reset.Body)
	}
	wantRedirect(t, e.get("/desk/stories/"), "/desk/login?next=%2Fdesk%2Fstories%2F")
	e.login("ed@example.org", pw[1])

	self := fmt.Sprintf("/desk/staff/%d", admin.ID)
	wantStatus(t, a.post(self+"/disable", url.Values{"disabled": {"on"}}), http.StatusBadRequest)
	wantStatus(t, a.post(self+"/delete", url.Values{"confirm": {"on"}}), http.StatusBadRequest)

	wantStatus(t, a.post(edPage+"/delete", url.Values{}), http.StatusBadRequest)
	wantRedirect(t, a.post(edPage+"/delete", url.Values{"confirm": {"on"}}), "/desk/staff/")
	wantRedirect(t, e.get("/desk/stories/"), "/desk/login?next=%2Fdesk%2Fstories%2F")
	wantStatus(t, a.get(edPage), http.StatusNotFound)
	log := a.get("/desk/audit")
	wantContains(t, log.Body, "deleted the account <code>ed@example.org</code>", "reset the password of <code>ed@example.org</code>",
		"disabled the account <code>ed@example.org</code>", "ed</td><td>signed in")
}
