package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// TestBrowser_TOTP: an editor sets up two-factor sign-in in a real browser,
// from a QR code the desk draws itself (no other host is contacted), keeps
// the recovery codes it shows once, signs out, and signs in again with a
// code from the app; without a code she is refused.
func TestBrowser_TOTP(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")

	ctx, traffic := newBrowser(t)
	step, text := browserSteps(t, ctx, srv.logs)
	location := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	signIn := func(code string) {
		t.Helper()
		fill := []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(srv.URL + "/desk/login"),
			chromedp.SetValue(chromedp.CSS("#email"), "vera@example.org"),
			chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery staple"),
		}
		if code != "" {
			fill = append(fill, chromedp.SetValue(chromedp.CSS("#code"), code))
		}
		// The old page is marked, so that waiting ends on the new one.
		step("sign in", append(fill,
			script(`document.body.dataset.old = "1"`),
			chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) main h1")),
		)...)
	}

	signIn("")
	if strings.Contains(location(), "/login") {
		t.Fatalf("not signed in: %s", text("main"))
	}
	traffic.reset()
	step("set up two-factor sign-in",
		chromedp.Navigate(srv.URL+"/desk/account/totp"),
		chromedp.WaitVisible(chromedp.CSS("#totp-secret")),
	)
	// The QR code is an image the desk served, and the browser could draw it.
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(async () => {
		const img = document.querySelector('main img');
		if (!img.complete) await new Promise(ok => img.addEventListener('load', ok));
		return img.naturalWidth;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || width < 100 {
		t.Fatalf("QR code width %v, %v", width, err)
	}
	if foreign := traffic.foreignRequests(srv.URL); len(foreign) > 0 {
		t.Errorf("the enrolment page contacted other hosts: %v", foreign)
	}
	secret := strings.TrimSpace(text("#totp-secret"))
	now := time.Now()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	step("confirm with a code",
		chromedp.SetValue(chromedp.CSS("#code"), code),
		script(`document.body.dataset.old = "1"`),
		chromedp.Click(chromedp.CSS(`main form button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(".recovery-codes")),
	)
	codes, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelectorAll('.recovery-codes li').length`))
	if err != nil || codes != 10 {
		t.Errorf("%v recovery codes shown, %v; want 10", codes, err)
	}

	step("sign out", script(`document.body.dataset.old = "1"`), chromedp.Click(chromedp.CSS("form.desk-signout button")),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) #password")))
	signIn("")
	if !strings.Contains(location(), "/login") || !strings.Contains(text("main"), "not right") {
		t.Fatalf("signed in without a code: %s", location())
	}
	// The confirming code is spent: the app's next one.
	next, err := totp.GenerateCode(secret, now.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	signIn(next)
	if loc := location(); strings.Contains(loc, "/login") {
		t.Fatalf("with a code, still on %s: %s", loc, text("main"))
	}
	step("account page", chromedp.Navigate(srv.URL+"/desk/account/"), chromedp.WaitVisible(chromedp.CSS("#totp-heading")))
	if got := text("#totp-heading + p"); !strings.HasPrefix(got, "On.") {
		t.Errorf("account page says %q; want two-factor sign-in on", got)
	}
}
