package federation

import (
	"net/http"
	"testing"
	"time"

	"samizdat/content"
)

// TestBackfill_GoToSocialReplies checks that a GoToSocial thread is read:
// GoToSocial answers a fetch of a status's replies collection with an
// OrderedCollection whose id adds only_other_accounts, and whose first page
// is an address with its paging parameters. A reply to erin's reply from
// another GoToSocial account, which never reached our inbox, ends in the
// story's dialogue, the one the story page shows.
func TestBackfill_GoToSocialReplies(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	d.fed.bf.pace = 0
	if err := d.store.SetPolicy(ctx, 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	c := d.deliver(t, "gotosocial/create-note", http.StatusAccepted)
	erin := d.reply(t, objectID(c))
	if erin == nil {
		t.Fatal("erin's reply was not stored")
	}
	base := d.p.base
	coll := erin.APID + "/replies"
	// finn: another account on the same GoToSocial, which signs with
	// the same test key.
	finn := base + "/users/finn"
	d.p.serveDoc("/users/finn", map[string]any{
		"id": finn, "type": "Person", "preferredUsername": "finn", "inbox": finn + "/inbox",
		"followers": finn + "/followers", "publicKey": map[string]any{"id": finn + "/main-key", "owner": finn, "publicKeyPem": publicPEM(t, d.p.key)},
	})
	finnNote := map[string]any{
		"id": finn + "/statuses/01FINNANSWERSERIN", "type": "Note", "attributedTo": finn, "inReplyTo": erin.APID,
		"to": publicIRI, "cc": finn + "/followers", "content": "<p>Finn answers Erin</p>",
		"contentMap": map[string]any{"en": "<p>Finn answers Erin</p>"}, "published": "2026-11-20T12:00:00Z",
	}
	d.p.serveDoc(rel(base, str(finnNote["id"])), finnNote)
	d.p.serveDoc(rel(base, coll), map[string]any{
		"@context": []any{"https://gotosocial.org/ns", "https://www.w3.org/ns/activitystreams"},
		"id":       coll + "?only_other_accounts=true", "type": "OrderedCollection", "totalItems": 1,
		"first": coll + "?limit=20&only_other_accounts=true",
	})
	d.p.serveDoc(rel(base, coll)+"?limit=20&only_other_accounts=true", map[string]any{
		"id": coll + "?limit=20&only_other_accounts=true", "type": "OrderedCollectionPage", "totalItems": 1,
		"partOf": coll + "?only_other_accounts=true", "orderedItems": []any{finnNote["id"]},
	})

	found, err := d.fed.Backfill(ctx)
	if err != nil || found != 1 {
		t.Fatalf("Backfill = %d, %v; want 1", found, err)
	}
	r := d.reply(t, str(finnNote["id"]))
	if r == nil || r.ParentID != erin.ID || r.StoryID != erin.StoryID || r.State != content.ReplyVisible || r.Depth != 1 {
		t.Fatalf("finn's reply %+v", r)
	}
	dialogue, err := d.store.Dialogue(ctx, erin.StoryID)
	if err != nil {
		t.Fatal(err)
	}
	onPage := false
	for _, x := range dialogue {
		onPage = onPage || x.APID == r.APID
	}
	if !onPage {
		t.Error("finn's reply is not in the story's dialogue")
	}
	if n := backfillRetries(t, d.env); n != 0 {
		t.Errorf("%d retries queued after a good run", n)
	}
}

// TestBackfill_MastodonObjectsAndMisskey checks Mastodon's items given as
// objects, each fetched again from its own server, and Misskey's notes,
// which publish no replies collection: nothing to read, and no failure.
func TestBackfill_MastodonObjectsAndMisskey(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	d.fed.bf.pace = 0
	if err := d.store.SetPolicy(ctx, 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	parent := d.reply(t, objectID(d.deliver(t, "mastodon/reply-public", http.StatusAccepted)))
	mk := d.deliver(t, "misskey/reply", http.StatusAccepted)
	mika := d.reply(t, objectID(mk))
	d.p.serveDoc(rel(d.p.base, objectID(mk)), mk.Activity["object"]) // as Misskey serves it: no replies
	if parent == nil || mika == nil {
		t.Fatal("replies not stored")
	}
	base := d.p.base
	coll := parent.APID + "/replies"
	answer := map[string]any{"id": base + "/users/alice/statuses/2001", "type": "Note", "attributedTo": d.p.alice(),
		"inReplyTo": parent.APID, "to": []any{publicIRI}, "content": "<p>alice again</p>", "published": "2026-11-20T12:01:00Z"}
	d.p.serveDoc(rel(base, str(answer["id"])), answer)
	d.p.serveDoc(rel(base, coll), map[string]any{
		"id": coll, "type": "Collection",
		"first": map[string]any{"type": "CollectionPage", "partOf": coll, "next": coll + "?only_other_accounts=true&page=true",
			"items": []any{answer}},
	})
	d.p.serveDoc(rel(base, coll)+"?only_other_accounts=true&page=true", map[string]any{
		"id": coll + "?only_other_accounts=true&page=true", "type": "CollectionPage", "partOf": coll, "items": []any{},
	})
	found, err := d.fed.Backfill(ctx)
	if err != nil || found != 1 {
		t.Fatalf("Backfill = %d, %v; want 1", found, err)
	}
	if r := d.reply(t, str(answer["id"])); r == nil || r.ParentID != parent.ID {
		t.Errorf("the embedded item %+v", r)
	}
	if n := backfillRetries(t, d.env); n != 0 {
		t.Errorf("%d retries queued: a note without a replies collection is no failure", n)
	}
}

// TestBackfill_Retry checks that a collection that fails is logged and
// queued again, once, after a minute, with delays that double and stay in
// minutes, and that the retry takes in what the collection lists once its
// server answers.
func TestBackfill_Retry(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	d.fed.bf.pace = 0
	if err := d.store.SetPolicy(ctx, 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	parent := d.reply(t, objectID(d.deliver(t, "mastodon/reply-public", http.StatusAccepted)))
	coll := parent.APID + "/replies"
	base := d.p.base
	d.p.failWith(rel(base, coll), http.StatusServiceUnavailable)
	before := time.Now()
	if _, err := d.fed.Backfill(ctx); err != nil {
		t.Fatal(err)
	}
	var (
		n        int
		at       time.Time
		attempts int
	)
	err := d.store.Pool().QueryRow(ctx, `SELECT count(*), max(scheduled_at), max(max_attempts) FROM river_job WHERE kind = 'samizdat.backfill_retry'`).Scan(&n, &at, &attempts)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || at.Before(before.Add(50*time.Second)) || attempts != d.fed.bf.retries {
		t.Fatalf("retry jobs: %d, at %s (run at %s), %d attempts", n, at, before, attempts)
	}
	// A second run that fails again does not queue a second retry.
	if _, err := d.store.Pool().Exec(ctx, `UPDATE replies SET replies_checked_at = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.fed.Backfill(ctx); err != nil {
		t.Fatal(err)
	}
	if n := backfillRetries(t, d.env); n != 1 {
		t.Errorf("%d retry jobs after two failed runs, want 1", n)
	}
	var want []time.Duration
	for i := 1; i <= d.fed.bf.retries; i++ {
		want = append(want, d.fed.bf.retryDelay(i))
	}
	for i, w := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute} {
		if i < len(want) && want[i] != w {
			t.Errorf("delay before retry %d = %s, want %s", i+1, want[i], w)
		}
	}

	args := backfillRetryArgs{ReplyID: parent.ID, StoryID: parent.StoryID, APID: parent.APID, Collection: coll}
	if err := d.fed.backfillRetry(ctx, args, 1, d.fed.bf.retries); err == nil {
		t.Fatal("a retry against a failing server succeeded")
	}
	answer := map[string]any{"id": base + "/users/alice/statuses/3001", "type": "Note", "attributedTo": d.p.alice(),
		"inReplyTo": parent.APID, "to": []any{publicIRI}, "content": "<p>late</p>", "published": "2026-11-20T12:02:00Z"}
	d.p.serveDoc(rel(base, str(answer["id"])), answer)
	d.p.failWith(rel(base, coll), 0)
	d.p.serveDoc(rel(base, coll), map[string]any{"id": coll, "type": "OrderedCollection", "orderedItems": []any{answer["id"]}})
	if err := d.fed.backfillRetry(ctx, args, 2, d.fed.bf.retries); err != nil {
		t.Fatalf("retry once the server answers: %v", err)
	}
	if d.reply(t, str(answer["id"])) == nil {
		t.Error("the retry did not take in the listed reply")
	}
}

// TestSameCollection checks the id rule of collections: the same scheme,
// host and path, whatever the query.
func TestSameCollection(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		asked, got string
		want       bool
	}{
		{"https://gts.example/users/erin/statuses/X/replies", "https://gts.example/users/erin/statuses/X/replies?only_other_accounts=true", true},
		{"https://gts.example/users/erin/statuses/X/replies?limit=20&only_other_accounts=true", "https://gts.example/users/erin/statuses/X/replies?only_other_accounts=true&limit=20", true},
		{"https://m.example/users/a/statuses/1/replies", "https://m.example/users/a/statuses/1/replies", true},
		{"https://m.example/users/a/statuses/1/replies", "https://M.EXAMPLE/users/a/statuses/1/replies#x", true},
		{"https://m.example/users/a/statuses/1/replies", "https://m.example/users/a/statuses/2/replies", false},
		{"https://m.example/users/a/statuses/1/replies", "https://other.example/users/a/statuses/1/replies", false},
		{"https://m.example/users/a/statuses/1/replies", "http://m.example/users/a/statuses/1/replies", false},
		{"https://m.example/users/a/statuses/1/replies", "", false},
	} {
		if got := sameCollection(c.asked, c.got); got != c.want {
			t.Errorf("sameCollection(%q, %q) = %v, want %v", c.asked, c.got, got, c.want)
		}
	}
}

// TestFetchObject_ExactID checks that single objects keep the exact-id
// rule: a note served under an id with another query is refused.
func TestFetchObject_ExactID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true})
	p := newPeer(t, e)
	id := p.base + "/users/alice/statuses/77"
	p.serveDoc("/users/alice/statuses/77", map[string]any{"id": id + "?x=1", "type": "Note", "attributedTo": p.alice()})
	if _, err := e.fed.fetchObject(t.Context(), id); err == nil {
		t.Error("an object served with another id was taken")
	}
	if _, err := e.fed.fetchCollection(t.Context(), id); err != nil {
		t.Errorf("the same document as a collection: %v", err)
	}
}

// backfillRetries counts the retry jobs queued.
func backfillRetries(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'samizdat.backfill_retry'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
