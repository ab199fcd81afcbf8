package federation

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"samizdat/content"
)

// TestReportRemote checks docs/federation.md#reports-outbound: a moderator's
// report goes out as a Flag from the instance actor to the author's own inbox,
// naming the author and the reply, queued and logged together.
func TestReportRemote(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	pub := d.deliver(t, "mastodon/reply-public", http.StatusAccepted)
	r := d.reply(t, objectID(pub))
	if r == nil {
		t.Fatal("no reply")
	}
	staff := &content.Staff{Email: "mod@example.org", DisplayName: "Mod", PasswordHash: "x", Roles: []content.Role{content.RoleModerator}}
	if err := d.store.CreateStaff(ctx, staff); err != nil {
		t.Fatal(err)
	}

	if err := d.fed.ReportRemote(ctx, staff.ID, r.ID, "  Threats against the author.  "); err != nil {
		t.Fatal(err)
	}
	var q queuedActivity
	err := d.store.Pool().QueryRow(ctx, `
		SELECT a.id, a.type, a.actor, a.body,
			coalesce((SELECT array_agg(d.inbox ORDER BY d.inbox) FROM deliveries d WHERE d.activity_id = a.id), '{}'),
			(SELECT count(*) FROM river_job j WHERE j.args->>'activity_id' = a.id)
		FROM activities a WHERE a.type = 'Flag'`).Scan(&q.id, &q.typ, &q.actor, &q.body, &q.inboxes, &q.jobs)
	if err != nil {
		t.Fatal(err)
	}
	if q.actor != instanceActor || !slices.Equal(q.inboxes, []string{d.p.alice() + "/inbox"}) || q.jobs != 1 {
		t.Errorf("Flag by %q to %v with %d jobs; want by the instance actor to alice's own inbox", q.actor, q.inboxes, q.jobs)
	}
	m := decode(t, q.body)
	obj, _ := m["object"].([]any)
	if m["type"] != "Flag" || m["actor"] != d.fed.iri.InstanceActor() || m["content"] != "Threats against the author." ||
		len(obj) != 2 || obj[0] != d.p.alice() || obj[1] != r.APID || !strings.HasPrefix(str(m["id"]), d.fed.iri.InstanceActor()+"#flags/") {
		t.Errorf("Flag %s", q.body)
	}
	if ctx, ok := m["@context"].([]any); !ok || ctx[0] != "https://www.w3.org/ns/activitystreams" {
		t.Errorf("Flag @context %v", m["@context"])
	}
	log, err := d.store.ModerationLog(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != "report" || log[0].Target != r.APID || log[0].StaffID != staff.ID || log[0].Reason != "Threats against the author." {
		t.Errorf("moderation log %+v", log)
	}

	var v *content.ValidationError
	if err := d.fed.ReportRemote(ctx, staff.ID, r.ID, strings.Repeat("x", maxReportComment+1)); !errors.As(err, &v) {
		t.Errorf("an overlong comment: %v, want a ValidationError", err)
	}
	if err := d.fed.ReportRemote(ctx, staff.ID, r.ID+1000, ""); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("an unknown reply: %v, want ErrNotFound", err)
	}
}

// TestInbox_FlagNotOurs drops reports about nothing of ours.
func TestInbox_FlagNotOurs(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	f := d.fixture(t, "mastodon/flag-story")
	f.Activity["object"] = []any{d.p.erin(), d.p.base + "/users/erin/statuses/1"}
	if w := d.p.send(d.env, d.p.instance(), f.Activity, sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("Flag: %d", w.Code)
	}
	if reports, err := d.store.Reports(t.Context(), ""); err != nil || len(reports) != 0 {
		t.Errorf("reports %v, %v; want none", reports, err)
	}
}

// TestInbox_EditReview checks the docs/federation.md#reply-edits decisions:
// under the reviewed policy, or when the new text matches a keyword rule, an
// edit sends a visible reply back to the queue; a hidden reply stays hidden
// whatever the edit.
func TestInbox_EditReview(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	if err := d.store.SetPolicy(ctx, 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	pub := d.deliver(t, "mastodon/reply-public", http.StatusAccepted)
	id := objectID(pub)
	if r := d.reply(t, id); r == nil || r.State != content.ReplyVisible {
		t.Fatalf("under the open policy: %+v", r)
	}
	edit := func(text, updated string) {
		t.Helper()
		f := d.fixture(t, "mastodon/update")
		obj := f.Activity["object"].(map[string]any)
		obj["content"], obj["contentMap"], obj["updated"] = text, map[string]any{"en": text}, updated
		if w := d.p.send(d.env, d.p.alice(), f.Activity, sendOpts{}); w.Code != http.StatusAccepted {
			t.Fatalf("Update: %d", w.Code)
		}
	}
	// A keyword in the edit.
	if _, err := d.store.AddKeywordRule(ctx, 0, "Traitors"); err != nil {
		t.Fatal(err)
	}
	edit("<p>you are all TRAITORS</p>", "2026-11-20T12:10:00Z")
	if r := d.reply(t, id); r.State != content.ReplyPending || r.HeldFor != "edit" {
		t.Errorf("after an edit matching a keyword: %s held for %q", r.State, r.HeldFor)
	}
	// A hidden reply stays hidden.
	r := d.reply(t, id)
	if _, err := d.store.SetReplyState(ctx, 0, []int64{r.ID}, content.ReplyHidden, "hostile"); err != nil {
		t.Fatal(err)
	}
	edit("<p>sorry, I take it back</p>", "2026-11-20T12:20:00Z")
	if r := d.reply(t, id); r.State != content.ReplyHidden || !strings.Contains(r.ContentHTML, "sorry") {
		t.Errorf("hidden reply after an edit: %s %q", r.State, r.ContentHTML)
	}
	// Under the reviewed policy every edit of a visible reply goes back.
	d.approve(t, r)
	if err := d.store.SetPolicy(ctx, 0, content.PolicyReviewed); err != nil {
		t.Fatal(err)
	}
	edit("<p>a typo fixed</p>", "2026-11-20T12:30:00Z")
	if r := d.reply(t, id); r.State != content.ReplyPending {
		t.Errorf("under the reviewed policy: %s", r.State)
	}
	// An older edit, arriving late, changes nothing.
	edit("<p>an old version</p>", "2026-11-20T12:25:00Z")
	if r := d.reply(t, id); !strings.Contains(r.ContentHTML, "a typo fixed") {
		t.Errorf("a late, older edit won: %q", r.ContentHTML)
	}
}
