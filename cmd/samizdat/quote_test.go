package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestQuote_MastodonPeer runs a quote as a Mastodon 4.5 peer makes one,
// against the program: its QuoteRequest is answered with an Accept signed
// as Mastodon checks; the peer fetches the authorization named in result,
// signed, and checks it as Mastodon does before it shows the quote; the
// story page counts the quote; a moderator revokes it in the desk, the peer
// receives the Delete of the authorization, which then answers 404.
func TestQuote_MastodonPeer(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "nadia@example.org", "--name", "Nadia", "--roles", "editor,moderator")
	q := newDialoguePeer(t, "127.0.0.10", "quinn")
	q.postOK(t, srv.URL+"/actors/en/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       q.actor + "#follows/en", "type": "Follow", "actor": q.actor, "object": srv.URL + "/actors/en",
	})
	q.await(t, "Accept")

	desk := newDeskClient(t, srv.URL, "nadia@example.org", "correct horse battery staple")
	storyURL := desk.post(t, "/desk/stories/", url.Values{"byline_kind": {"publication"}, "lang": {"en"},
		"title": {"Bread at dawn"}, "teaser": {"The bakery opens before the curfew ends."}, "body": {"They bake at four."}})
	m := regexp.MustCompile(`/desk/stories/(\d+)/en$`).FindStringSubmatch(storyURL)
	if m == nil {
		t.Fatalf("creating the story led to %s", storyURL)
	}
	desk.post(t, "/desk/stories/"+m[1]+"/en/state", url.Values{"action": {"publish"}})
	art, _ := q.await(t, "Create")["object"].(map[string]any)
	id, page := str(art["id"]), str(art["url"])
	policy, _ := art["interactionPolicy"].(map[string]any)
	canQuote, _ := policy["canQuote"].(map[string]any)
	if auto, _ := canQuote["automaticApproval"].([]any); len(auto) != 1 || auto[0] != publicAS {
		t.Fatalf("the Article's interactionPolicy %v: Mastodon would not let its users quote it", art["interactionPolicy"])
	}

	post := q.note("q1", "", "<p>Worth reading.</p>", "en")
	delete(post, "inReplyTo")
	post["quote"] = id
	request := map[string]any{
		"@context": []any{"https://www.w3.org/ns/activitystreams", map[string]any{"QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest"}},
		"id":       q.actor + "/quote_requests/1", "type": "QuoteRequest", "actor": q.actor, "object": id, "instrument": post,
	}
	q.postOK(t, srv.URL+"/actors/en/inbox", request)
	accept := q.await(t, "Accept")
	obj, _ := accept["object"].(map[string]any)
	auth := str(accept["result"])
	if obj["id"] != request["id"] || obj["type"] != "QuoteRequest" || auth == "" || !strings.HasPrefix(auth, srv.URL+"/") {
		t.Fatalf("Accept %v", accept)
	}
	// What Mastodon's check of a quote asks of the authorization.
	code, doc := q.signedGet(t, auth)
	if code != http.StatusOK || doc["id"] != auth || doc["type"] != "QuoteAuthorization" || doc["attributedTo"] != srv.URL+"/actors/en" ||
		doc["interactionTarget"] != id || doc["interactingObject"] != post["id"] {
		t.Fatalf("authorization %d %v", code, doc)
	}
	if body := getPage(t, page); !strings.Contains(body, `<span class="reaction">1 quote</span>`) {
		t.Errorf("the story page does not count the quote:\n%s", body)
	}

	// The moderator revokes it from the desk's list.
	resp, err := desk.c.Get(srv.URL + "/desk/moderation/quotes")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	revoke := regexp.MustCompile(`action="(/desk/moderation/quotes/\d+/revoke)"`).FindSubmatch(b)
	if revoke == nil {
		t.Fatalf("no revoke button on the quotes page:\n%s", b)
	}
	desk.refreshToken(t, "/desk/moderation/quotes")
	desk.post(t, string(revoke[1]), url.Values{})
	del := q.await(t, "Delete")
	if del["object"] != auth {
		t.Errorf("Delete %v, want one of the authorization", del)
	}
	if code, _ := q.signedGet(t, auth); code != http.StatusNotFound {
		t.Errorf("the revoked authorization answers %d, want 404", code)
	}
	if body := getPage(t, page); strings.Contains(body, `<span class="reaction">1 quote</span>`) {
		t.Errorf("the story page still counts the revoked quote")
	}
	if bad := q.badFetches(); len(bad) > 0 {
		t.Errorf("refused: %v", bad)
	}
}
