package federation

import (
	"encoding/json"
	"net/http"
	"testing"

	"samizdat/content"
)

// sentOfType returns the bodies of the activities of one type queued for
// inbox, oldest first.
func sentOfType(t *testing.T, e *env, typ, inbox string) []map[string]any {
	t.Helper()
	rows, err := e.store.Pool().Query(t.Context(), `
		SELECT a.body FROM activities a JOIN deliveries d ON d.activity_id = a.id
		WHERE a.type = $1 AND d.inbox = $2 ORDER BY a.created_at, a.id`, typ, inbox)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, decode(t, b))
	}
	return out
}

// quoteRequest sends the Mastodon QuoteRequest fixture, altered by edit.
func (d *dialogueEnv) quoteRequest(t *testing.T, edit func(map[string]any)) {
	t.Helper()
	f := d.fixture(t, "mastodon/quote-request")
	if edit != nil {
		edit(f.Activity)
	}
	if w := d.p.send(d.env, d.p.alice(), f.Activity, sendOpts{path: f.Path}); w.Code != http.StatusAccepted {
		t.Fatalf("QuoteRequest: %d", w.Code)
	}
}

// TestQuote_MastodonRequest runs a quote as Mastodon 4.5 makes one: the
// Article says anyone may quote it; a QuoteRequest is answered with an
// Accept whose result is a QuoteAuthorization served at its own URL; the
// quote is counted; asking again gives the same authorization; a
// moderator's revocation sends a Delete of the authorization, which then
// answers 404, and the post is refused if it asks again.
func TestQuote_MastodonRequest(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	art := decode(t, d.getAP(t, d.fed.iri.Article(d.en.ObjectKey)))
	policy, _ := json.Marshal(art["interactionPolicy"])
	if string(policy) != `{"canQuote":{"automaticApproval":["`+publicIRI+`"]}}` {
		t.Errorf("interactionPolicy %s", policy)
	}

	d.quoteRequest(t, nil)
	inbox := d.p.alice() + "/inbox"
	accepts := sentOfType(t, d.env, "Accept", inbox)
	if len(accepts) != 1 {
		t.Fatalf("%d Accepts to alice's inbox", len(accepts))
	}
	a := accepts[0]
	obj, _ := a["object"].(map[string]any)
	result := str(a["result"])
	if a["actor"] != d.fed.ActorURL("en") || obj["type"] != "QuoteRequest" || obj["id"] != d.p.alice()+"/quote_requests/114500000000000001" ||
		obj["instrument"] != d.p.alice()+"/statuses/114500000000000001" || obj["object"] != d.fed.iri.Article(d.en.ObjectKey) || result == "" {
		t.Fatalf("Accept %v", a)
	}
	auth := decode(t, d.getAP(t, result))
	if auth["type"] != "QuoteAuthorization" || auth["id"] != result || auth["attributedTo"] != d.fed.ActorURL("en") ||
		auth["interactingObject"] != d.p.alice()+"/statuses/114500000000000001" || auth["interactionTarget"] != d.fed.iri.Article(d.en.ObjectKey) {
		t.Errorf("QuoteAuthorization %v", auth)
	}
	if got := d.reactions(t, d.en); got.Quotes != 1 {
		t.Errorf("quotes %d, want 1", got.Quotes)
	}
	counts, err := d.store.ReactionCounts(ctx, d.en.StoryID)
	if err != nil || counts.Total.Quotes != 1 {
		t.Errorf("story counts %+v, %v", counts, err)
	}

	d.quoteRequest(t, nil) // Mastodon sends again when it heard nothing
	if accepts = sentOfType(t, d.env, "Accept", inbox); len(accepts) != 2 || str(accepts[1]["result"]) != result {
		t.Errorf("a repeated request got %v", accepts)
	}
	if got := d.reactions(t, d.en); got.Quotes != 1 {
		t.Errorf("quotes %d after a repeated request", got.Quotes)
	}

	qs, err := d.store.Quotes(ctx, d.en.ID)
	if err != nil || len(qs) != 1 {
		t.Fatalf("quotes %v, %v", qs, err)
	}
	if err := d.fed.RevokeQuote(ctx, 0, qs[0].ID); err != nil {
		t.Fatal(err)
	}
	dels := sentOfType(t, d.env, "Delete", d.p.base+"/inbox")
	if len(dels) != 1 || dels[0]["object"] != result || dels[0]["actor"] != d.fed.ActorURL("en") {
		t.Fatalf("revocation %v", dels)
	}
	if w := d.get(t, d.fed.Handler(), result, ContentType); w.Code != http.StatusNotFound {
		t.Errorf("a revoked authorization answers %d", w.Code)
	}
	if got := d.reactions(t, d.en); got.Quotes != 0 {
		t.Errorf("quotes %d after the revocation", got.Quotes)
	}
	d.quoteRequest(t, nil)
	if rejects := sentOfType(t, d.env, "Reject", inbox); len(rejects) != 1 {
		t.Errorf("a revoked post asking again got %d Rejects", len(rejects))
	}
}

// TestQuote_Policy checks the three policies on the Article and on
// requests, a blocked account's Reject, a post fetched when it is not
// embedded, and a deleted quoting post no longer counted.
func TestQuote_Policy(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()
	inbox := d.p.alice() + "/inbox"
	policyOf := func() string {
		t.Helper()
		art := decode(t, d.getAP(t, d.fed.iri.Article(d.en.ObjectKey)))
		b, _ := json.Marshal(art["interactionPolicy"])
		return string(b)
	}

	if err := d.store.SetQuotePolicy(ctx, 0, content.QuoteNobody); err != nil {
		t.Fatal(err)
	}
	if got, want := policyOf(), `{"canQuote":{"automaticApproval":["`+d.fed.ActorURL("en")+`"]}}`; got != want {
		t.Errorf("nobody: %s, want %s", got, want)
	}
	d.quoteRequest(t, nil)
	if n := len(sentOfType(t, d.env, "Reject", inbox)); n != 1 {
		t.Errorf("nobody: %d Rejects", n)
	}

	if err := d.store.SetQuotePolicy(ctx, 0, content.QuoteFollowers); err != nil {
		t.Fatal(err)
	}
	if got, want := policyOf(), `{"canQuote":{"automaticApproval":["`+d.fed.iri.Followers("en")+`"]}}`; got != want {
		t.Errorf("followers: %s, want %s", got, want)
	}
	d.quoteRequest(t, nil)
	if n := len(sentOfType(t, d.env, "Reject", inbox)); n != 2 {
		t.Errorf("followers, from a stranger: %d Rejects", n)
	}
	if _, err := d.store.Follow(ctx, "en", d.p.alice(), d.p.alice()+"#follows/1", nil); err != nil {
		t.Fatal(err)
	}
	// The post given by its id only: fetched from alice's server.
	post := d.p.alice() + "/statuses/114500000000000002"
	d.p.serveDoc(rel(d.p.base, post), map[string]any{"id": post, "type": "Note", "attributedTo": d.p.alice(),
		"to": []any{publicIRI}, "content": "<p>again</p>", "quote": d.fed.iri.Article(d.en.ObjectKey)})
	d.quoteRequest(t, func(a map[string]any) {
		a["id"] = d.p.alice() + "/quote_requests/2"
		a["instrument"] = post
	})
	if n := len(sentOfType(t, d.env, "Accept", inbox)); n != 1 {
		t.Errorf("followers, from a follower: %d Accepts", n)
	}
	if got := d.reactions(t, d.en); got.Quotes != 1 {
		t.Errorf("quotes %d", got.Quotes)
	}

	// alice deletes her quoting post.
	w := d.p.send(d.env, d.p.alice(), map[string]any{"id": post + "#delete", "type": "Delete", "actor": d.p.alice(),
		"object": map[string]any{"id": post, "type": "Tombstone"}}, sendOpts{})
	if w.Code != http.StatusAccepted {
		t.Fatalf("Delete: %d", w.Code)
	}
	if got := d.reactions(t, d.en); got.Quotes != 0 {
		t.Errorf("quotes %d after the post was deleted", got.Quotes)
	}

	// A blocked account is answered with a Reject whatever the policy.
	if err := d.store.SetQuotePolicy(ctx, 0, content.QuotePublic); err != nil {
		t.Fatal(err)
	}
	if _, err := d.store.Block(ctx, 0, "account", d.p.alice(), "test"); err != nil {
		t.Fatal(err)
	}
	d.quoteRequest(t, func(a map[string]any) { a["id"] = d.p.alice() + "/quote_requests/3" })
	if n := len(sentOfType(t, d.env, "Reject", inbox)); n != 3 {
		t.Errorf("blocked: %d Rejects, want a third", n)
	}
	if n := len(sentOfType(t, d.env, "Accept", inbox)); n != 1 {
		t.Errorf("blocked: %d Accepts, want none more", n)
	}
}

// TestQuote_AuthorizationSignedFetch checks that a quote's authorization is
// served to a signed fetch when authorized fetch is on, and refused to an
// unsigned one, as the Article it authorizes is; and that the signed fetch
// of the Article itself is recorded for the Article's reach.
func TestQuote_AuthorizationSignedFetch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true, authorized: true})
	p := newPeer(t, e)
	tr := e.publish(t, "en", "Lights out in Kharkiv", nil, false)
	q := &content.Quote{TranslationID: tr.ID, Actor: p.alice(), Post: p.alice() + "/statuses/1", RequestID: p.alice() + "/quote_requests/1"}
	if _, err := e.store.SaveQuote(t.Context(), q, nil); err != nil {
		t.Fatal(err)
	}
	path := "/ap/quotes/" + q.AuthKey
	if w := p.signedGet(e, e.fed.Handler(), path, p.alice(), nil); w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d, want 401", w.Code)
	}
	w := p.signedGet(e, e.fed.Handler(), path, p.alice(), p.key)
	if w.Code != http.StatusOK {
		t.Fatalf("signed: %d, want 200", w.Code)
	}
	if m := decode(t, w.Body.Bytes()); m["type"] != "QuoteAuthorization" || m["interactingObject"] != q.Post {
		t.Errorf("authorization %v", m)
	}
	if w := p.signedGet(e, e.fed.Handler(), "/ap/articles/"+tr.ObjectKey, p.alice(), p.key); w.Code != http.StatusOK {
		t.Fatalf("signed Article fetch: %d", w.Code)
	}
	var fetchers int
	if err := e.store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM article_fetches WHERE translation_id = $1 AND signer = $2`, tr.ID, p.alice()).Scan(&fetchers); err != nil || fetchers != 1 {
		t.Errorf("%d fetches recorded for alice, %v; want 1", fetchers, err)
	}
	reach, err := e.store.ArticleReach(t.Context(), e.store.Pool(), tr.ID, tr.StoryID, false)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]string{}
	for _, r := range reach {
		groups[r.Inbox] = r.Group
	}
	// alice quoted it and her server fetched it: one inbox, the first group.
	if len(groups) != 1 || groups[p.base+"/inbox"] != "quoted" {
		t.Errorf("reach %v, want alice's shared inbox as quoted", groups)
	}
}
