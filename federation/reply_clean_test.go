package federation

import (
	"net/http"
	"strings"
	"testing"

	"samizdat/content"
)

// TestInbox_EmptyReplyHeld checks that a reply cleaned down to nothing is
// held for review even where replies go live at once, that an edit that
// empties a visible reply sends it back to review, and that mentions keep
// only http(s) addresses.
func TestInbox_EmptyReplyHeld(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	if err := d.store.SetPolicy(t.Context(), 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	note := func(slug, html string) map[string]any {
		return map[string]any{"id": d.p.base + "/users/erin/statuses/" + slug, "type": "Note", "attributedTo": d.p.erin(),
			"inReplyTo": d.vars["{{article}}"], "to": publicIRI, "content": html, "published": "2026-11-20T11:00:00Z",
			"tag": []any{
				map[string]any{"type": "Mention", "href": "javascript:alert(1)", "name": "@x"},
				map[string]any{"type": "Mention", "href": d.p.alice(), "name": "@alice"},
			}}
	}
	send := func(typ string, obj map[string]any) {
		t.Helper()
		act := map[string]any{"id": str(obj["id"]) + "#" + typ + str(obj["updated"]), "type": typ, "actor": d.p.erin(), "object": obj}
		if w := d.p.send(d.env, d.p.erin(), act, sendOpts{}); w.Code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", typ, w.Code, w.Body)
		}
	}

	empty := note("empty", `<p> <img src="https://tracker.example/p.gif"><script>alert(1)</script></p><br>`)
	send("Create", empty)
	r := d.reply(t, str(empty["id"]))
	if r == nil || r.State != content.ReplyPending || r.HeldFor != "empty" {
		t.Fatalf("an empty reply under the open policy: %+v, want pending, held for empty", r)
	}

	full := note("full", `<p>Thank you for this story.</p>`)
	send("Create", full)
	r = d.reply(t, str(full["id"]))
	if r == nil || r.State != content.ReplyVisible {
		t.Fatalf("a reply with text under the open policy: %+v, want visible", r)
	}
	if len(r.Mentions) != 1 || r.Mentions[0].Href != d.p.alice() {
		t.Errorf("mentions %+v: want only the http(s) one", r.Mentions)
	}

	// The author edits it down to nothing: back to review.
	full["content"] = "<p><img src=x></p>"
	full["updated"] = "2026-11-20T12:00:00Z"
	send("Update", full)
	r = d.reply(t, str(full["id"]))
	if r.State != content.ReplyPending || strings.TrimSpace(content.PlainText(r.ContentHTML)) != "" {
		t.Errorf("after an edit that empties it: %+v, want pending", r)
	}
}
