package mail

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
	"samizdat/mail/smtptest"
)

type fixture struct {
	st   *store.Store
	smtp *smtptest.Server
	n    *Newsletter
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := storetest.New(t)
	srv := smtptest.New(t)
	sender := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.Port(), Username: smtptest.User, Password: smtptest.Password,
		TLSConfig: srv.ClientTLS, From: "Samizdat <news@samizdat.example>", Timeout: 10 * time.Second})
	base, _ := url.Parse("https://samizdat.example")
	n, err := New(Config{BaseURL: base, PublicationName: "Samizdat", Sender: sender,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}, st)
	if err != nil {
		t.Fatal(err)
	}
	st.OnChange(n.Hook)
	return &fixture{st: st, smtp: srv, n: n}
}

type fixedRetry time.Duration

func (f fixedRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Duration(f)) }

// start runs a River client with the newsletter's workers until the
// returned function stops it, cancelling the jobs in flight as a crash
// would.
func (f *fixture) start(t *testing.T) (kill func()) {
	t.Helper()
	w := river.NewWorkers()
	if err := f.n.AddWorkers(w); err != nil {
		t.Fatal(err)
	}
	rc, err := river.NewClient(riverpgxv5.New(f.st.Pool()), &river.Config{
		Queues: map[string]river.QueueConfig{Queue: {MaxWorkers: 8}}, PeriodicJobs: f.n.PeriodicJobs(), Workers: w, RetryPolicy: fixedRetry(50 * time.Millisecond), MaxAttempts: 5,
		FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
		// A job left running by a killed client is taken up again soon.
		JobTimeout: 3 * time.Second, RescueStuckJobsAfter: 4 * time.Second,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			rc.StopAndCancel(ctx) //nolint:errcheck // a job stuck in SMTP outlives it, as in a crash
		})
	}
	t.Cleanup(kill)
	return kill
}

var linkRE = regexp.MustCompile(`https://samizdat\.example/en/newsletter/confirm\?t=[A-Za-z0-9_-]+`)

// subscribe subscribes address and, if confirm, follows the link of the
// confirmation mail, which must be the next mail.
func (f *fixture) subscribe(t *testing.T, address string, langs []string, confirm bool) {
	t.Helper()
	before := len(f.smtp.Mails())
	if err := f.n.Subscribe(t.Context(), address, langs, "en"); err != nil {
		t.Fatal(err)
	}
	ms := f.wait(t, before+1)
	m := ms[len(ms)-1]
	if m.To[0] != strings.ToLower(address) {
		t.Fatalf("confirmation went to %v, want %s", m.To, address)
	}
	link := linkRE.FindString(textPart(t, m))
	if link == "" {
		t.Fatalf("no confirmation link in %q", textPart(t, m))
	}
	if confirm {
		u, _ := url.Parse(link)
		if _, err := f.st.ConfirmSubscriber(t.Context(), content.HashToken(u.Query().Get("t"))); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) wait(t *testing.T, n int) []smtptest.Mail {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	ms, err := f.smtp.Wait(ctx, n)
	if err != nil {
		t.Fatalf("%d mails arrived, want %d", len(ms), n)
	}
	return ms
}

// publish creates and publishes a story in lang.
func (f *fixture) publish(t *testing.T, lang, title string) *content.Translation {
	t.Helper()
	tr := &content.Translation{Lang: lang, Title: title, Teaser: "The teaser of " + title + ".", BodyMarkdown: "Hello."}
	if err := f.st.CreateStoryWithTranslation(t.Context(), &content.Story{BylineKind: content.BylinePublication}, tr); err != nil {
		t.Fatal(err)
	}
	tr, err := f.st.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// parts returns a mail's parts by media type.
func parts(t *testing.T, m smtptest.Mail) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(m.Msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", m.Msg.Header.Get("Content-Type"))
	}
	msg := m.Msg
	body, _ := io.ReadAll(msg.Body)
	r := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	out := map[string]string{}
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable itself
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = string(b)
	}
	return out
}

func textPart(t *testing.T, m smtptest.Mail) string {
	t.Helper()
	return partsOf(t, m)["text/plain"]
}

// partsOf parses m afresh, since a parsed message's body reads once.
func partsOf(t *testing.T, m smtptest.Mail) map[string]string {
	t.Helper()
	c := m
	c.Msg = reparse(t, m.Raw)
	return parts(t, c)
}

func TestNewsletter_PublishMailsConfirmedSubscribers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.start(t)
	f.subscribe(t, "Anna@Example.org", []string{"en", "fr"}, true)
	f.subscribe(t, "boris@example.org", []string{"fr"}, true)
	f.subscribe(t, "carla@example.org", []string{"en"}, false) // never confirmed
	confirmations := len(f.smtp.Mails())

	// A second request within the hour sends nothing and changes nothing.
	if err := f.n.Subscribe(t.Context(), "carla@example.org", []string{"en"}, "en"); err != nil {
		t.Fatal(err)
	}

	tr := f.publish(t, "en", "The bakery")
	ms := f.wait(t, confirmations+1)
	m := ms[confirmations]
	if got := m.To; len(got) != 1 || got[0] != "anna@example.org" {
		t.Fatalf("story mailed to %v, want anna only", got)
	}
	if got := m.Msg.Header.Get("Subject"); got != "The bakery" {
		t.Errorf("Subject %q", got)
	}
	unsub := m.Msg.Header.Get("List-Unsubscribe")
	if !regexp.MustCompile(`^<https://samizdat\.example/en/newsletter/unsubscribe\?s=\d+&t=[A-Za-z0-9_-]+>$`).MatchString(unsub) {
		t.Errorf("List-Unsubscribe %q", unsub)
	}
	if got := m.Msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	p := partsOf(t, m)
	link := "https://samizdat.example/en/stories/" + tr.Slug
	for _, ct := range []string{"text/plain", "text/html"} {
		for _, want := range []string{"The bakery", "The teaser of The bakery.", link, strings.Trim(unsub, "<>")} {
			if ct == "text/html" {
				want = strings.ReplaceAll(want, "&", "&amp;")
			}
			if !strings.Contains(p[ct], want) {
				t.Errorf("%s part lacks %q:\n%s", ct, want, p[ct])
			}
		}
	}
	if strings.Contains(p["text/html"], "<img") {
		t.Error("HTML part has an image")
	}

	// Published again after a withdrawal: no second mail.
	if _, err := f.st.SetTranslationState(t.Context(), tr.ID, content.StateWithdrawn, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); err != nil {
		t.Fatal(err)
	}
	f.publish(t, "fr", "La boulangerie")
	ms = f.wait(t, confirmations+3)
	if len(ms) != confirmations+3 {
		t.Errorf("%d mails, want %d", len(ms), confirmations+3)
	}
	for _, m := range ms[confirmations+1:] {
		if m.Msg.Header.Get("Subject") != "La boulangerie" {
			t.Errorf("mail %q to %v after the French story", m.Msg.Header.Get("Subject"), m.To)
		}
	}
	issues, err := f.st.NewsletterIssues(t.Context(), 10)
	if err != nil || len(issues) != 2 {
		t.Fatalf("issues %v, %v", issues, err)
	}
	waitCounts(t, f.st, issues[1].ID, 1, 0)
}

// waitCounts waits until an issue's counts are recorded.
func waitCounts(t *testing.T, st *store.Store, id int64, sent, failed int) {
	t.Helper()
	for i := 0; ; i++ {
		is, err := st.NewsletterIssue(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if is.Sent == sent && is.Failed == failed && is.Queued == 0 {
			return
		}
		if i == 400 {
			t.Fatalf("issue %d: sent %d failed %d queued %d, want %d %d 0", id, is.Sent, is.Failed, is.Queued, sent, failed)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNewsletter_Crash stops the workers in the middle of an issue, as a
// crash would, and starts new ones: every subscriber gets the mail, once.
func TestNewsletter_Crash(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	addrs := []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org"}
	kill := f.start(t)
	for _, a := range addrs {
		f.subscribe(t, a, []string{"en"}, true)
	}
	base := len(f.smtp.Mails())

	// The server holds the first story mail until the workers are gone.
	held := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	f.smtp.Before = func(ctx context.Context, to []string) error {
		first := false
		once.Do(func() { first = true })
		if first {
			close(held)
			<-release
			return &smtp.SMTPError{Code: 421, Message: "closing"}
		}
		return nil
	}
	is := f.publish(t, "en", "The crash")
	<-held
	kill()
	close(release)
	f.start(t)
	ms := f.wait(t, base+len(addrs))
	seen := map[string]int{}
	for _, m := range ms[base:] {
		seen[m.To[0]]++
	}
	for _, a := range addrs {
		if seen[a] != 1 {
			t.Errorf("%s got %d mails, want 1", a, seen[a])
		}
	}
	issues, _ := f.st.NewsletterIssues(t.Context(), 1)
	if len(issues) != 1 || issues[0].TranslationID != is.ID {
		t.Fatalf("issues %v", issues)
	}
	waitCounts(t, f.st, issues[0].ID, len(addrs), 0)
}

// TestNewsletter_SMTPFailures retries a 4xx answer and counts a 5xx as failed.
func TestNewsletter_SMTPFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.start(t)
	f.subscribe(t, "busy@example.org", []string{"en"}, true)
	f.subscribe(t, "gone@example.org", []string{"en"}, true)
	base := len(f.smtp.Mails())
	var mu sync.Mutex
	tries := map[string]int{}
	f.smtp.Before = func(_ context.Context, to []string) error {
		mu.Lock()
		defer mu.Unlock()
		tries[to[0]]++
		switch {
		case to[0] == "gone@example.org":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		case tries[to[0]] < 3:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}
		return nil
	}
	f.publish(t, "en", "Retried")
	ms := f.wait(t, base+1)
	if ms[base].To[0] != "busy@example.org" {
		t.Errorf("mail to %v", ms[base].To)
	}
	issues, _ := f.st.NewsletterIssues(t.Context(), 1)
	waitCounts(t, f.st, issues[0].ID, 1, 1)
	mu.Lock()
	defer mu.Unlock()
	if tries["busy@example.org"] != 3 || tries["gone@example.org"] != 1 {
		t.Errorf("tries %v, want busy 3 and gone 1", tries)
	}
}

func TestNewsletter_SubscribeRefusesMalformed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, a := range []string{"", "not an address", "Anna <anna@example.org>", "anna@localhost", "a@b@example.org"} {
		var ve *content.ValidationError
		if err := f.n.Subscribe(t.Context(), a, []string{"en"}, "en"); !errors.As(err, &ve) {
			t.Errorf("Subscribe(%q) = %v, want a ValidationError", a, err)
		}
	}
	if n := len(f.smtp.Mails()); n != 0 {
		t.Errorf("%d mails sent", n)
	}
}

func reparse(t *testing.T, raw []byte) *netmail.Message {
	t.Helper()
	m, err := netmail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestNewsletter_SendIssue sends an editors' digest with an introduction.
func TestNewsletter_SendIssue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.start(t)
	f.subscribe(t, "anna@example.org", []string{"en"}, true)
	a := f.publish(t, "en", "First story")
	b := f.publish(t, "en", "Second story")
	base := len(f.wait(t, 3))
	id, err := f.n.SendIssue(t.Context(), 0, "en", "This month", "Dear readers,\n\ntwo stories this month.", []int64{b.ID, a.ID})
	if err != nil {
		t.Fatal(err)
	}
	m := f.wait(t, base+1)[base]
	if got := m.Msg.Header.Get("Subject"); got != "This month" {
		t.Errorf("Subject %q", got)
	}
	p := partsOf(t, m)
	text := strings.ReplaceAll(p["text/plain"], "\r\n", "\n")
	if i, j := strings.Index(text, "Second story"), strings.Index(text, "First story"); !strings.HasPrefix(text, "Dear readers,\n\ntwo stories this month.") || i < 0 || j < i {
		t.Errorf("text part:\n%s", text)
	}
	if !strings.Contains(p["text/html"], "<p>Dear readers,</p>") {
		t.Errorf("HTML part:\n%s", p["text/html"])
	}
	waitCounts(t, f.st, id, 1, 0)
	log, err := f.st.AuditLog(t.Context(), store.AuditFilter{Actions: []string{"newsletter.send"}})
	if err != nil || len(log) != 1 {
		t.Errorf("audit log %v, %v", log, err)
	}
}

// TestSMTP_ImplicitTLS sends through an smtps:// server.
func TestSMTP_ImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := smtptest.NewImplicitTLS(t)
	s := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.Port(), ImplicitTLS: true, Username: smtptest.User, Password: smtptest.Password,
		TLSConfig: srv.ClientTLS, From: "news@samizdat.example", Timeout: 10 * time.Second})
	if err := s.Send(t.Context(), &Message{To: "anna@example.org", Subject: "Hello", Text: "Hello.", HTML: "<p>Hello.</p>"}); err != nil {
		t.Fatal(err)
	}
	if ms := srv.Mails(); len(ms) != 1 || ms[0].To[0] != "anna@example.org" {
		t.Errorf("mails %+v", ms)
	}
	// Wrong credentials send nothing.
	bad := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.Port(), ImplicitTLS: true, Username: "x", Password: "y",
		TLSConfig: srv.ClientTLS, From: "news@samizdat.example", Timeout: 10 * time.Second})
	if err := bad.Send(t.Context(), &Message{To: "anna@example.org", Subject: "Hello", Text: "Hello."}); err == nil {
		t.Error("sent with wrong credentials")
	}
}
