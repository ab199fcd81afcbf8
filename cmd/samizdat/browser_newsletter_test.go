package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_NewsletterOptIn follows the newsletter's double opt-in as a
// reader in a real browser: the form from the footer, the confirmation
// link read from the test's SMTP server, the button that confirms; and no
// cookie nor request to another host on the way.
func TestBrowser_NewsletterOptIn(t *testing.T) {
	t.Parallel()
	srv, mails := startMailServer(t)
	ctx, seen := newBrowser(t)
	step, rawText := browserSteps(t, ctx, srv.logs)
	text := func(sel string) string { t.Helper(); return strings.TrimSpace(rawText(sel)) }

	step("open the French section and follow the footer link",
		chromedp.Navigate(srv.URL+"/fr/"),
		chromedp.Click(chromedp.CSS(`footer a[href="/fr/newsletter"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/fr/newsletter"]`)),
	)
	// A typo is refused on the form, and what was typed stays.
	step("send a malformed address",
		chromedp.SetValue(chromedp.CSS("#address"), "lecteur.example.org"),
		chromedp.Click(chromedp.CSS(`form[action="/fr/newsletter"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".form-error")),
	)
	if got := text("#address-error"); !strings.Contains(got, "adresse e-mail") {
		t.Errorf("address error %q", got)
	}
	step("subscribe in French and English",
		chromedp.SetValue(chromedp.CSS("#address"), "lecteur@example.org"),
		chromedp.Click(chromedp.CSS("#lang-en")),
		chromedp.Click(chromedp.CSS(`form[action="/fr/newsletter"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p[role="status"]`)),
	)
	if got := text("h1"); got != "Consultez votre messagerie" {
		t.Errorf("after subscribing: %q", got)
	}
	m := waitMails(t, mails, 1)[0]
	link := regexp.MustCompile(regexp.QuoteMeta(srv.URL) + `/fr/newsletter/confirm\?t=[A-Za-z0-9_-]+`).FindString(unQP(m.Raw))
	if link == "" {
		t.Fatalf("no link in the confirmation mail:\n%s", m.Raw)
	}
	step("follow the link and confirm",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/fr/newsletter/confirm"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/fr/newsletter/confirm"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p[role="status"]`)),
	)
	if got := text("h1"); got != "Vous êtes abonné·e" {
		t.Errorf("after confirming: %q", got)
	}
	st := openStore(t, srv.env["DATABASE_URL"])
	counts, err := st.SubscriberCounts(t.Context())
	if err != nil || counts["fr"] != 1 || counts["en"] != 1 || counts["ru"] != 0 {
		t.Errorf("subscribers %v, %v; want one in French and English", counts, err)
	}
	if foreign := seen.foreignRequests(srv.URL); len(foreign) > 0 {
		t.Errorf("the pages made requests to other hosts: %v", foreign)
	}
	if len(seen.setCookie) > 0 {
		t.Errorf("the newsletter's pages set cookies: %v", seen.setCookie)
	}
}
