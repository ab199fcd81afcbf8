package federation

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/httpsig"
)

// followRows returns (follower, follow_id) of lang's followers.
func followRows(t *testing.T, e *env, lang string) map[string]string {
	t.Helper()
	rows, err := e.store.Pool().Query(t.Context(), `SELECT follower, follow_id FROM followers WHERE actor = $1`, lang)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var f, id string
		if err := rows.Scan(&f, &id); err != nil {
			t.Fatal(err)
		}
		out[f] = id
	}
	return out
}

// accepts returns the Accept activities queued, oldest first.
func accepts(t *testing.T, e *env) []queuedActivity {
	t.Helper()
	rows, err := e.store.Pool().Query(t.Context(), `
		SELECT a.id, a.type, a.actor, a.body,
			coalesce((SELECT array_agg(d.inbox ORDER BY d.inbox) FROM deliveries d WHERE d.activity_id = a.id), '{}'),
			(SELECT count(*) FROM river_job j WHERE j.args->>'activity_id' = a.id)
		FROM activities a WHERE a.type = 'Accept' ORDER BY a.created_at, a.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []queuedActivity
	for rows.Next() {
		var q queuedActivity
		if err := rows.Scan(&q.id, &q.typ, &q.actor, &q.body, &q.inboxes, &q.jobs); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}

func follow(id, actor, object string) map[string]any {
	return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Follow", "actor": actor, "object": object}
}

// TestInbox_Follow runs a Mastodon-shaped follower through Follow, a
// repeated Follow, and an Undo naming a Follow id we never saw.
func TestInbox_Follow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{base: "https://samizdat.example", allowPrivate: true})
	p := newPeer(t, e)
	en := e.fed.ActorURL("en")

	// docs/federation.md#mastodon-follow-accept: accepted at once, the Follow
	// embedded, to the personal inbox.
	w := p.send(e, p.alice(), follow(p.alice()+"#follows/1", p.alice(), en), sendOpts{path: "/actors/en/inbox"})
	if w.Code != http.StatusAccepted {
		t.Fatalf("Follow: %d %s, want 202", w.Code, w.Body)
	}
	if got := followRows(t, e, "en"); got[p.alice()] != p.alice()+"#follows/1" || len(got) != 1 {
		t.Fatalf("followers %v", got)
	}
	acc := accepts(t, e)
	if len(acc) != 1 {
		t.Fatalf("%d Accepts queued, want 1", len(acc))
	}
	if acc[0].actor != "en" || !slices.Equal(acc[0].inboxes, []string{p.alice() + "/inbox"}) || acc[0].jobs != 1 {
		t.Errorf("Accept by %s to %v with %d jobs; want by en to alice's own inbox, one job", acc[0].actor, acc[0].inboxes, acc[0].jobs)
	}
	m := decode(t, acc[0].body)
	obj, _ := m["object"].(map[string]any)
	if m["type"] != "Accept" || m["actor"] != en || obj["type"] != "Follow" || obj["id"] != p.alice()+"#follows/1" ||
		obj["actor"] != p.alice() || obj["object"] != en || !strings.HasPrefix(m["id"].(string), en+"#accepts/") {
		t.Errorf("Accept %s", acc[0].body)
	}
	if bytes.Contains(acc[0].body, []byte("Collection-Synchronization")) {
		t.Error("Accept mentions follower synchronisation (docs/federation.md#no-follower-synchronization)")
	}

	// The key is cached: a second activity fetches nothing.
	before := len(p.fetched())

	// docs/federation.md#repeated-follow: a repeated Follow (here on the shared
	// inbox) keeps one row, takes the new id, and is answered again.
	w = p.send(e, p.alice(), follow(p.alice()+"#follows/2", p.alice(), en), sendOpts{})
	if w.Code != http.StatusAccepted {
		t.Fatalf("second Follow: %d", w.Code)
	}
	if got := followRows(t, e, "en"); got[p.alice()] != p.alice()+"#follows/2" || len(got) != 1 {
		t.Errorf("after a repeated Follow: followers %v, want one row with the new id", got)
	}
	if acc := accepts(t, e); len(acc) != 2 {
		t.Errorf("%d Accepts, want a second one for the repeated Follow", len(acc))
	}
	if after := len(p.fetched()); after != before {
		t.Errorf("the peer was fetched %d more times; the key should be cached", after-before)
	}

	// docs/federation.md#undo-follow-by-pair: Undo of a Follow whose id we
	// never saw, matched by the pair.
	undo := map[string]any{
		"id": p.alice() + "#follows/99/undo", "type": "Undo", "actor": p.alice(),
		"object": follow(p.alice()+"#follows/99", p.alice(), en),
	}
	if w := p.send(e, p.alice(), undo, sendOpts{path: "/actors/en/inbox"}); w.Code != http.StatusAccepted {
		t.Fatalf("Undo: %d", w.Code)
	}
	if got := followRows(t, e, "en"); len(got) != 0 {
		t.Errorf("after Undo: followers %v, want none", got)
	}

	// An Undo naming the Follow only by its id removes that follow.
	p.send(e, p.alice(), follow(p.alice()+"#follows/3", p.alice(), e.fed.ActorURL("fr")), sendOpts{})
	if got := followRows(t, e, "fr"); len(got) != 1 {
		t.Fatalf("followers of fr: %v", got)
	}
	bare := map[string]any{"id": p.alice() + "#follows/3/undo", "type": "Undo", "actor": p.alice(), "object": p.alice() + "#follows/3"}
	if w := p.send(e, p.alice(), bare, sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("Undo by id: %d", w.Code)
	}
	if got := followRows(t, e, "fr"); len(got) != 0 {
		t.Errorf("after Undo by id: followers of fr %v, want none", got)
	}

	// An Undo of somebody else's Follow changes nothing.
	p.send(e, p.alice(), follow(p.alice()+"#follows/4", p.alice(), en), sendOpts{})
	other := map[string]any{"id": p.mallory() + "#undo", "type": "Undo", "actor": p.mallory(),
		"object": follow(p.alice()+"#follows/4", p.alice(), en)}
	if w := p.send(e, p.mallory(), other, sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("Undo by mallory: %d", w.Code)
	}
	if got := followRows(t, e, "en"); len(got) != 1 {
		t.Errorf("mallory undid alice's follow: followers %v", got)
	}

	// The instance actor follows no one back and accepts no followers.
	n := len(accepts(t, e))
	if w := p.send(e, p.alice(), follow(p.alice()+"#follows/5", p.alice(), e.fed.iri.InstanceActor()), sendOpts{path: "/actor/inbox"}); w.Code != http.StatusAccepted {
		t.Fatalf("Follow of the instance actor: %d", w.Code)
	}
	if got := len(accepts(t, e)); got != n {
		t.Errorf("the instance actor accepted a Follow")
	}
}

// TestInbox_GoToSocialFollowAndBlock uses the GoToSocial shapes: a keyId
// that serves a stub actor, hs2019, string to/cc. Block removes the follower.
func TestInbox_GoToSocialFollowAndBlock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true})
	p := newPeer(t, e)
	ru := e.fed.ActorURL("ru")
	f := follow(p.base+"/01M89Z8V8RV72MQXH6DBBCKZMW", p.erin(), ru)
	f["to"] = ru
	if w := p.send(e, p.erin(), f, sendOpts{path: "/actors/ru/inbox"}); w.Code != http.StatusAccepted {
		t.Fatalf("Follow: %d %s", w.Code, w.Body)
	}
	if got := followRows(t, e, "ru"); len(got) != 1 {
		t.Fatalf("followers of ru: %v", got)
	}
	// The stub at the keyId, then the actor it names.
	if got := p.fetched(); !slices.Equal(got, []string{"/users/erin/main-key", "/users/erin"}) {
		t.Errorf("fetched %v, want the key stub, then the actor", got)
	}
	ra, err := e.store.RemoteActor(t.Context(), p.erin())
	if err != nil || ra.KeyID != p.erin()+"/main-key" || ra.Inbox != p.erin()+"/inbox" || ra.Followers != p.erin()+"/followers" {
		t.Fatalf("cached actor %+v, %v", ra, err)
	}
	if acc := accepts(t, e); len(acc) != 1 || !slices.Equal(acc[0].inboxes, []string{p.erin() + "/inbox"}) {
		t.Errorf("Accepts %+v", acc)
	}
	block := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": p.base + "/01BLOCK", "type": "Block", "actor": p.erin(), "object": ru}
	if w := p.send(e, p.erin(), block, sendOpts{path: "/actors/ru/inbox"}); w.Code != http.StatusAccepted {
		t.Fatalf("Block: %d", w.Code)
	}
	if got := followRows(t, e, "ru"); len(got) != 0 {
		t.Errorf("after Block: followers %v, want none (docs/federation.md#block-removes-follower)", got)
	}
}

// TestInbox_Rejections sends what must be refused, and what must be accepted
// and ignored.
func TestInbox_Rejections(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true})
	p := newPeer(t, e)
	en := e.fed.ActorURL("en")
	like := func(actor string) map[string]any {
		return map[string]any{"id": actor + "#likes/1", "type": "Like", "actor": actor, "object": e.fed.ArticleIRI("8b0c2c8e-0000-4000-8000-000000000000")}
	}
	signed, _ := encode(like(p.alice()))
	altered := bytes.Replace(signed, []byte("likes/1"), []byte("likes/2"), 1)
	big := append([]byte(`{"type":"Like","actor":"`+p.alice()+`","padding":"`), bytes.Repeat([]byte("x"), maxInboxBody)...)
	big = append(big, `"}`...)

	for _, c := range []struct {
		name   string
		actor  string
		body   []byte
		opts   sendOpts
		status int
	}{
		{"OK", p.alice(), signed, sendOpts{}, http.StatusAccepted},
		{"NoSignature", p.alice(), signed, sendOpts{unsigned: true}, http.StatusUnauthorized},
		{"WrongKey", p.alice(), signed, sendOpts{key: readTestKey(t, "peer-other")}, http.StatusUnauthorized},
		{"AlteredBody", p.alice(), signed, sendOpts{sent: altered}, http.StatusUnauthorized},
		{"StaleDate", p.alice(), signed, sendOpts{date: t0.Add(-2 * time.Hour)}, http.StatusUnauthorized},
		{"FutureDate", p.alice(), signed, sendOpts{date: t0.Add(2 * time.Hour)}, http.StatusUnauthorized},
		{"DigestNotSigned", p.alice(), signed, sendOpts{headers: []string{httpsig.RequestTarget, "host", "date"}}, http.StatusUnauthorized},
		{"RFC9421Garbage", p.alice(), signed, sendOpts{unsigned: true, rfc9421: true}, http.StatusUnauthorized}, // a stale created and a signature of nothing
		{"Oversized", p.alice(), big, sendOpts{}, http.StatusRequestEntityTooLarge},
		{"NotJSONContentType", p.alice(), signed, sendOpts{noContent: true}, http.StatusUnsupportedMediaType},
		{"UnknownType", p.alice(), []byte(`{"id":"` + p.alice() + `#r/1","type":"EmojiReact","actor":"` + p.alice() + `","object":"` + en + `","content":"🔥"}`), sendOpts{}, http.StatusAccepted},
		{"UnknownLanguageInbox", p.alice(), signed, sendOpts{path: "/actors/de/inbox"}, http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := p.sendRaw(e, c.actor, c.body, c.opts)
			if w.Code != c.status {
				t.Errorf("status %d, want %d (%s)", w.Code, c.status, strings.TrimSpace(w.Body.String()))
			}
		})
	}
}

// TestInbox_DeleteOfUnknownActor checks
// docs/federation.md#account-deletion-floods: an account deletion from an actor
// we never knew is accepted without any fetch, while the same from a known
// actor goes through verification.
func TestInbox_DeleteOfUnknownActor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true})
	p := newPeer(t, e)
	del := map[string]any{"id": p.ghost() + "#delete", "type": "Delete", "actor": p.ghost(), "object": p.ghost(), "to": []string{publicIRI}}
	if w := p.send(e, p.ghost(), del, sendOpts{}); w.Code != http.StatusAccepted {
		t.Errorf("Delete of an unknown actor: %d, want 202", w.Code)
	}
	upd := map[string]any{"id": p.ghost() + "#update", "type": "Update", "actor": p.ghost(), "object": map[string]any{"id": p.ghost(), "type": "Person"}}
	if w := p.send(e, p.ghost(), upd, sendOpts{}); w.Code != http.StatusAccepted {
		t.Errorf("Update of an unknown actor: %d, want 202", w.Code)
	}
	if got := p.fetched(); len(got) != 0 {
		t.Errorf("the peer was asked for %v; want no fetch (docs/federation.md#account-deletion-floods)", got)
	}
	// Unsigned, it is still refused: 202 is for signed requests only.
	if w := p.send(e, p.ghost(), del, sendOpts{unsigned: true}); w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned Delete: %d, want 401", w.Code)
	}
	// A known actor's Delete is verified: a bad signature is 401.
	if w := p.send(e, p.alice(), like(e, p), sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("Like from alice: %d", w.Code)
	}
	adel := map[string]any{"id": p.alice() + "#delete", "type": "Delete", "actor": p.alice(), "object": p.alice()}
	if w := p.send(e, p.alice(), adel, sendOpts{key: readTestKey(t, "peer-other")}); w.Code != http.StatusUnauthorized {
		t.Errorf("badly signed Delete from a known actor: %d, want 401", w.Code)
	}
}

func like(e *env, p *peer) map[string]any {
	return map[string]any{"id": p.alice() + "#likes/7", "type": "Like", "actor": p.alice(), "object": e.fed.ArticleIRI("8b0c2c8e-0000-4000-8000-000000000000")}
}

// TestInbox_RevivesInstance checks docs/federation.md#unavailable-instances: a
// valid signed POST from a host we had given up on makes it available again.
func TestInbox_RevivesInstance(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true})
	p := newPeer(t, e)
	host := strings.TrimPrefix(p.base, "http://")
	_, err := e.store.Pool().Exec(t.Context(), `INSERT INTO instances (host, failure_days, unavailable) VALUES ($1, '{2026-11-01,2026-11-02}', true)`, host)
	if err != nil {
		t.Fatal(err)
	}
	if w := p.send(e, p.alice(), like(e, p), sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("Like: %d", w.Code)
	}
	inst, err := e.store.Instance(t.Context(), host)
	if err != nil {
		t.Fatal(err)
	}
	if inst.Unavailable || len(inst.FailureDays) != 0 {
		t.Errorf("instance after contact: %+v, want available with no failure days", inst)
	}
}
