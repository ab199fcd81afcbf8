package federation

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"samizdat/content"
)

// TestInbox_FloodLimits: under the open policy, an account's replies beyond
// its hourly limit are held ("flood"); with the surge switch on, a reply
// from an account never heard from before is held ("surge") while a known
// one goes live.
func TestInbox_FloodLimits(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	if err := d.store.SetPolicy(ctx, 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	if err := d.store.SetFloodLimits(ctx, content.FloodLimits{ActorPerHour: 3, InstancePerHour: 100}); err != nil {
		t.Fatal(err)
	}
	send := func(actor string, n int) *content.Reply {
		t.Helper()
		id := fmt.Sprintf("%s/statuses/flood-%d", actor, n)
		obj := map[string]any{"id": id, "type": "Note", "attributedTo": actor, "inReplyTo": d.vars["{{article}}"],
			"to": publicIRI, "content": fmt.Sprintf("<p>Reply number %d.</p>", n), "published": "2026-11-20T11:00:00Z"}
		act := map[string]any{"id": id + "/activity", "type": "Create", "actor": actor, "object": obj}
		if w := d.p.send(d.env, actor, act, sendOpts{}); w.Code != http.StatusAccepted {
			t.Fatalf("reply %d: %d %s", n, w.Code, w.Body)
		}
		return d.reply(t, id)
	}
	for n := range 5 {
		r := send(d.p.erin(), n)
		want, why := content.ReplyVisible, ""
		if n >= 3 {
			want, why = content.ReplyPending, "flood"
		}
		if r == nil || r.State != want || r.HeldFor != why {
			t.Fatalf("reply %d: %+v; want %s %q", n, r, want, why)
		}
	}

	if err := d.store.SetSurge(ctx, true); err != nil {
		t.Fatal(err)
	}
	if r := send(d.p.alice(), 0); r == nil || r.State != content.ReplyPending || r.HeldFor != "surge" {
		t.Errorf("a new account during a surge: %+v; want held for the surge", r)
	}
	if err := d.store.SetFloodLimits(ctx, content.FloodLimits{ActorPerHour: 100, InstancePerHour: 100}); err != nil {
		t.Fatal(err)
	}
	if r := send(d.p.erin(), 9); r == nil || r.State != content.ReplyVisible {
		t.Errorf("a known account during a surge: %+v; want visible", r)
	}
}

func TestFloodMeter(t *testing.T) {
	m := newFloodMeter()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if m.over("a", 3, now) {
			t.Fatalf("reply %d of 3 counted over the limit", i+1)
		}
	}
	if !m.over("a", 3, now) || m.over("b", 3, now) {
		t.Error("the fourth reply of a is not over, or b is")
	}
	// An hour's allowance refills over the hour: one more after 20 minutes.
	now = now.Add(20 * time.Minute)
	if m.over("a", 3, now) || !m.over("a", 3, now) {
		t.Error("after 20 minutes, a is not allowed exactly one more")
	}
	if m.over("a", 10, now) {
		t.Error("a raised limit does not start afresh")
	}
}
