package federation

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
)

// importReply stores a reply by a remote author straight into the store.
func importReply(t *testing.T, e *env, tr *content.Translation, parent *content.Reply, author, id string, state content.ReplyState, vis content.Visibility, at time.Time) *content.Reply {
	t.Helper()
	r := &content.Reply{
		APID: id, StoryID: tr.StoryID, Author: author, ContentHTML: "<p>" + id + "</p>",
		State: state, Visibility: vis, Published: at, ReceivedAt: at,
	}
	if state == content.ReplyHidden {
		r.HiddenReason = "hostile"
	}
	if parent != nil {
		r.ParentID, r.InReplyTo, r.Depth = parent.ID, parent.APID, parent.Depth+1
	} else {
		r.TranslationID, r.InReplyTo = tr.ID, e.fed.ArticleIRI(tr.ObjectKey)
	}
	a := &content.RemoteAuthor{ID: author, Username: "someone", Host: "mastodon.example"}
	if err := e.store.ImportReply(t.Context(), r, a); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReplies_OnlyVisible checks docs/federation.md#mastodon-replies-backfill,
// #likes-shares-counts on the Article and its collections: only visible public
// or unlisted direct replies are listed, pages chain to the end, and hiding a
// reply takes it out at once.
func TestReplies_OnlyVisible(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	tr := e.publish(t, "en", "Lights out in Kharkiv", nil, false)
	other := e.publish(t, "en", "Another story", nil, false)
	alice := "https://mastodon.example/users/alice"
	at := t0.Add(time.Minute)
	var visible []string
	var first *content.Reply
	for i := range repliesPageSize + 5 {
		at = at.Add(time.Minute)
		vis := content.VisibilityPublic
		if i%2 == 1 {
			vis = content.VisibilityUnlisted
		}
		r := importReply(t, e, tr, nil, alice, fmt.Sprintf("https://mastodon.example/users/alice/statuses/%d", i), content.ReplyVisible, vis, at)
		visible = append(visible, r.APID)
		if first == nil {
			first = r
		}
	}
	for i, c := range []struct {
		state content.ReplyState
		vis   content.Visibility
	}{
		{content.ReplyHidden, content.VisibilityPublic},
		{content.ReplyPending, content.VisibilityPublic},
		{content.ReplyVisible, content.VisibilityFollowers},
		{content.ReplyVisible, content.VisibilityDirect},
	} {
		importReply(t, e, tr, nil, alice, fmt.Sprintf("https://mastodon.example/users/alice/statuses/never-%d", i), c.state, c.vis, at)
	}
	importReply(t, e, tr, first, alice, "https://mastodon.example/users/alice/statuses/nested", content.ReplyVisible, content.VisibilityPublic, at)
	importReply(t, e, other, nil, alice, "https://mastodon.example/users/alice/statuses/other", content.ReplyVisible, content.VisibilityPublic, at)

	// Walk the collection as Mastodon's backfill does: first, then next.
	collect := func() []string {
		t.Helper()
		coll := decode(t, e.getAP(t, "/ap/articles/"+tr.ObjectKey+"/replies"))
		page, _ := coll["first"].(map[string]any)
		var got []string
		for n := 0; page != nil; n++ {
			if page["type"] != "CollectionPage" || page["partOf"] != e.fed.iri.Replies(tr.ObjectKey) {
				t.Fatalf("page %v", page)
			}
			for _, it := range page["items"].([]any) {
				got = append(got, it.(string))
			}
			next, _ := page["next"].(string)
			if next == "" || n > 10 {
				break
			}
			page = decode(t, e.getAP(t, next[len("https://samizdat.example"):]))
		}
		return got
	}
	if got := collect(); !slices.Equal(got, visible) {
		t.Errorf("replies collection lists %d items %v\nwant %d %v", len(got), got, len(visible), visible)
	}
	art := decode(t, e.getAP(t, "/ap/articles/"+tr.ObjectKey))
	firstPage := art["replies"].(map[string]any)["first"].(map[string]any)
	if items := firstPage["items"].([]any); len(items) != repliesPageSize || firstPage["next"] != page(e.fed.iri.Replies(tr.ObjectKey), 2) {
		t.Errorf("the Article's first page has %d items and next %v", len(items), firstPage["next"])
	}

	// Hidden: gone from the collection at once.
	if _, err := e.store.SetReplyState(ctx, 0, []int64{first.ID}, content.ReplyHidden, "hostile"); err != nil {
		t.Fatal(err)
	}
	if got := collect(); slices.Contains(got, first.APID) || len(got) != len(visible)-1 {
		t.Errorf("after hiding: %d items, hidden one listed: %v", len(got), slices.Contains(got, first.APID))
	}
	if w := e.get(t, e.fed.Handler(), "/ap/articles/"+tr.ObjectKey+"/replies?page=0", "application/activity+json"); w.Code != 404 {
		t.Errorf("page=0: %d, want 404", w.Code)
	}
}

// TestGolden_ArticleDialogue pins an Article with replies and counts.
func TestGolden_ArticleDialogue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	tr := e.publish(t, "en", "Lights out in Kharkiv", []string{"war"}, false)
	keys := []string{tr.ObjectKey, "KEY-1"}
	alice, erin := "https://mastodon.example/users/alice", "https://gts.example/users/erin"
	a := importReply(t, e, tr, nil, alice, alice+"/statuses/1", content.ReplyVisible, content.VisibilityPublic, t0.Add(time.Minute))
	importReply(t, e, tr, nil, erin, erin+"/statuses/01HIDDEN", content.ReplyHidden, content.VisibilityPublic, t0.Add(2*time.Minute))
	importReply(t, e, tr, a, erin, erin+"/statuses/01NESTED", content.ReplyVisible, content.VisibilityPublic, t0.Add(3*time.Minute))
	importReply(t, e, tr, nil, erin, erin+"/statuses/01UNLISTED", content.ReplyVisible, content.VisibilityUnlisted, t0.Add(4*time.Minute))
	for i, r := range []struct{ kind, actor string }{
		{store.ReactionLike, alice}, {store.ReactionLike, erin}, {store.ReactionAnnounce, alice},
	} {
		if _, err := e.store.AddReaction(ctx, r.kind, fmt.Sprintf("%s#r/%d", r.actor, i), r.actor, tr.ID); err != nil {
			t.Fatal(err)
		}
	}
	golden(t, "article-dialogue", e.getAP(t, "/ap/articles/"+tr.ObjectKey), keys...)
	golden(t, "replies-dialogue", e.getAP(t, "/ap/articles/"+tr.ObjectKey+"/replies?page=1"), keys...)
	golden(t, "likes-dialogue", e.getAP(t, "/ap/articles/"+tr.ObjectKey+"/likes"), keys...)
	golden(t, "shares-dialogue", e.getAP(t, "/ap/articles/"+tr.ObjectKey+"/shares"), keys...)
	golden(t, "context-dialogue", e.getAP(t, "/ap/articles/"+tr.ObjectKey+"/context"), keys...)
}
