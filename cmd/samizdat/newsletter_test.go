package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"samizdat/mail/smtptest"
)

func TestMain(m *testing.M) {
	// Every test SMTP server presents the same certificate; the program
	// trusts it as it would a real server's through the system's roots.
	smtpRoots = smtptest.RootCAs()
	os.Exit(m.Run())
}

// startMailServer starts the program with a test SMTP server as its relay.
func startMailServer(t *testing.T) (*testServer, *smtptest.Server) {
	t.Helper()
	mails := smtptest.New(t)
	srv := startServer(t, map[string]string{
		"SMTP_URL":  "smtp://" + smtptest.User + ":" + smtptest.Password + "@127.0.0.1:" + strconv.Itoa(mails.Port()),
		"MAIL_FROM": "Samizdat <news@samizdat.example>",
	})
	return srv, mails
}

// waitMails waits for the nth mail in all.
func waitMails(t *testing.T, s *smtptest.Server, n int) []smtptest.Mail {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ms, err := s.Wait(ctx, n)
	if err != nil {
		t.Fatalf("%d mails arrived, want %d", len(ms), n)
	}
	return ms
}

// unQP undoes quoted-printable in a whole raw mail, enough to find text
// and links in it.
func unQP(raw []byte) string {
	return strings.ReplaceAll(strings.ReplaceAll(string(raw), "=\r\n", ""), "=3D", "=")
}

func postForm(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestServe_NewsletterOptInPublishUnsubscribe is the newsletter end to end
// through the program: the form, the confirmation mail and its link, a
// story published in the desk reaching the subscriber's inbox with its
// unsubscribe headers, and the one-click unsubscribe deleting the address.
func TestServe_NewsletterOptInPublishUnsubscribe(t *testing.T) {
	t.Parallel()
	srv, mails := startMailServer(t)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")

	if body := getPage(t, srv.URL+"/en/newsletter"); !strings.Contains(body, `<form method="post" action="/en/newsletter"`) {
		t.Fatalf("no form on /en/newsletter:\n%s", body)
	}
	// A malformed address is refused on the form; a filled honeypot sends nothing.
	if resp, body := postForm(t, srv.URL+"/en/newsletter", url.Values{"address": {"reader at example"}, "langs": {"en"}}); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "does not look like an e-mail address") {
		t.Errorf("malformed address: %d", resp.StatusCode)
	}
	if resp, _ := postForm(t, srv.URL+"/en/newsletter", url.Values{"address": {"bot@example.org"}, "langs": {"en"}, "website": {"x"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("honeypot: %d", resp.StatusCode)
	}
	resp, _ := postForm(t, srv.URL+"/en/newsletter", url.Values{"address": {"Reader@Example.org"}, "langs": {"en", "ru"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/en/newsletter?sent=1" {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	confirm := waitMails(t, mails, 1)[0]
	if confirm.To[0] != "reader@example.org" {
		t.Errorf("confirmation to %v", confirm.To)
	}
	raw := unQP(confirm.Raw)
	link := regexp.MustCompile(regexp.QuoteMeta(srv.URL) + `/en/newsletter/confirm\?t=[A-Za-z0-9_-]+`).FindString(raw)
	if link == "" {
		t.Fatalf("no link in the confirmation:\n%s", raw)
	}
	// Asking again within the hour sends no second mail.
	postForm(t, srv.URL+"/en/newsletter", url.Values{"address": {"reader@example.org"}, "langs": {"en"}})

	// Following the link shows a button; only the button confirms.
	page := getPage(t, link)
	if !strings.Contains(page, `action="/en/newsletter/confirm"`) {
		t.Fatalf("confirmation page:\n%s", page)
	}
	u, _ := url.Parse(link)
	if resp, body := postForm(t, srv.URL+"/en/newsletter/confirm", url.Values{"t": {u.Query().Get("t")}}); resp.StatusCode != http.StatusOK || !strings.Contains(body, "You are subscribed") {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if resp, _ := postForm(t, srv.URL+"/en/newsletter/confirm", url.Values{"t": {u.Query().Get("t")}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a used link answered %d, want 404", resp.StatusCode)
	}

	// An editor publishes a story in English.
	desk := newDeskClient(t, srv.URL, "vera@example.org", "correct horse battery staple")
	storyURL := desk.post(t, "/desk/stories/", url.Values{
		"byline_kind": {"publication"}, "lang": {"en"},
		"title":  {"Letters across the border"},
		"teaser": {"Two families, one on each side, kept writing."},
		"body":   {"They wrote every week."},
	})
	desk.post(t, strings.TrimPrefix(storyURL, srv.URL)+"/state", url.Values{"action": {"publish"}})
	story := waitMails(t, mails, 2)[1]
	if got := story.Msg.Header.Get("Subject"); got != "Letters across the border" {
		t.Errorf("Subject %q", got)
	}
	if got := story.Msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	unsub := strings.Trim(story.Msg.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(unsub, srv.URL+"/en/newsletter/unsubscribe?") {
		t.Fatalf("List-Unsubscribe %q", unsub)
	}
	body := unQP(story.Raw)
	for _, want := range []string{"Content-Type: text/plain", "Content-Type: text/html", "Two families, one on each side, kept writing.", srv.URL + "/en/stories/"} {
		if !strings.Contains(body, want) {
			t.Errorf("story mail lacks %q", want)
		}
	}

	// The unsubscribe page shows a button; a forged link is refused; a
	// mail client's one-click POST deletes the address.
	if page := getPage(t, unsub); !strings.Contains(page, "Unsubscribe and delete my address") {
		t.Errorf("unsubscribe page:\n%s", page)
	}
	if resp, _ := postForm(t, strings.Replace(unsub, "t=", "t=x", 1), url.Values{"List-Unsubscribe": {"One-Click"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged unsubscribe answered %d, want 403", resp.StatusCode)
	}
	if resp, _ := postForm(t, unsub, url.Values{"List-Unsubscribe": {"One-Click"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe answered %d", resp.StatusCode)
	}
	st := openStore(t, srv.env["DATABASE_URL"])
	counts, err := st.SubscriberCounts(t.Context())
	if err != nil || len(counts) != 0 {
		t.Errorf("subscribers left: %v, %v", counts, err)
	}
	if page := getPage(t, unsub); !strings.Contains(page, "You are unsubscribed") {
		t.Errorf("the link after unsubscribing:\n%s", page)
	}
	if n := len(mails.Mails()); n != 2 {
		t.Errorf("%d mails in all, want 2", n)
	}
}

// TestServe_NewsletterClosed: without SMTP_URL the form says so.
func TestServe_NewsletterClosed(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	body := getPage(t, srv.URL+"/fr/newsletter")
	if !strings.Contains(body, "n’est pas encore ouverte") || strings.Contains(body, `name="address"`) {
		t.Errorf("closed newsletter page:\n%s", body)
	}
}

// TestServe_NewsletterMailLog: with MAIL_LOG and no SMTP_URL, as make run
// starts it, the confirmation mail is printed to the log with its link.
func TestServe_NewsletterMailLog(t *testing.T) {
	t.Parallel()
	srv := startServer(t, map[string]string{"MAIL_LOG": "true", "LOG_LEVEL": "info"})
	resp, _ := postForm(t, srv.URL+"/ru/newsletter", url.Values{"address": {"reader@example.org"}, "langs": {"ru"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("subscribe answered %d", resp.StatusCode)
	}
	if !regexp.MustCompile(`/ru/newsletter/confirm\?t=[A-Za-z0-9_-]+`).MatchString(srv.logs.String()) {
		t.Errorf("no confirmation link in the log:\n%s", srv.logs)
	}
}
