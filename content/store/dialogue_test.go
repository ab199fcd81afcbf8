package store_test

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// dialogueFixture is a story published in English and Russian, and a way to
// add replies to it from remote authors.
type dialogueFixture struct {
	t     *testing.T
	s     *store.Store
	story *content.Story
	en    *content.Translation
	ru    *content.Translation
	clock time.Time
}

// fixtures counts dialogue fixtures, so that each has its own slugs.
var fixtures atomic.Int64

func newDialogueFixture(t *testing.T, s *store.Store) *dialogueFixture {
	t.Helper()
	suffix := fmt.Sprint(" ", fixtures.Add(1))
	st, en := newStory(t, s, "en", "The bakery"+suffix)
	ru := newTranslation(t, s, st.ID, "ru", "Пекарня"+suffix)
	setState(t, s, en.ID, content.StatePublished, time.Time{})
	setState(t, s, ru.ID, content.StatePublished, time.Time{})
	return &dialogueFixture{t: t, s: s, story: st, en: en, ru: ru, clock: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// author is a remote author on host.
func author(user, host string) *content.RemoteAuthor {
	return &content.RemoteAuthor{
		ID: "https://" + host + "/users/" + user, Username: user, Host: host,
		Name: "Name of " + user, URL: "https://" + host + "/@" + user,
	}
}

// reply stores a reply by a to the translation tr (when parent is nil) or
// to parent, a minute after the previous one, in state and visibility
// given by the reply template r (whose zero fields get defaults).
func (f *dialogueFixture) reply(a *content.RemoteAuthor, tr *content.Translation, parent *content.Reply, r content.Reply) *content.Reply {
	f.t.Helper()
	f.clock = f.clock.Add(time.Minute)
	r.StoryID = f.story.ID
	if r.APID == "" {
		r.APID = fmt.Sprintf("%s/statuses/%d-%d", a.ID, f.story.ID, f.clock.Unix())
	}
	if r.ContentHTML == "" {
		r.ContentHTML = "<p>Reply by " + a.Username + "</p>"
	}
	if r.State == "" {
		r.State = content.ReplyVisible
	}
	if r.Lang == "" && tr != nil {
		r.Lang = tr.Lang
	}
	r.URL = "https://" + a.Host + "/@" + a.Username + "/1"
	r.Published, r.ReceivedAt = f.clock, f.clock
	if parent != nil {
		r.ParentID, r.InReplyTo = parent.ID, parent.APID
	} else {
		r.TranslationID, r.InReplyTo = tr.ID, "https://samizdat.test/ap/articles/"+tr.ObjectKey
	}
	if err := f.s.ImportReply(f.t.Context(), &r, a); err != nil {
		f.t.Fatalf("ImportReply: %v", err)
	}
	return &r
}

func replyIDs(replies []*content.Reply) []int64 {
	var ids []int64
	for _, r := range replies {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestStore_Dialogue(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	f := newDialogueFixture(t, s)
	anna, boris, chloe := author("anna", "masto.example"), author("boris", "gts.example"), author("chloe", "misskey.example")
	anna.IconFile = "abc123.png"

	first := f.reply(anna, f.en, nil, content.Reply{Summary: "war", Sensitive: true,
		Attachments: []content.Attachment{{Media: "img1.jpg", Alt: "A queue at dawn", Type: "image/jpeg"}}})
	second := f.reply(boris, f.ru, nil, content.Reply{})
	answer := f.reply(chloe, nil, first, content.Reply{Lang: "fr"})
	pending := f.reply(chloe, f.en, nil, content.Reply{State: content.ReplyPending})
	hidden := f.reply(boris, f.en, nil, content.Reply{State: content.ReplyHidden, HiddenReason: "spam"})
	followers := f.reply(anna, f.ru, nil, content.Reply{Visibility: content.VisibilityFollowers})
	direct := f.reply(anna, f.ru, nil, content.Reply{Visibility: content.VisibilityDirect})
	unlisted := f.reply(boris, nil, second, content.Reply{Visibility: content.VisibilityUnlisted})

	// Another story's replies stay under that story.
	other := newDialogueFixture(t, s)
	other.reply(anna, other.en, nil, content.Reply{})

	got, err := s.Dialogue(t.Context(), f.story.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{first.ID, second.ID, answer.ID, unlisted.ID}; !slices.Equal(replyIDs(got), want) {
		t.Fatalf("dialogue = %v, want %v (pending %d, hidden %d, followers %d, direct %d left out)",
			replyIDs(got), want, pending.ID, hidden.ID, followers.ID, direct.ID)
	}
	g := got[0]
	if g.AuthorInfo == nil || g.AuthorInfo.Handle() != "@anna@masto.example" || g.AuthorInfo.Name != "Name of anna" ||
		g.AuthorInfo.IconFile != "abc123.png" || g.AuthorInfo.URL != "https://masto.example/@anna" {
		t.Errorf("author = %+v", g.AuthorInfo)
	}
	if g.TranslationID != f.en.ID || g.ParentID != 0 || g.Lang != "en" || g.Summary != "war" || !g.Sensitive ||
		len(g.Attachments) != 1 || g.Attachments[0].Alt != "A queue at dawn" || !g.Published.Equal(first.Published) {
		t.Errorf("first reply = %+v", g)
	}
	if got[2].ParentID != first.ID || got[2].TranslationID != 0 || got[2].Lang != "fr" {
		t.Errorf("nested reply = %+v", got[2])
	}

	t.Run("Empty", func(t *testing.T) {
		st, _ := newStory(t, s, "en", "Quiet")
		got, err := s.Dialogue(t.Context(), st.ID)
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want nothing", got, err)
		}
	})
	t.Run("ErrConflict on a repeated import", func(t *testing.T) {
		dup := content.Reply{APID: first.APID, StoryID: f.story.ID, TranslationID: f.en.ID, InReplyTo: "x", ContentHTML: "<p>again</p>"}
		if err := s.ImportReply(t.Context(), &dup, anna); !errors.Is(err, content.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
	})
}

func TestStore_ReactionCounts(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	f := newDialogueFixture(t, s)
	ctx := t.Context()
	add := func(kind, actor string, tr *content.Translation) {
		t.Helper()
		if err := s.ImportReaction(ctx, kind, fmt.Sprintf("%s#%s-%d", actor, kind, tr.ID), actor, tr.ID); err != nil {
			t.Fatal(err)
		}
	}
	add("like", "https://a.example/users/1", f.en)
	add("like", "https://a.example/users/2", f.en)
	add("announce", "https://a.example/users/1", f.en)
	add("like", "https://b.example/users/3", f.ru)
	other := newDialogueFixture(t, s)
	add("like", "https://a.example/users/1", other.en)

	got, err := s.ReactionCounts(ctx, f.story.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != (content.Reactions{Likes: 3, Shares: 1}) {
		t.Errorf("total = %+v", got.Total)
	}
	if got.ByLang["en"] != (content.Reactions{Likes: 2, Shares: 1}) || got.ByLang["ru"] != (content.Reactions{Likes: 1}) {
		t.Errorf("by language = %+v", got.ByLang)
	}
	if err := s.ImportReaction(ctx, "like", "another-id", "https://a.example/users/1", f.en.ID); !errors.Is(err, content.ErrConflict) {
		t.Errorf("a second like by the same actor: got %v, want ErrConflict", err)
	}
	empty, err := s.ReactionCounts(ctx, newDialogueFixture(t, s).story.ID)
	if err != nil || empty.Total != (content.Reactions{}) {
		t.Errorf("no reactions: got %+v, %v", empty, err)
	}
}

func TestStore_ModerationQueue(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	f := newDialogueFixture(t, s)
	anna, boris := author("anna", "masto.example"), author("boris", "gts.example")

	old := f.reply(anna, f.en, nil, content.Reply{ContentHTML: "<p>Thank you</p>"})
	hid := f.reply(anna, f.en, nil, content.Reply{State: content.ReplyHidden, HiddenReason: "spam"})
	p1 := f.reply(anna, nil, old, content.Reply{State: content.ReplyPending, HeldFor: "policy"})
	p2 := f.reply(boris, f.ru, nil, content.Reply{State: content.ReplyPending, HeldFor: "keyword"})
	late := f.reply(boris, f.ru, nil, content.Reply{})

	items, total, err := s.ModerationQueue(t.Context(), store.QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.Reply.ID)
	}
	// Pending oldest first, then the rest newest first.
	if want := []int64{p1.ID, p2.ID, late.ID, hid.ID, old.ID}; !slices.Equal(ids, want) || total != 5 {
		t.Fatalf("queue = %v (total %d), want %v (5)", ids, total, want)
	}

	it := items[0]
	if it.Reply.HeldFor != "policy" || it.Reply.AuthorInfo.Host != "masto.example" {
		t.Errorf("item = %+v", it.Reply)
	}
	if it.Parent == nil || it.Parent.ID != old.ID || it.Parent.ContentHTML != "<p>Thank you</p>" || it.AnsweredLang != "" {
		t.Errorf("parent = %+v, answered %q", it.Parent, it.AnsweredLang)
	}
	if it.Story.ID != f.story.ID || it.Story.Title != f.en.Title || it.Story.Lang != "en" || !it.Story.Published {
		t.Errorf("story = %+v", it.Story)
	}
	if h := it.Earlier; h.Visible != 1 || h.Hidden != 1 || h.Pending != 0 || h.Total() != 2 || len(h.Recent) != 2 ||
		h.Recent[0].Reply.ID != hid.ID || h.Recent[1].Reply.ID != old.ID || h.Recent[0].Story.Title != f.en.Title {
		t.Errorf("anna's history = %+v", h)
	}
	if it := items[1]; it.Parent != nil || it.AnsweredLang != "ru" || it.Earlier.Total() != 0 || len(it.Earlier.Recent) != 0 {
		t.Errorf("boris's first reply: parent %v, answered %q, history %+v", it.Parent, it.AnsweredLang, it.Earlier)
	}
	if it := items[2]; it.Earlier.Pending != 1 || it.Earlier.Total() != 1 {
		t.Errorf("boris's second reply: history %+v", it.Earlier)
	}

	t.Run("By state", func(t *testing.T) {
		items, total, err := s.ModerationQueue(t.Context(), store.QueueFilter{State: content.ReplyPending})
		if err != nil || len(items) != 2 || total != 2 {
			t.Fatalf("pending: %d items, total %d, %v", len(items), total, err)
		}
		items, total, err = s.ModerationQueue(t.Context(), store.QueueFilter{State: content.ReplyHidden})
		if err != nil || len(items) != 1 || items[0].Reply.ID != hid.ID || total != 1 {
			t.Fatalf("hidden: %v, total %d, %v", items, total, err)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		items, total, err := s.ModerationQueue(t.Context(), store.QueueFilter{Limit: 2, Offset: 2})
		if err != nil || len(items) != 2 || items[0].Reply.ID != late.ID || total != 5 {
			t.Fatalf("second page: %v, total %d, %v", items, total, err)
		}
	})
	t.Run("One item", func(t *testing.T) {
		it, err := s.ModerationItem(t.Context(), p1.ID)
		if err != nil || it.Reply.ID != p1.ID || it.Parent == nil || it.Earlier.Total() != 2 {
			t.Fatalf("got %+v, %v", it, err)
		}
		if _, err := s.ModerationItem(t.Context(), 999999); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("unknown reply: got %v, want ErrNotFound", err)
		}
	})
}
