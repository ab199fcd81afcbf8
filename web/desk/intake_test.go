package desk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

func TestDesk_VolunteersArchiveDeleteRetention(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("mod@example.org", "correct horse battery", content.RoleModerator)
	v := &content.Volunteer{Lang: "ru", Roles: []string{"translator"}, LangPairs: "ru → en", Message: "Перевожу с русского.", Contact: "@olena@example.social"}
	if err := d.store.CreateVolunteer(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	sub := &content.Submission{Lang: "en", Story: "A story long enough to be kept by the form."}
	if err := d.store.CreateSubmission(t.Context(), sub); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.login("mod@example.org", "correct horse battery")

	list := b.get("/desk/volunteers")
	wantStatus(t, list, http.StatusOK)
	wantContains(t, list.Body, "translating", "@olena@example.social", `value="180"`, "unread")
	one := b.get(fmt.Sprintf("/desk/volunteers/%d", v.ID))
	wantStatus(t, one, http.StatusOK)
	wantContains(t, one.Body, "Перевожу с русского.", "ru → en", `value="archive"`)

	wantRedirect(t, b.post(fmt.Sprintf("/desk/volunteers/%d", v.ID), url.Values{"action": {"archive"}}), "/desk/volunteers")
	if vs, _ := d.store.Volunteers(t.Context(), true, 10, 0); len(vs) != 1 {
		t.Errorf("archived offers: %d, want 1", len(vs))
	}
	wantContains(t, b.get("/desk/volunteers?archived=1").Body, "@olena@example.social")
	wantRedirect(t, b.post(fmt.Sprintf("/desk/volunteers/%d", v.ID), url.Values{"action": {"delete"}}), "/desk/volunteers")
	if _, err := d.store.Volunteer(t.Context(), v.ID); err == nil {
		t.Error("the deleted offer is still there")
	}
	wantStatus(t, b.post(fmt.Sprintf("/desk/volunteers/%d", v.ID), url.Values{"action": {"delete"}}), http.StatusNotFound)

	wantRedirect(t, b.post(fmt.Sprintf("/desk/submissions/%d", sub.ID), url.Values{"action": {"archive"}}), "/desk/submissions")
	wantContains(t, b.get("/desk/submissions?archived=1").Body, fmt.Sprintf("/desk/submissions/%d", sub.ID))
	wantStatus(t, b.post(fmt.Sprintf("/desk/submissions/%d", sub.ID), url.Values{"action": {"burn"}}), http.StatusBadRequest)

	wantStatus(t, b.post("/desk/retention", url.Values{"retention_days": {"0"}}), http.StatusBadRequest)
	wantRedirect(t, b.post("/desk/retention", url.Values{"retention_days": {"30"}}), "/desk/volunteers")
	if days, _ := d.store.RetentionDays(t.Context()); days != 30 {
		t.Errorf("retention %d days, want 30", days)
	}
	log, err := d.store.AuditLog(t.Context(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) < 4 {
		t.Errorf("%d actions logged, want 4", len(log))
	}
}

func TestDesk_NewsletterSendIssue(t *testing.T) {
	t.Parallel()
	type call struct {
		staffID          int64
		lang, subj, intr string
		ids              []int64
	}
	var calls []call
	cfg := testConfig(t, "Samizdat")
	cfg.SendIssue = func(_ context.Context, staffID int64, lang, subject, intro string, ids []int64) (int64, error) {
		calls = append(calls, call{staffID, lang, subject, intro, ids})
		return 7, nil
	}
	d := startDeskSite(t, storetest.New(t), cfg)
	ed := d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	_, tr := d.addDraft("en", "The bakery")
	if _, err := d.store.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	page := b.get("/desk/newsletter/")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, "English: 0", fmt.Sprintf(`id="story-%d"`, tr.ID), "The bakery")

	wantStatus(t, b.post("/desk/newsletter/", url.Values{"lang": {"en"}, "subject": {""}}), http.StatusBadRequest)
	wantRedirect(t, b.post("/desk/newsletter/", url.Values{"lang": {"en"}, "subject": {"This week"}, "intro": {"Hello."},
		"stories": {fmt.Sprint(tr.ID)}}), "/desk/newsletter/")
	if len(calls) != 1 || calls[0].staffID != ed.ID || calls[0].lang != "en" || calls[0].subj != "This week" || len(calls[0].ids) != 1 || calls[0].ids[0] != tr.ID {
		t.Errorf("SendIssue calls %+v", calls)
	}
	wantContains(t, b.get("/desk/newsletter/").Body, "Issue 7 is on its way")
}

func TestDesk_Questions(t *testing.T) {
	t.Parallel()
	var answered []string
	cfg := testConfig(t, "Samizdat")
	st := storetest.New(t)
	cfg.AnswerQuestion = func(ctx context.Context, staffID, id int64, md string) error {
		answered = append(answered, md)
		_, err := st.AnswerQuestion(ctx, staffID, id, md, "<p>"+md+"</p>", nil)
		return err
	}
	d := startDeskSite(t, st, cfg)
	ed := d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	q := &content.Question{Lang: "en", Source: content.QuestionFromFediverse, APID: "https://example.social/notes/1",
		Asker: "https://example.social/users/anna", AskerHandle: "@anna@example.social", BodyHTML: "<p>Who writes the stories?</p>", HeldFor: "keyword"}
	if _, err := st.CreateQuestion(t.Context(), q, nil); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	list := b.get("/desk/questions/")
	wantStatus(t, list, http.StatusOK)
	wantContains(t, list.Body, "Who writes the stories?", "@anna@example.social", "matches a keyword rule", `value="approve"`)

	wantRedirect(t, b.post(fmt.Sprintf("/desk/questions/%d", q.ID), url.Values{"action": {"assign"}, "assign_to": {fmt.Sprint(ed.ID)}}), "/desk/questions")
	wantRedirect(t, b.post(fmt.Sprintf("/desk/questions/%d", q.ID), url.Values{"action": {"approve"}, "assign_to": {fmt.Sprint(ed.ID)}}), "/desk/questions")
	got, _ := st.Question(t.Context(), q.ID)
	if got.State != content.QuestionApproved || got.AssignedTo != ed.ID {
		t.Errorf("after approving: %s, assigned to %d", got.State, got.AssignedTo)
	}
	wantStatus(t, b.post(fmt.Sprintf("/desk/questions/%d", q.ID), url.Values{"action": {"answer"}, "answer": {""}}), http.StatusBadRequest)
	wantRedirect(t, b.post(fmt.Sprintf("/desk/questions/%d", q.ID), url.Values{"action": {"answer"}, "answer": {"Our readers do."}}), "/desk/questions")
	if got, _ := st.Question(t.Context(), q.ID); got.State != content.QuestionAnswered || len(answered) != 1 {
		t.Errorf("after answering: %s, %v", got.State, answered)
	}
	wantContains(t, b.get("/desk/questions/?show=answered").Body, "Our readers do.")
	log, _ := st.AuditLog(t.Context(), store.AuditFilter{StaffID: ed.ID, Actions: []string{"question.pending", "question.approved", "question.answer"}})
	if len(log) != 3 {
		t.Errorf("%d actions logged, want 3 (assign, approve, answer)", len(log))
	}
}

func TestDesk_SummaryChoice(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "Samizdat")
	cfg.SummariesOpen = true
	st := storetest.New(t)
	d := startDeskSite(t, st, cfg)
	m := d.addStaff("mod@example.org", "correct horse battery", content.RoleModerator)
	b := d.browser(t)
	b.login("mod@example.org", "correct horse battery")
	page := b.get("/desk/account/")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, `action="/desk/account/summary"`, `id="summary" name="summary" value="on">`)
	wantRedirect(t, b.post("/desk/account/summary", url.Values{"summary": {"on"}}), "/desk/account/")
	if on, _ := st.StaffSummaryOn(t.Context(), m.ID); !on {
		t.Error("summaries not turned on")
	}
	wantContains(t, b.get("/desk/account/").Body, `value="on" checked>`)
	wantRedirect(t, b.post("/desk/account/summary", url.Values{}), "/desk/account/")
	if on, _ := st.StaffSummaryOn(t.Context(), m.ID); on {
		t.Error("summaries not turned off")
	}
}
