package federation

import (
	"net/http"
	"testing"

	"samizdat/content"
)

// TestBackfill checks that replies between readers that never
// reached our inbox are found in the replies collections of visible
// replies, fetched from their own servers, and pass the same checks.
func TestBackfill(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	d.fed.bf.pace = 0
	if err := d.store.SetPolicy(ctx, 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	pub := d.deliver(t, "mastodon/reply-public", http.StatusAccepted)
	parent := d.reply(t, objectID(pub))
	if parent == nil || parent.State != content.ReplyVisible {
		t.Fatalf("parent %+v", parent)
	}
	coll := parent.APID + "/replies"
	base := d.p.base
	answer := func(id, author string, to any) map[string]any {
		return map[string]any{"id": id, "type": "Note", "attributedTo": author, "inReplyTo": parent.APID,
			"to": to, "content": "<p>an answer between readers</p>", "contentMap": map[string]any{"de": "<p>an answer between readers</p>"},
			"published": "2026-11-20T11:59:30Z"}
	}
	erinNote := answer(base+"/users/erin/statuses/01BACKFILLED", d.p.erin(), publicIRI)
	mikaNote := answer(base+"/notes/9xfollowers", d.p.mika(), []any{d.p.mika() + "/followers"})
	// Mastodon's shape: the first page holds the author's own answers,
	// next the others'.
	d.p.serveDoc(rel(base, coll), map[string]any{
		"id": coll, "type": "Collection",
		"first": map[string]any{"type": "CollectionPage", "partOf": coll, "items": []any{}, "next": coll + "?only_other_accounts=true&page=true"},
	})
	d.p.serveDoc(rel(base, coll)+"?only_other_accounts=true&page=true", map[string]any{
		"id": coll + "?only_other_accounts=true&page=true", "type": "CollectionPage", "partOf": coll,
		"items": []any{
			erinNote["id"],
			mikaNote["id"],
			parent.APID, // already held
			// An embedded object its server does not serve: never taken as listed.
			map[string]any{"id": base + "/users/erin/statuses/01NOTSERVED", "type": "Note", "attributedTo": d.p.erin(), "inReplyTo": parent.APID, "to": publicIRI, "content": "<p>forged</p>"},
		},
	})
	d.p.serveDoc(rel(base, str(erinNote["id"])), erinNote)
	d.p.serveDoc(rel(base, str(mikaNote["id"])), mikaNote)

	found, err := d.fed.Backfill(ctx)
	if err != nil || found != 1 {
		t.Fatalf("Backfill = %d, %v; want 1", found, err)
	}
	r := d.reply(t, str(erinNote["id"]))
	if r == nil || r.ParentID != parent.ID || r.Depth != 1 || r.StoryID != parent.StoryID || r.State != content.ReplyVisible || r.Lang != "de" {
		t.Fatalf("backfilled reply %+v", r)
	}
	for _, id := range []string{str(mikaNote["id"]), base + "/users/erin/statuses/01NOTSERVED"} {
		if d.reply(t, id) != nil {
			t.Errorf("%s was taken in", id)
		}
	}

	// alice's collection was read a moment ago: the next run leaves it, and
	// looks only below the reply it found (which has no collection).
	before := len(d.p.fetched())
	if found, err := d.fed.Backfill(ctx); err != nil || found != 0 {
		t.Errorf("second run = %d, %v", found, err)
	}
	if got := d.p.fetched()[before:]; len(got) != 1 || got[0] != rel(base, str(erinNote["id"])) {
		t.Errorf("the second run fetched %v, want only the new reply, for its collection", got)
	}

	// The budget ends a run: with one fetch allowed, only the collection is read.
	if _, err := d.store.Pool().Exec(ctx, `UPDATE replies SET replies_checked_at = NULL`); err != nil {
		t.Fatal(err)
	}
	d.p.serveDoc(rel(base, str(erinNote["id"])+"/replies"), map[string]any{"id": str(erinNote["id"]) + "/replies", "type": "Collection", "items": []any{base + "/users/erin/statuses/01DEEPER"}})
	d.fed.bf.fetches = 1
	before = len(d.p.fetched())
	if found, err := d.fed.Backfill(ctx); err != nil || found != 0 {
		t.Errorf("run with a budget of one = %d, %v", found, err)
	}
	if n := len(d.p.fetched()) - before; n != 1 {
		t.Errorf("a budget of one fetch made %d", n)
	}
}

// rel is the path of an IRI on the peer.
func rel(base, iri string) string { return iri[len(base):] }
