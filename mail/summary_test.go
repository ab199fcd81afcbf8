package mail

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store/storetest"
	"samizdat/mail/smtptest"
)

// TestNewsletter_StaffSummaries mails a summary to the members who chose
// it, only when something is new, and at most once an hour.
func TestNewsletter_StaffSummaries(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	st := storetest.New(t).WithClock(func() time.Time { return now })
	srv := smtptest.New(t)
	base, _ := url.Parse("https://samizdat.example")
	n, err := New(Config{BaseURL: base, PublicationName: "Samizdat", Sender: NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.Port(),
		Username: smtptest.User, Password: smtptest.Password, TLSConfig: srv.ClientTLS, From: "desk@samizdat.example"})}, st)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	staff := func(email string) *content.Staff {
		m := &content.Staff{Email: email, DisplayName: strings.Split(email, "@")[0], PasswordHash: "x", Roles: []content.Role{content.RoleEditor}}
		if err := st.CreateStaff(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	vera, _ := staff("vera@example.org"), staff("ivan@example.org")
	if err := st.SetStaffSummary(ctx, vera.ID, true); err != nil {
		t.Fatal(err)
	}
	if sent, err := n.SendSummaries(ctx); err != nil || sent != 0 {
		t.Fatalf("nothing new: sent %d, %v", sent, err)
	}
	if err := st.CreateSubmission(ctx, &content.Submission{Lang: "en", Story: "A story long enough for the form."}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateVolunteer(ctx, &content.Volunteer{Lang: "fr", Roles: []string{"writer"}, Message: "J'écris des nouvelles.", Contact: "a@example.org"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateQuestion(ctx, &content.Question{Lang: "en", Source: content.QuestionFromFediverse, APID: "https://x.example/1",
		Asker: "https://x.example/u/a", AskerHandle: "@a@x.example", BodyHTML: "<p>Why?</p>"}, nil); err != nil {
		t.Fatal(err)
	}
	if sent, err := n.SendSummaries(ctx); err != nil || sent != 1 {
		t.Fatalf("sent %d, %v; want one summary", sent, err)
	}
	ms := srv.Mails()
	if len(ms) != 1 || ms[0].To[0] != "vera@example.org" || ms[0].Msg.Header.Get("Subject") != "Samizdat: 3 new in the desk" {
		t.Fatalf("mails %+v", ms)
	}
	text := partsOf(t, ms[0])["text/plain"]
	for _, want := range []string{"1 new story sent", "1 new offer to join the team", "1 new question awaiting the editors", "https://samizdat.example/desk/account/"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	// More arrives within the hour: it waits for the next summary.
	now = now.Add(30 * time.Minute)
	if err := st.CreateSubmission(ctx, &content.Submission{Lang: "en", Story: "Another story long enough for the form."}); err != nil {
		t.Fatal(err)
	}
	if sent, _ := n.SendSummaries(ctx); sent != 0 {
		t.Errorf("a second summary within the hour")
	}
	now = now.Add(31 * time.Minute)
	if sent, _ := n.SendSummaries(ctx); sent != 1 {
		t.Errorf("no summary after the hour")
	}
	if ms := srv.Mails(); len(ms) != 2 || !strings.Contains(partsOf(t, ms[1])["text/plain"], "1 new story sent") || ms[1].Msg.Header.Get("Subject") != "Samizdat: 1 new in the desk" {
		t.Errorf("the second summary: %d mails", len(ms))
	}
}
