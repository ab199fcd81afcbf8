package federation

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/federation/signature"
)

// TestReach_EditAndWithdrawReachEveryCopy checks that an edit and a
// withdrawal go beyond the followers: to a server that only fetched the
// story by its page's URL with a signed GET, to one that only boosted it,
// and to one that only replied; and that the edit skips a blocked
// instance while the withdrawal does not. Each delivery records its group.
func TestReach_EditAndWithdrawReachEveryCopy(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	addFollower(t, d.env, "en", "https://follower.example/users/f", "https://follower.example/users/f/inbox")

	// A second server fetches the English story by its page's URL, signed
	// by its instance actor, as Mastodon does for a pasted link.
	fetcher := newPeerAt(t, d.env, "127.0.0.3", "peer-other")
	req := httptest.NewRequest(http.MethodGet, d.fed.iri.StoryURL("en", d.en.Slug), nil)
	req.Header.Set("Accept", "application/activity+json")
	if err := signature.SignRequest(req, fetcher.keyID(fetcher.instance()), fetcher.key, nil, d.clock.Now()); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	d.fed.ActivityPubPages().ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("signed fetch of the story URL: %d", w.Code)
	}
	// An unsigned fetch is served and recorded nowhere.
	w = httptest.NewRecorder()
	plain := httptest.NewRequest(http.MethodGet, d.fed.iri.Article(d.en.ObjectKey), nil)
	plain.Header.Set("Accept", "application/activity+json")
	d.fed.Handler().ServeHTTP(w, plain)
	if w.Code != http.StatusOK {
		t.Fatalf("unsigned fetch: %d", w.Code)
	}
	var fetches int
	if err := d.store.Pool().QueryRow(ctx, `SELECT count(*) FROM article_fetches WHERE translation_id = $1`, d.en.ID).Scan(&fetches); err != nil {
		t.Fatal(err)
	}
	if fetches != 1 {
		t.Fatalf("%d fetches recorded, want the signed one", fetches)
	}

	// alice only boosts; a third server only replies, and is then blocked.
	d.deliver(t, "mastodon/announce", http.StatusAccepted)
	replier := newPeerAt(t, d.env, "127.0.0.4", "peer-other")
	if err := d.store.SaveRemoteActor(ctx, &store.RemoteActor{ID: replier.alice(), Host: hostOf(replier.base), Inbox: replier.alice() + "/inbox"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.store.SaveReply(ctx, &content.Reply{APID: replier.base + "/notes/1", StoryID: d.en.StoryID, TranslationID: d.en.ID,
		InReplyTo: d.fed.iri.Article(d.en.ObjectKey), Author: replier.alice(), AuthorHost: hostOf(replier.base),
		Visibility: content.VisibilityPublic, ContentHTML: "<p>hi</p>", Published: d.clock.Now(), State: content.ReplyVisible}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.store.Block(ctx, 0, "instance", hostOf(replier.base), "test"); err != nil {
		t.Fatal(err)
	}

	d.clock.Set(t0.Add(time.Hour))
	d.en.Teaser = "A corrected teaser."
	if err := d.store.SaveTranslation(ctx, d.en); err != nil {
		t.Fatal(err)
	}
	d.clock.Set(t0.Add(2 * time.Hour))
	if _, err := d.store.SetTranslationState(ctx, d.en.ID, content.StateWithdrawn, time.Time{}); err != nil {
		t.Fatal(err)
	}

	groups := func(typ string) map[string]string {
		t.Helper()
		rows, err := d.store.Pool().Query(ctx, `
			SELECT d.inbox, d.reach FROM deliveries d JOIN activities a ON a.id = d.activity_id
			WHERE a.translation_id = $1 AND a.type = $2`, d.en.ID, typ)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var inbox, reach string
			if err := rows.Scan(&inbox, &reach); err != nil {
				t.Fatal(err)
			}
			out[inbox] = reach
		}
		return out
	}
	create, update, del := groups("Create"), groups("Update"), groups("Delete")
	for inbox, g := range create {
		if g != store.ReachFollowers {
			t.Errorf("Create went to %s (%s): a publication goes to followers only", inbox, g)
		}
	}
	want := map[string]string{
		"https://follower.example/users/f/inbox": store.ReachFollowers,
		d.p.base + "/inbox":                      store.ReachBoosted, // alice's shared inbox
		fetcher.instance() + "/inbox":            store.ReachFetched,
	}
	if !equalMaps(update, want) {
		t.Errorf("Update went to %v, want %v", update, want)
	}
	want[replier.alice()+"/inbox"] = store.ReachReplied
	if !equalMaps(del, want) {
		t.Errorf("Delete went to %v, want %v", del, want)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestReach_DeliveryReport checks that the delivery report counts each
// activity's inboxes by group.
func TestReach_DeliveryReport(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	addFollower(t, d.env, "en", "https://follower.example/users/f", "https://follower.example/users/f/inbox")
	d.deliver(t, "mastodon/announce", http.StatusAccepted)
	if _, err := d.store.SetTranslationState(ctx, d.en.ID, content.StateWithdrawn, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r, err := d.store.DeliveryReport(ctx, d.en.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []store.ReachCount
	for _, a := range r.Activities {
		if a.Type == "Delete" {
			got = a.Reach
		}
	}
	want := []store.ReachCount{{Group: store.ReachFollowers, Inboxes: 1}, {Group: store.ReachBoosted, Inboxes: 1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Delete's reach %+v, want %+v", got, want)
	}
}
