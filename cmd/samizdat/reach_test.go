package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/go-fed/httpsig"
)

// TestReach_FetcherAndBooster runs the program with three peers that check
// our signatures as Mastodon does: a follower; a server that only fetched
// the story by its page's URL with a signed GET, as Mastodon does when a
// user pastes the link; and one whose user only boosted it. The edit
// reaches the booster and the fetcher, and the withdrawal reaches the
// fetcher too.
func TestReach_FetcherAndBooster(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "nadia@example.org", "--name", "Nadia", "--roles", "editor")
	fol := newDialoguePeer(t, "127.0.0.7", "olga")
	gina := newDialoguePeer(t, "127.0.0.8", "gina")
	bob := newDialoguePeer(t, "127.0.0.9", "bob")
	fol.postOK(t, srv.URL+"/actors/en/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       fol.actor + "#follows/en", "type": "Follow", "actor": fol.actor, "object": srv.URL + "/actors/en",
	})
	fol.await(t, "Accept")

	desk := newDeskClient(t, srv.URL, "nadia@example.org", "correct horse battery staple")
	form := url.Values{"byline_kind": {"publication"}, "lang": {"en"}, "title": {"The ferry still runs"},
		"teaser": {"Across the river, every morning."}, "body": {"The ferry left at six."}}
	storyURL := desk.post(t, "/desk/stories/", form)
	m := regexp.MustCompile(`/desk/stories/(\d+)/en$`).FindStringSubmatch(storyURL)
	if m == nil {
		t.Fatalf("creating the story led to %s", storyURL)
	}
	desk.post(t, "/desk/stories/"+m[1]+"/en/state", url.Values{"action": {"publish"}})
	art, _ := fol.await(t, "Create")["object"].(map[string]any)
	page, id := str(art["url"]), str(art["id"])

	// gina's server resolves the pasted page URL with a signed GET.
	if code, _ := gina.signedGet(t, page); code != http.StatusOK {
		t.Fatalf("signed fetch of the page URL: %d", code)
	}
	// bob boosts it.
	bob.postOK(t, srv.URL+"/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": bob.actor + "/statuses/1/activity", "type": "Announce",
		"actor": bob.actor, "to": []string{publicAS}, "cc": []string{srv.URL + "/actors/en"}, "object": id,
	})

	form.Set("teaser", "Across the river, every morning, still.")
	desk.post(t, "/desk/stories/"+m[1]+"/en", form)
	for _, p := range []*dialoguePeer{fol, bob, gina} {
		if u := p.await(t, "Update"); str(u["object"].(map[string]any)["id"]) != id {
			t.Errorf("%s got an Update of %v", p.name, u["object"])
		}
	}
	desk.post(t, "/desk/stories/"+m[1]+"/en/state", url.Values{"action": {"withdraw"}, "confirm": {"yes"}})
	for _, p := range []*dialoguePeer{fol, gina} {
		if d := p.await(t, "Delete"); str(d["object"].(map[string]any)["id"]) != id {
			t.Errorf("%s got a Delete of %v", p.name, d["object"])
		}
	}
	for _, p := range []*dialoguePeer{fol, gina, bob} {
		if bad := p.badFetches(); len(bad) > 0 {
			t.Errorf("%s refused: %v", p.name, bad)
		}
	}
}

// signedGet fetches target as the peer's actor, signed over (request-target)
// host date as Mastodon and GoToSocial sign their fetches, and returns the
// status and the decoded JSON body, if any.
func (p *dialoguePeer) signedGet(t *testing.T, target string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept", "application/activity+json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Host", req.URL.Host)
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
		[]string{httpsig.RequestTarget, "host", "date"}, httpsig.Signature, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.SignRequest(p.key, p.actor+"#main-key", req, nil); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m) //nolint:errcheck // a 404 has no JSON
	return resp.StatusCode, m
}
