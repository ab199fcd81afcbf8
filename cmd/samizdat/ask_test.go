package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

// TestServe_AskFromPeerAnswered is "Ask" from the fediverse end to end: a
// Mastodon-shaped peer posts a question with #ask to @en, an editor
// answers it in the desk, and the answer reaches the peer as a reply to
// the question that mentions the asker; the site shows it.
func TestServe_AskFromPeerAnswered(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	p := newMastodonPeer(t, "127.0.0.2")
	en := srv.URL + "/actors/en"
	qid := p.actor + "/statuses/1"
	create := map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       qid + "/activity", "type": "Create", "actor": p.actor,
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"}, "cc": []string{en},
		"object": map[string]any{
			"id": qid, "type": "Note", "attributedTo": p.actor,
			"to": []string{"https://www.w3.org/ns/activitystreams#Public"}, "cc": []string{en},
			"content": `<p><span class="h-card"><a href="` + en + `" class="u-url mention">@<span>en</span></a></span> Who decides which stories you publish? <a href="` + p.base + `/tags/ask" class="mention hashtag" rel="tag">#<span>ask</span></a></p>`,
			"tag": []map[string]any{
				{"type": "Mention", "href": en, "name": "@en@" + strings.TrimPrefix(srv.URL, "http://")},
				{"type": "Hashtag", "href": p.base + "/tags/ask", "name": "#ask"},
			},
		},
	}
	if status := p.post(t, srv.URL+"/inbox", create); status != http.StatusAccepted {
		t.Fatalf("the question answered %d, want 202", status)
	}
	st := openStore(t, srv.env["DATABASE_URL"])
	qs, err := st.Questions(t.Context(), store.QuestionFilter{Lang: "en"})
	if err != nil || len(qs) != 1 || qs[0].APID != qid || qs[0].State != content.QuestionPending {
		t.Fatalf("questions %v, %v", qs, err)
	}

	desk := newDeskClient(t, srv.URL, "vera@example.org", "correct horse battery staple")
	desk.refreshToken(t, "/desk/questions/")
	desk.post(t, fmt.Sprintf("/desk/questions/%d", qs[0].ID), url.Values{"action": {"answer"}, "answer": {"Our editors, *together*."}})

	got := p.await(t, "Create")
	note, _ := got["object"].(map[string]any)
	if note["inReplyTo"] != qid || got["actor"] != en || !strings.Contains(fmt.Sprint(note["content"]), "<em>together</em>") {
		t.Fatalf("the answer: %v", got)
	}
	tags, _ := note["tag"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["href"] != p.actor {
		t.Errorf("the answer mentions %v, want the asker", tags)
	}
	page := getPage(t, srv.URL+"/en/ask")
	if !strings.Contains(page, "Who decides which stories you publish?") || !strings.Contains(page, "<em>together</em>") {
		t.Errorf("the Ask page lacks the question and its answer:\n%s", page)
	}
}
