package federation

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

// queuedLike returns the activities whose id starts with prefix.
func queuedLike(t *testing.T, e *env, prefix string) []queuedActivity {
	t.Helper()
	rows, err := e.store.Pool().Query(t.Context(), `
		SELECT a.id, a.type, a.actor, a.body,
			coalesce((SELECT array_agg(d.inbox ORDER BY d.inbox) FROM deliveries d WHERE d.activity_id = a.id), '{}'),
			(SELECT count(*) FROM river_job j WHERE j.args->>'activity_id' = a.id)
		FROM activities a WHERE a.id LIKE $1 || '%' ORDER BY a.created_at, a.id`, prefix)
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

func askNote(p *peer, id, actor, mention string, tags ...map[string]any) map[string]any {
	return map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       id + "/activity", "type": "Create", "actor": actor,
		"object": map[string]any{
			"id": id, "type": "Note", "attributedTo": actor,
			"to": []string{publicIRI}, "cc": []string{mention},
			"content": `<p><span class="h-card"><a href="` + mention + `" class="u-url mention">@en</a></span> Why do you publish under pseudonyms? <a href="https://x.example/tags/ask" class="mention hashtag" rel="tag">#<span>ask</span></a></p>`,
			"tag":     append([]map[string]any{{"type": "Mention", "href": mention, "name": "@en@samizdat.example"}}, tags...),
		},
	}
}

// TestAsk_FromFediverseAnswered takes a question from a peer's post with
// #ask, answers it as a reply to the asker, serves the answer, and
// withdraws the question when its post is deleted.
func TestAsk_FromFediverseAnswered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{base: "https://samizdat.example", allowPrivate: true})
	p := newPeer(t, e)
	en := e.fed.ActorURL("en")
	hashtag := map[string]any{"type": "Hashtag", "name": "#ask", "href": "https://x.example/tags/ask"}
	qid := p.alice() + "/statuses/1"
	for range 2 { // a repeated delivery is one question
		if w := p.send(e, p.alice(), askNote(p, qid, p.alice(), en, hashtag), sendOpts{}); w.Code != http.StatusAccepted {
			t.Fatalf("Create: %d %s", w.Code, w.Body)
		}
	}
	// Without #ask, a mention is not a question.
	if w := p.send(e, p.alice(), askNote(p, p.alice()+"/statuses/2", p.alice(), en), sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("Create: %d", w.Code)
	}
	qs, err := e.store.Questions(t.Context(), store.QuestionFilter{Lang: "en"})
	if err != nil || len(qs) != 1 {
		t.Fatalf("questions %v, %v; want 1", qs, err)
	}
	q := qs[0]
	if q.APID != qid || q.Asker != p.alice() || q.Source != content.QuestionFromFediverse || q.State != content.QuestionPending ||
		!strings.HasPrefix(q.AskerHandle, "@alice@127.0.0.2") || !strings.Contains(q.BodyHTML, "Why do you publish under pseudonyms?") {
		t.Fatalf("question %+v", q)
	}

	if err := e.fed.AnswerQuestion(t.Context(), 0, q.ID, "Because **some of us** live there."); err != nil {
		t.Fatal(err)
	}
	acts := queuedLike(t, e, "https://samizdat.example/ap/answers/")
	if len(acts) != 1 || acts[0].typ != "Create" || acts[0].actor != "en" {
		t.Fatalf("answer activities %+v", acts)
	}
	if !slices.Contains(acts[0].inboxes, p.base+"/inbox") {
		t.Errorf("the answer goes to %v, not to the asker's server", acts[0].inboxes)
	}
	var create struct {
		Object struct {
			InReplyTo string           `json:"inReplyTo"`
			To        []string         `json:"to"`
			Cc        []string         `json:"cc"`
			Content   string           `json:"content"`
			Tag       []map[string]any `json:"tag"`
		} `json:"object"`
	}
	if err := json.Unmarshal(acts[0].body, &create); err != nil {
		t.Fatal(err)
	}
	o := create.Object
	if o.InReplyTo != qid || !strings.Contains(o.Content, "<strong>some of us</strong>") || !strings.Contains(o.Content, `class="u-url mention"`) ||
		len(o.Tag) != 1 || o.Tag[0]["href"] != p.alice() || !slices.Contains(o.To, publicIRI) {
		t.Errorf("answer %+v", o)
	}
	w := e.get(t, e.fed.Handler(), "/ap/answers/"+itoa(q.ID), apAccept)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"inReplyTo":"`+qid+`"`) {
		t.Errorf("GET answer: %d %s", w.Code, w.Body)
	}

	del := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": qid + "#delete", "type": "Delete", "actor": p.alice(),
		"object": map[string]any{"id": qid, "type": "Tombstone"}}
	if w := p.send(e, p.alice(), del, sendOpts{}); w.Code != http.StatusAccepted {
		t.Fatalf("Delete: %d", w.Code)
	}
	if got, _ := e.store.Question(t.Context(), q.ID); got.State != content.QuestionWithdrawn || got.BodyHTML != "" {
		t.Errorf("after Delete: %s %q", got.State, got.BodyHTML)
	}
	if w := e.get(t, e.fed.Handler(), "/ap/answers/"+itoa(q.ID), apAccept); w.Code != http.StatusNotFound {
		t.Errorf("a withdrawn question's answer is still served: %d", w.Code)
	}
	// The answer is deleted where it was sent.
	acts = queuedLike(t, e, "https://samizdat.example/ap/answers/")
	if len(acts) != 2 || acts[1].typ != "Delete" || !slices.Contains(acts[1].inboxes, p.base+"/inbox") {
		t.Errorf("after the question's Delete: %+v", acts)
	}
}

// TestAsk_FromSite sends a site question to the asker as a direct mention.
func TestAsk_FromSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{base: "https://samizdat.example", allowPrivate: true})
	p := newPeer(t, e)
	q, err := e.fed.AskFromSite(t.Context(), "fr", p.alice(), "Qui écrit <ces> histoires ?")
	if err != nil {
		t.Fatal(err)
	}
	if q.APID != "https://samizdat.example/ap/questions/"+itoa(q.ID) || q.BodyHTML != "<p>Qui écrit &lt;ces&gt; histoires ?</p>" {
		t.Errorf("question %+v", q)
	}
	acts := queuedLike(t, e, q.APID)
	if len(acts) != 1 || acts[0].actor != "fr" || len(acts[0].inboxes) != 1 || acts[0].inboxes[0] != p.alice()+"/inbox" {
		t.Fatalf("direct mention %+v", acts)
	}
	var create struct {
		To     []string `json:"to"`
		Cc     []string `json:"cc"`
		Object struct {
			To []string `json:"to"`
		} `json:"object"`
	}
	json.Unmarshal(acts[0].body, &create) //nolint:errcheck
	if len(create.To) != 1 || create.To[0] != p.alice() || len(create.Cc) != 0 || len(create.Object.To) != 1 {
		t.Errorf("the mention is not direct: to %v cc %v", create.To, create.Cc)
	}
	// Withdrawn on the site: our copy in the asker's inbox is deleted, and
	// only the asker can withdraw it.
	if err := e.fed.WithdrawQuestion(t.Context(), p.mallory(), q.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.store.Question(t.Context(), q.ID); got.State == content.QuestionWithdrawn {
		t.Fatal("another account withdrew the question")
	}
	if err := e.fed.WithdrawQuestion(t.Context(), p.alice(), q.ID); err != nil {
		t.Fatal(err)
	}
	acts = queuedLike(t, e, q.APID)
	if len(acts) != 2 || acts[1].typ != "Delete" || len(acts[1].inboxes) != 1 || acts[1].inboxes[0] != p.alice()+"/inbox" {
		t.Errorf("after withdrawing: %+v", acts)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAsk_ModerationRules: a blocked account's question is dropped, and
// one matching a keyword rule is held with a note for the editors;
// followers-only posts are never questions.
func TestAsk_ModerationRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{base: "https://samizdat.example", allowPrivate: true})
	p := newPeer(t, e)
	en := e.fed.ActorURL("en")
	hashtag := map[string]any{"type": "Hashtag", "name": "#Ask"}
	if _, err := e.store.Block(t.Context(), 0, "account", p.mallory(), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddKeywordRule(t.Context(), 0, "pseudonyms"); err != nil {
		t.Fatal(err)
	}
	p.send(e, p.mallory(), askNote(p, p.mallory()+"/statuses/1", p.mallory(), en, hashtag), sendOpts{})
	p.send(e, p.alice(), askNote(p, p.alice()+"/statuses/1", p.alice(), en, hashtag), sendOpts{})
	followersOnly := askNote(p, p.alice()+"/statuses/2", p.alice(), en, hashtag)
	obj := followersOnly["object"].(map[string]any)
	obj["to"], obj["cc"] = []string{p.alice() + "/followers"}, []string{en}
	p.send(e, p.alice(), followersOnly, sendOpts{})
	qs, err := e.store.Questions(t.Context(), store.QuestionFilter{})
	if err != nil || len(qs) != 1 {
		t.Fatalf("questions %v, %v; want alice's public one only", qs, err)
	}
	if qs[0].Asker != p.alice() || qs[0].HeldFor != "keyword" {
		t.Errorf("question %+v; want alice's, held for a keyword", qs[0])
	}
}
