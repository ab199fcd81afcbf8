package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBackfill_GoToSocialThread runs the program with a short backfill
// interval: a reply to a reply, made by another account and never sent to
// us, is found in the GoToSocial-shaped replies collection of the reply it
// answers (an id with only_other_accounts, a first page given by its
// address) by the River periodic job, and shows on the story page under
// the reply it answers.
func TestBackfill_GoToSocialThread(t *testing.T) {
	t.Parallel()
	srv := startServer(t, map[string]string{"BACKFILL_INTERVAL": "1s"})
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "nadia@example.org", "--name", "Nadia", "--roles", "editor,moderator")
	erin := newDialoguePeer(t, "127.0.0.5", "erin")
	finn := newDialoguePeer(t, "127.0.0.6", "finn")
	erin.postOK(t, srv.URL+"/actors/en/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       erin.actor + "#follows/en", "type": "Follow", "actor": erin.actor, "object": srv.URL + "/actors/en",
	})

	desk := newDeskClient(t, srv.URL, "nadia@example.org", "correct horse battery staple")
	storyURL := desk.post(t, "/desk/stories/", url.Values{
		"byline_kind": {"publication"}, "lang": {"en"},
		"title":  {"Letters across the river"},
		"teaser": {"Two towns write to each other."},
		"body":   {"The first letter came in March."},
	})
	m := regexp.MustCompile(`/desk/stories/(\d+)/en$`).FindStringSubmatch(storyURL)
	if m == nil {
		t.Fatalf("creating the story led to %s", storyURL)
	}
	desk.post(t, "/desk/moderation/policy", url.Values{"policy": {"open"}})
	desk.post(t, "/desk/stories/"+m[1]+"/en/state", url.Values{"action": {"publish"}})
	create := erin.await(t, "Create")
	art, _ := create["object"].(map[string]any)
	page := str(art["url"])

	// erin's reply, with its replies collection as GoToSocial embeds it;
	// finn's answer to it, which only erin's server lists.
	e1 := erin.note("01ERIN", str(art["id"]), "<p>Erin: we got letters too.</p>", "en")
	coll := str(e1["id"]) + "/replies"
	e1["replies"] = map[string]any{"id": coll, "type": "Collection", "first": map[string]any{
		"id": coll + "?page=true", "type": "CollectionPage", "partOf": coll, "next": coll + "?page=true&only_other_accounts=false"}}
	f1 := finn.note("01FINN", str(e1["id"]), "<p>Finn answers Erin: from which town?</p>", "en")
	path := strings.TrimPrefix(coll, erin.base)
	erin.mu.Lock()
	erin.notes[path] = map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": coll + "?only_other_accounts=true", "type": "OrderedCollection", "totalItems": 1,
		"first": coll + "?limit=20&only_other_accounts=true"}
	erin.notes[path+"?limit=20&only_other_accounts=true"] = map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": coll + "?limit=20&only_other_accounts=true", "type": "OrderedCollectionPage", "totalItems": 1,
		"partOf": coll + "?only_other_accounts=true", "orderedItems": []any{f1["id"]}}
	erin.mu.Unlock()
	erin.postOK(t, srv.URL+"/inbox", erin.create(e1))

	texts := map[string]string{"e1": "we got letters too", "f1": "Finn answers Erin"}
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := threads(t, getPage(t, page), texts)
		if parent, shown := got["f1"]; shown {
			if parent != "e1" {
				t.Errorf("finn's answer is under %q, want e1", parent)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("finn's answer never reached the story page; erin's server saw %v; logs:\n%s", erin.fetchedPaths(), srv.logs)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if bad := append(erin.badFetches(), finn.badFetches()...); len(bad) > 0 {
		t.Errorf("fetches without a valid signature: %v", bad)
	}
}
