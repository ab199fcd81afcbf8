package federation

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"samizdat/content"
)

// The bounds of taking replies in: the walk up to a reply's parents, blocks,
// forwarded replies, slow servers and every inbox.

// TestInbox_ParentChain checks the bounds of the walk up: a server that
// does not answer makes us answer 503 (the sender retries), and a chain
// longer than maxParentWalk is dropped.
func TestInbox_ParentChain(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	note := func(n int, inReplyTo string) map[string]any {
		id := d.p.base + "/users/erin/statuses/chain-" + string(rune('a'+n))
		return map[string]any{"id": id, "type": "Note", "attributedTo": d.p.erin(), "inReplyTo": inReplyTo,
			"to": publicIRI, "content": "<p>link " + string(rune('a'+n)) + "</p>", "published": "2026-11-20T11:00:00Z"}
	}
	// a ← b ← … : a answers the Article; each next note answers the one before.
	chain := []map[string]any{note(0, d.vars["{{article}}"])}
	for i := 1; i <= maxParentWalk+1; i++ {
		chain = append(chain, note(i, str(chain[i-1]["id"])))
	}
	for _, n := range chain {
		d.p.serveDoc(strings.TrimPrefix(str(n["id"]), d.p.base), n)
	}
	create := func(obj map[string]any) map[string]any {
		return map[string]any{"id": str(obj["id"]) + "/activity", "type": "Create", "actor": d.p.erin(), "object": obj}
	}
	last := chain[len(chain)-1]
	if w := d.p.send(d.env, d.p.erin(), create(last), sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("too long a chain: %d", w.Code)
	}
	if n := d.replyCount(t); n != 0 {
		t.Errorf("%d replies stored from a chain longer than %d", n, maxParentWalk)
	}
	// One step shorter reaches the Article: all of it is taken in.
	if w := d.p.send(d.env, d.p.erin(), create(chain[len(chain)-2]), sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("chain of %d: %d", maxParentWalk, w.Code)
	}
	if n := d.replyCount(t); n != maxParentWalk+1 {
		t.Errorf("%d replies stored, want %d", n, maxParentWalk+1)
	}

	// A parent whose server answers 503: we answer 503 too.
	d.p.failWith("/users/erin/statuses/down", http.StatusServiceUnavailable)
	orphan := note(20, d.p.base+"/users/erin/statuses/down")
	if w := d.p.send(d.env, d.p.erin(), create(orphan), sendOpts{}); w.Code != http.StatusServiceUnavailable {
		t.Errorf("parent's server down: %d, want 503", w.Code)
	}
	if d.reply(t, str(orphan["id"])) != nil {
		t.Error("stored a reply whose parent could not be fetched")
	}
}

// TestInbox_Blocked checks that activities of a blocked account
// or instance are answered 202 and dropped, after their signature is
// checked; lifting the block lets them in again.
func TestInbox_Blocked(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	if _, err := d.store.Block(ctx, 0, "account", d.p.alice(), "spam"); err != nil {
		t.Fatal(err)
	}
	pub := d.deliver(t, "mastodon/reply-public", http.StatusAccepted)
	d.deliver(t, "mastodon/like", http.StatusAccepted)
	if d.reply(t, objectID(pub)) != nil || d.reactions(t, d.en).Likes != 0 {
		t.Error("a blocked account's activities were taken")
	}
	// Badly signed, it is still a 401: the block is checked after the signature.
	f := d.fixture(t, "mastodon/like")
	if w := d.p.send(d.env, d.p.alice(), f.Activity, sendOpts{key: readTestKey(t, "peer-other")}); w.Code != http.StatusUnauthorized {
		t.Errorf("badly signed activity of a blocked account: %d, want 401", w.Code)
	}
	// A whole instance.
	if _, err := d.store.Block(ctx, 0, "instance", strings.TrimPrefix(d.p.base, "http://"), ""); err != nil {
		t.Fatal(err)
	}
	c := d.deliver(t, "gotosocial/create-note", http.StatusAccepted)
	if d.reply(t, objectID(c)) != nil {
		t.Error("a blocked instance's reply was stored")
	}
	if err := d.store.Unblock(ctx, 0, "instance", strings.TrimPrefix(d.p.base, "http://")); err != nil {
		t.Fatal(err)
	}
	d.deliver(t, "gotosocial/create-note", http.StatusAccepted)
	if d.reply(t, objectID(c)) == nil {
		t.Error("after the block was lifted the reply was still refused")
	}
}

// TestInbox_Forwarded checks a Create signed by a third party: its object is
// taken only as its own server serves it.
func TestInbox_Forwarded(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	pub := d.fixture(t, "mastodon/reply-public")
	obj := pub.Activity["object"].(map[string]any)
	forged := map[string]any{}
	for k, v := range pub.Activity {
		forged[k] = v
	}
	tampered := map[string]any{}
	for k, v := range obj {
		tampered[k] = v
	}
	tampered["content"] = "<p>words alice never wrote</p>"
	forged["object"] = tampered

	// mallory relays it; alice's server does not serve the note: dropped.
	w := d.p.send(d.env, d.p.mallory(), forged, sendOpts{})
	if w.Code != http.StatusAccepted || d.replyCount(t) != 0 {
		t.Fatalf("forwarded Create of an object its server does not serve: %d, %d replies", w.Code, d.replyCount(t))
	}
	// Once alice's server serves it, the served text is what is kept.
	d.p.serveDoc(strings.TrimPrefix(str(obj["id"]), d.p.base), obj)
	if w := d.p.send(d.env, d.p.mallory(), forged, sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("forwarded Create: %d", w.Code)
	}
	r := d.reply(t, str(obj["id"]))
	if r == nil || strings.Contains(r.ContentHTML, "never wrote") || r.Author != d.p.alice() {
		t.Errorf("forwarded reply %+v: want alice's own text", r)
	}
}

// TestLocalArticle reads our IRIs: an Article's id, its story page, an old
// slug, and what is not an Article.
func TestLocalArticle(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	for _, c := range []struct {
		iri   string
		local bool
		want  int64
	}{
		{d.vars["{{article}}"], true, d.en.ID},
		{d.vars["{{article_ru}}"] + "/", true, d.ru.ID},
		{d.vars["{{story_url}}"], true, d.en.ID},
		{d.fed.iri.StoryURL("ru", d.ru.Slug), true, d.ru.ID},
		{d.fed.iri.StoryURL("de", d.en.Slug), true, 0},
		{d.fed.ArticleIRI("00000000-0000-4000-8000-000000000000"), true, 0},
		{d.vars["{{actor_en}}"], true, 0},
		{d.p.alice(), false, 0},
	} {
		tr, local, err := d.fed.localArticle(ctx, c.iri)
		var got int64
		if tr != nil {
			got = tr.ID
		}
		if err != nil || local != c.local || got != c.want {
			t.Errorf("localArticle(%s) = %d, %v, %v; want %d, %v", c.iri, got, local, err, c.want, c.local)
		}
	}
}

// TestInbox_SlowServers checks the time bound on the fetches one activity
// causes: a parent too slow to arrive makes us answer 503, so the sender
// tries again later; an image too slow to arrive is left out and the reply
// kept.
func TestInbox_SlowServers(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	d.fed.fetchTimeout = 300 * time.Millisecond
	parent := d.fixture(t, "gotosocial/parent-note")
	d.p.serveDoc(parent.Serve, parent.Document)
	d.p.delay(parent.Serve, 2*time.Second)
	child := d.fixture(t, "mastodon/reply-nested")
	if w := d.p.send(d.env, d.p.alice(), child.Activity, sendOpts{}); w.Code != http.StatusServiceUnavailable {
		t.Errorf("slow parent: %d, want 503", w.Code)
	}
	if n := d.replyCount(t); n != 0 {
		t.Errorf("%d replies stored", n)
	}

	d.p.delay("/media/photo.jpg", 2*time.Second)
	pub := d.deliver(t, "mastodon/reply-public", http.StatusAccepted)
	r := d.reply(t, objectID(pub))
	if r == nil || len(r.Attachments) != 0 {
		t.Errorf("reply with a slow image: %+v; want it kept without the image", r)
	}
}

// TestInbox_EveryInbox checks docs/federation.md#personal-and-shared-inboxes:
// the dialogue's activities are taken on the shared inbox, every language
// actor's own inbox and the instance actor's, whichever the sender chose.
func TestInbox_EveryInbox(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	for _, path := range []string{"/inbox", "/actors/en/inbox", "/actors/ru/inbox", "/actor/inbox"} {
		for _, name := range []string{"mastodon/reply-public", "mastodon/like", "mastodon/announce", "mastodon/flag-story"} {
			f := d.fixture(t, name)
			if w := d.p.send(d.env, d.p.actorByName(f.Actor), f.Activity, sendOpts{path: path}); w.Code != http.StatusAccepted {
				t.Errorf("%s to %s: %d", name, path, w.Code)
			}
		}
		reports, err := d.store.Reports(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		if d.replyCount(t) != 1 || d.reactions(t, d.en) != (content.Reactions{Likes: 1, Shares: 1}) || len(reports) != 1 {
			t.Errorf("on %s: %d replies, %+v, %d reports", path, d.replyCount(t), d.reactions(t, d.en), len(reports))
		}
		// Start again for the next inbox.
		if _, err := d.store.Pool().Exec(t.Context(), `DELETE FROM replies; DELETE FROM reactions; DELETE FROM reports`); err != nil {
			t.Fatal(err)
		}
	}
}
