package federation

import (
	"net/http"
	"testing"
	"time"

	"samizdat/content"
)

// TestGolden_Documents pins every document Samizdat serves or sends. Run
// with -update after a deliberate change and read the diff.
func TestGolden_Documents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()

	tr := e.publish(t, "en", "Lights out in Kharkiv", []string{"war", "energy"}, true)
	key := tr.ObjectKey
	// A cover, given after the Create went out: the Article and its Update
	// carry it as image, the Create does not.
	setCover(t, e, tr, "c0ffee.jpg", "Candles on a kitchen table.")
	// A second story, so the outbox and featured have more than one entry.
	e.clock.Set(t0.Add(time.Hour))
	tr2 := e.publish(t, "en", "The choir that kept singing", nil, false)
	keys := []string{key, "KEY-1", tr2.ObjectKey, "KEY-2"}

	for _, c := range []struct{ name, path string }{
		{"actor-en", "/actors/en"},
		{"actor-instance", "/actor"},
		{"article", "/ap/articles/" + key},
		{"outbox", "/actors/en/outbox"},
		{"outbox-page", "/actors/en/outbox?page=1"},
		{"featured", "/actors/en/featured"},
		{"following", "/actors/en/following"},
		{"replies", "/ap/articles/" + key + "/replies"},
		{"replies-page", "/ap/articles/" + key + "/replies?page=1"},
		{"likes", "/ap/articles/" + key + "/likes"},
		{"context", "/ap/articles/" + key + "/context"},
	} {
		golden(t, c.name, e.getAP(t, c.path), keys...)
	}

	for _, c := range []struct{ name, path, contentType string }{
		{"webfinger-en", "/.well-known/webfinger?resource=acct:en@samizdat.example", "application/jrd+json; charset=utf-8"},
		{"webfinger-instance", "/.well-known/webfinger?resource=acct:samizdat.example@samizdat.example", "application/jrd+json; charset=utf-8"},
		{"nodeinfo-links", "/.well-known/nodeinfo", "application/json"},
		{"nodeinfo-2.0", "/nodeinfo/2.0", "application/json"},
		{"nodeinfo-2.1", "/nodeinfo/2.1", "application/json"},
		{"host-meta", "/.well-known/host-meta", "application/xrd+xml; charset=utf-8"},
	} {
		w := e.get(t, e.fed.Handler(), c.path, "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d", c.path, w.Code)
		}
		if got := w.Header().Get("Content-Type"); got != c.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q exactly", c.path, got, c.contentType)
		}
		golden(t, c.name, w.Body.Bytes())
	}

	// The activities, as they are stored for delivery.
	body := func(id string) []byte {
		t.Helper()
		var b []byte
		if err := e.store.Pool().QueryRow(ctx, `SELECT body FROM activities WHERE id = $1`, id).Scan(&b); err != nil {
			t.Fatalf("activity %s: %v", id, err)
		}
		return b
	}
	golden(t, "create", body(e.fed.iri.CreateID(key)), keys...)

	e.clock.Set(t0.Add(2 * time.Hour))
	tr.Title = "Lights out in Kharkiv, and after"
	if err := e.store.SaveTranslation(ctx, tr); err != nil {
		t.Fatal(err)
	}
	golden(t, "update", body(e.fed.iri.UpdateID(key, t0.Add(2*time.Hour))), keys...)

	e.clock.Set(t0.Add(3 * time.Hour))
	if _, err := e.store.SetTranslationState(ctx, tr.ID, content.StateWithdrawn, time.Time{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "delete", body(e.fed.iri.DeleteID(key)), keys...)

	accept, err := e.fed.acceptActivity("en", "5d1c0c2e-7a8e-4a47-9a4b-6b8f3f0f2c11", inFollow{
		ID:     "https://mastodon.example/users/alice#follows/1",
		Actor:  "https://mastodon.example/users/alice",
		Object: e.fed.iri.Actor("en"),
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := encode(withContext(accept))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "accept", b)
}

// TestGolden_Followers pins the followers collection and its first page.
func TestGolden_Followers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, id := range []string{"https://mastodon.example/users/alice", "https://gts.example/users/erin"} {
		e.clock.Set(e.clock.Now().Add(time.Minute))
		addFollower(t, e, "en", id, id+"/inbox")
	}
	golden(t, "followers", e.getAP(t, "/actors/en/followers"))
	golden(t, "followers-page", e.getAP(t, "/actors/en/followers?page=1"))
}
