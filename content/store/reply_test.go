package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// newReply is a reply by a to tr as the inbox would build it.
func newReply(f *dialogueFixture, a *content.RemoteAuthor, tr *content.Translation, apID string) *content.Reply {
	f.clock = f.clock.Add(time.Minute)
	return &content.Reply{
		APID: apID, StoryID: f.story.ID, TranslationID: tr.ID, InReplyTo: "https://samizdat.test/ap/articles/" + tr.ObjectKey,
		Author: a.ID, AuthorHost: a.Host, Lang: tr.Lang, ContentHTML: "<p>first</p>",
		Visibility: content.VisibilityPublic, State: content.ReplyVisible, Published: f.clock,
		Emojis: []content.Emoji{{Shortcode: ":blob:", Media: "x.png"}},
	}
}

func TestStore_SaveReply(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice := author("alice", "mastodon.example")
	known := f.reply(alice, f.en, nil, content.Reply{}) // makes alice a known actor

	r := newReply(f, alice, f.en, alice.ID+"/statuses/1")
	stored, err := s.SaveReply(ctx, r, alice.ID+"/statuses/1/replies")
	if err != nil || !stored || r.ID == 0 {
		t.Fatalf("SaveReply: stored %v, id %d, %v", stored, r.ID, err)
	}
	got, err := s.ReplyByAPID(ctx, r.APID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != r.ID || got.ContentHTML != "<p>first</p>" || got.AuthorInfo.Username != "alice" ||
		len(got.Emojis) != 1 || got.Emojis[0].Shortcode != ":blob:" || got.TranslationID != f.en.ID || got.ParentID != 0 {
		t.Errorf("ReplyByAPID = %+v", got)
	}
	if byID, err := s.Reply(ctx, r.ID); err != nil || byID.APID != r.APID {
		t.Errorf("Reply(%d) = %+v, %v", r.ID, byID, err)
	}

	t.Run("Duplicate", func(t *testing.T) {
		dup := newReply(f, alice, f.en, r.APID)
		dup.ContentHTML = "<p>changed</p>"
		stored, err := s.SaveReply(ctx, dup, "")
		if err != nil || stored {
			t.Fatalf("second SaveReply: stored %v, %v; want false, nil", stored, err)
		}
		if got, _ := s.ReplyByAPID(ctx, r.APID); got.ContentHTML != "<p>first</p>" {
			t.Errorf("a duplicate Create changed the reply: %q", got.ContentHTML)
		}
	})

	t.Run("Nested", func(t *testing.T) {
		child := newReply(f, alice, f.en, alice.ID+"/statuses/2")
		child.TranslationID, child.ParentID, child.InReplyTo, child.Depth = 0, known.ID, known.APID, 1
		if stored, err := s.SaveReply(ctx, child, ""); err != nil || !stored {
			t.Fatalf("SaveReply nested: %v, %v", stored, err)
		}
		got, err := s.ReplyByAPID(ctx, child.APID)
		if err != nil || got.ParentID != known.ID || got.TranslationID != 0 || got.Depth != 1 {
			t.Errorf("nested reply %+v, %v", got, err)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.ReplyByAPID(ctx, "https://nowhere.example/1"); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("ReplyByAPID of an unknown id: %v, want ErrNotFound", err)
		}
	})
}

func TestStore_UpdateReply(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice, bob := author("alice", "mastodon.example"), author("bob", "gts.example")
	visible := f.reply(alice, f.en, nil, content.Reply{})
	hidden := f.reply(alice, f.en, nil, content.Reply{State: content.ReplyHidden, HiddenReason: "hostile"})
	f.reply(bob, f.en, nil, content.Reply{})
	later := f.clock.Add(time.Hour)
	edit := store.ReplyEdit{ContentHTML: "<p>edited</p>", Lang: "en", Updated: later}

	for _, c := range []struct {
		name      string
		reply     *content.Reply
		author    string
		edit      store.ReplyEdit
		changed   bool
		state     content.ReplyState
		wantHTML  string
		wantState content.ReplyState
	}{
		{"OtherAuthor", visible, bob.ID, edit, false, "", "<p>Reply by alice</p>", content.ReplyVisible},
		{"Stale", visible, alice.ID, store.ReplyEdit{ContentHTML: "<p>old</p>", Updated: visible.Published.Add(-time.Hour)}, false, "", "<p>Reply by alice</p>", content.ReplyVisible},
		{"OK", visible, alice.ID, edit, true, content.ReplyVisible, "<p>edited</p>", content.ReplyVisible},
		{"SameTimeAgain", visible, alice.ID, store.ReplyEdit{ContentHTML: "<p>replay</p>", Updated: later}, false, "", "<p>edited</p>", content.ReplyVisible},
		{"HiddenStaysHidden", hidden, alice.ID, store.ReplyEdit{ContentHTML: "<p>nicer now</p>", Updated: later, Review: true}, true, content.ReplyHidden, "<p>nicer now</p>", content.ReplyHidden},
		{"BackToReview", visible, alice.ID, store.ReplyEdit{ContentHTML: "<p>again</p>", Updated: later.Add(time.Minute), Review: true}, true, content.ReplyPending, "<p>again</p>", content.ReplyPending},
	} {
		t.Run(c.name, func(t *testing.T) {
			changed, state, err := s.UpdateReply(ctx, c.reply.APID, c.author, c.edit)
			if err != nil || changed != c.changed || state != c.state {
				t.Fatalf("UpdateReply = %v, %q, %v; want %v, %q", changed, state, err, c.changed, c.state)
			}
			got, err := s.ReplyByAPID(ctx, c.reply.APID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ContentHTML != c.wantHTML || got.State != c.wantState {
				t.Errorf("after: %q %s, want %q %s", got.ContentHTML, got.State, c.wantHTML, c.wantState)
			}
			if c.name == "BackToReview" && got.HeldFor != "edit" {
				t.Errorf("held for %q, want edit", got.HeldFor)
			}
			if c.name == "HiddenStaysHidden" && got.HiddenReason != "hostile" {
				t.Errorf("hidden reason %q, want it kept", got.HiddenReason)
			}
		})
	}
}

func TestStore_DeleteReply(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice, bob := author("alice", "mastodon.example"), author("bob", "gts.example")
	parent := f.reply(alice, f.en, nil, content.Reply{})
	child := f.reply(bob, nil, parent, content.Reply{})

	if gone, err := s.DeleteReply(ctx, parent.APID, bob.ID); err != nil || gone {
		t.Fatalf("bob deleting alice's reply: %v, %v", gone, err)
	}
	if gone, err := s.DeleteReply(ctx, parent.APID, alice.ID); err != nil || !gone {
		t.Fatalf("DeleteReply: %v, %v", gone, err)
	}
	if _, err := s.ReplyByAPID(ctx, parent.APID); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("deleted reply still there: %v", err)
	}
	if ok, err := s.IsReplyTombstoned(ctx, parent.APID); err != nil || !ok {
		t.Errorf("no tombstone: %v, %v", ok, err)
	}
	if got, err := s.ReplyByAPID(ctx, child.APID); err != nil || got.ParentID != 0 {
		t.Errorf("the answer to a deleted reply: %+v, %v; want kept, without a parent", got, err)
	}
	// A Create arriving after its Delete is ignored.
	again := newReply(f, alice, f.en, parent.APID)
	if stored, err := s.SaveReply(ctx, again, ""); err != nil || stored {
		t.Errorf("SaveReply of a tombstoned id: %v, %v; want false", stored, err)
	}
	// A Delete of a reply we never had leaves a tombstone too.
	if gone, err := s.DeleteReply(ctx, alice.ID+"/statuses/never", alice.ID); err != nil || gone {
		t.Errorf("DeleteReply of an unknown reply: %v, %v", gone, err)
	}
	if ok, _ := s.IsReplyTombstoned(ctx, alice.ID+"/statuses/never"); !ok {
		t.Error("no tombstone for a reply deleted before it arrived")
	}
}

func TestStore_ForgetActor(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice, bob := author("alice", "mastodon.example"), author("bob", "gts.example")
	r1 := f.reply(alice, f.en, nil, content.Reply{})
	r2 := f.reply(alice, f.ru, nil, content.Reply{State: content.ReplyHidden, HiddenReason: "spam"})
	kept := f.reply(bob, nil, r1, content.Reply{})
	if _, err := s.AddReaction(ctx, store.ReactionLike, alice.ID+"#likes/1", alice.ID, f.en.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Follow(ctx, "en", alice.ID, alice.ID+"#follows/1", nil); err != nil {
		t.Fatal(err)
	}
	res, err := s.ForgetActor(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *res != (store.ForgetResult{Replies: 2, Reactions: 1, Follows: 1}) {
		t.Errorf("ForgetActor = %+v", res)
	}
	for _, r := range []*content.Reply{r1, r2} {
		if ok, _ := s.IsReplyTombstoned(ctx, r.APID); !ok {
			t.Errorf("no tombstone for %s", r.APID)
		}
	}
	if known, _ := s.RemoteActorKnown(ctx, alice.ID); known {
		t.Error("the deleted actor is still known")
	}
	if _, err := s.ReplyByAPID(ctx, kept.APID); err != nil {
		t.Errorf("bob's answer went with alice: %v", err)
	}
	if n, _ := s.TranslationReactions(ctx, f.en.ID); n.Likes != 0 {
		t.Errorf("likes after forgetting: %d", n.Likes)
	}
}

func TestStore_ArticleReplies(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice, bob := author("alice", "mastodon.example"), author("bob", "gts.example")
	var want []string
	for i := range 5 {
		want = append(want, f.reply(alice, f.en, nil, content.Reply{}).APID)
		if i == 1 {
			// Around them, everything that must stay out of the collection.
			f.reply(bob, f.en, nil, content.Reply{State: content.ReplyHidden, HiddenReason: "spam"})
			f.reply(bob, f.en, nil, content.Reply{State: content.ReplyPending})
			f.reply(bob, f.en, nil, content.Reply{Visibility: content.VisibilityFollowers})
			f.reply(bob, f.en, nil, content.Reply{Visibility: content.VisibilityDirect})
			f.reply(bob, f.ru, nil, content.Reply{})
			parent, _ := s.ReplyByAPID(ctx, want[0])
			f.reply(bob, nil, parent, content.Reply{})
		}
	}
	f.reply(bob, f.en, nil, content.Reply{Visibility: content.VisibilityUnlisted})
	unlisted := f.clock

	var got []string
	for offset := 0; ; offset += 2 {
		ids, total, err := s.ArticleReplies(ctx, f.en.ID, 2, offset)
		if err != nil {
			t.Fatal(err)
		}
		if total != 6 {
			t.Fatalf("total %d, want 6 (five public and one unlisted)", total)
		}
		if len(ids) == 0 {
			break
		}
		got = append(got, ids...)
	}
	if len(got) != 6 || !slices.Equal(got[:5], want) {
		t.Errorf("ArticleReplies = %v, want %v and the unlisted one of %v", got, want, unlisted)
	}
}

func TestStore_Reactions(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	a, b := "https://m.example/users/a", "https://g.example/users/b"
	add := func(kind, id, actor string, tr int64, want bool) {
		t.Helper()
		if got, err := s.AddReaction(ctx, kind, id, actor, tr); err != nil || got != want {
			t.Errorf("AddReaction(%s %s) = %v, %v; want %v", kind, id, got, err, want)
		}
	}
	count := func(tr int64, want content.Reactions) {
		t.Helper()
		if got, err := s.TranslationReactions(ctx, tr); err != nil || got != want {
			t.Errorf("TranslationReactions = %+v, %v; want %+v", got, err, want)
		}
	}
	add(store.ReactionLike, a+"#likes/1", a, f.en.ID, true)
	add(store.ReactionLike, a+"#likes/1", a, f.en.ID, false) // the same activity again
	add(store.ReactionLike, a+"#likes/2", a, f.en.ID, false) // a second like by a
	add(store.ReactionAnnounce, a+"/boost/1", a, f.en.ID, true)
	add(store.ReactionLike, b+"/liked/1", b, f.en.ID, true)
	add(store.ReactionLike, b+"/liked/2", b, f.ru.ID, true)
	count(f.en.ID, content.Reactions{Likes: 2, Shares: 1})
	count(f.ru.ID, content.Reactions{Likes: 1})

	remove := func(actor, id, kind string, tr int64, want int) {
		t.Helper()
		if got, err := s.RemoveReaction(ctx, actor, id, kind, tr); err != nil || got != want {
			t.Errorf("RemoveReaction(%s) = %d, %v; want %d", id, got, err, want)
		}
	}
	remove(b, a+"#likes/1", "", 0, 0)                              // not b's
	remove(a, a+"#likes/1", "", 0, 1)                              // by id
	remove(a, a+"/unknown-id", store.ReactionAnnounce, f.en.ID, 1) // by actor and object
	remove(b, b+"/liked/9", store.ReactionLike, f.en.ID, 1)
	count(f.en.ID, content.Reactions{})
	count(f.ru.ID, content.Reactions{Likes: 1})
}

func TestStore_CreateReport(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice := author("alice", "mastodon.example")
	r := f.reply(alice, f.ru, nil, content.Reply{})

	p := &content.Report{ActivityID: "https://m.example/flags/1", Reporter: "https://m.example/actor", Comment: "spam",
		Objects: []string{alice.ID, r.APID}}
	if created, err := s.CreateReport(ctx, p); err != nil || !created {
		t.Fatalf("CreateReport: %v, %v", created, err)
	}
	if p.ReplyID != r.ID || p.TranslationID != f.ru.ID || p.State != "open" || p.ID == 0 {
		t.Errorf("report %+v; want it tied to the reply and its translation", p)
	}
	if created, err := s.CreateReport(ctx, &content.Report{ActivityID: p.ActivityID, Reporter: p.Reporter}); err != nil || created {
		t.Errorf("the same Flag again: %v, %v; want not created", created, err)
	}
	story := &content.Report{ActivityID: "https://m.example/flags/2", Reporter: "https://m.example/actor", TranslationID: f.en.ID,
		Objects: []string{"https://samizdat.test/ap/articles/" + f.en.ObjectKey}}
	if created, err := s.CreateReport(ctx, story); err != nil || !created || story.ReplyID != 0 || story.TranslationID != f.en.ID {
		t.Errorf("report about a story: %+v, %v, %v", story, created, err)
	}
}

func TestStore_MediaAndBackfill(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice := author("alice", "mastodon.example")

	if _, _, err := s.MediaFile(ctx, "https://m.example/a.png"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("MediaFile of an unknown URL: %v", err)
	}
	if err := s.SaveMediaFile(ctx, "https://m.example/a.png", "aa.png", "image/png"); err != nil {
		t.Fatal(err)
	}
	if file, ct, err := s.MediaFile(ctx, "https://m.example/a.png"); err != nil || file != "aa.png" || ct != "image/png" {
		t.Errorf("MediaFile = %q %q %v", file, ct, err)
	}
	r := f.reply(alice, f.en, nil, content.Reply{})
	if err := s.SetRemoteActorIcon(ctx, alice.ID, "aa.png"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ReplyByAPID(ctx, r.APID); got.AuthorInfo.IconFile != "aa.png" {
		t.Errorf("icon file %q", got.AuthorInfo.IconFile)
	}

	// Backfill: visible public replies, not too deep, least recently read first.
	deep := f.reply(alice, f.en, nil, content.Reply{Depth: 3})
	f.reply(alice, f.en, nil, content.Reply{State: content.ReplyPending})
	second := f.reply(alice, f.en, nil, content.Reply{})
	if err := s.SetRepliesIRI(ctx, second.ID, second.APID+"/replies"); err != nil {
		t.Fatal(err)
	}
	now := s.Now()
	items, err := s.ClaimBackfill(ctx, f.clock.Add(-24*time.Hour), now.Add(-time.Hour), 3, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ReplyID)
		if it.ReplyID == second.ID && it.RepliesIRI != second.APID+"/replies" {
			t.Errorf("replies IRI %q", it.RepliesIRI)
		}
		if it.ReplyID == deep.ID {
			t.Error("a reply at the depth limit was claimed")
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []int64{r.ID, second.ID}) {
		t.Errorf("claimed %v, want %v", ids, []int64{r.ID, second.ID})
	}
	// Just read: not claimed again until stale.
	if again, err := s.ClaimBackfill(ctx, f.clock.Add(-24*time.Hour), now.Add(-time.Hour), 3, 10); err != nil || len(again) != 0 {
		t.Errorf("claimed again at once: %v, %v", again, err)
	}
}

func TestStore_ContextReplies(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	f := newDialogueFixture(t, s)
	alice, bob := author("alice", "mastodon.example"), author("bob", "gts.example")
	top := f.reply(alice, f.en, nil, content.Reply{})
	hidden := f.reply(bob, f.en, nil, content.Reply{State: content.ReplyHidden, HiddenReason: "spam"})
	under := f.reply(bob, nil, top, content.Reply{})
	deeper := f.reply(alice, nil, under, content.Reply{Visibility: content.VisibilityUnlisted})
	f.reply(alice, nil, hidden, content.Reply{})                                     // under a hidden reply: out
	f.reply(alice, nil, top, content.Reply{Visibility: content.VisibilityFollowers}) // not public: out
	f.reply(alice, f.ru, nil, content.Reply{})                                       // another translation: out
	got, err := s.ContextReplies(t.Context(), f.en.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{top.APID, under.APID, deeper.APID}; !slices.Equal(got, want) {
		t.Errorf("ContextReplies = %v, want %v", got, want)
	}
	if got, _ := s.ContextReplies(t.Context(), f.en.ID, 2); len(got) != 2 {
		t.Errorf("limit 2 gave %d", len(got))
	}
}
