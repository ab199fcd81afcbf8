package demo_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/demo"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

func TestLoad_Dialogue(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	const base = "https://samizdat.test"
	res := load(t, st, demo.Options{BaseURL: base})
	if res.Replies < 10 || res.Reactions < 10 {
		t.Fatalf("Result %+v: want a dialogue", res)
	}

	langs := map[string]bool{}
	withDialogue, threaded, likes, boosts := 0, false, 0, 0
	for _, s := range allStories(t, st) {
		replies, err := st.Dialogue(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(replies) > 0 {
			withDialogue++
		}
		for _, r := range replies {
			langs[r.Lang] = true
			threaded = threaded || (r.ParentID != 0 && r.Depth > 0)
			if !strings.HasSuffix(r.AuthorHost, ".example") || !strings.HasPrefix(r.InReplyTo, "https://") {
				t.Errorf("reply %s by %s answers %s", r.APID, r.AuthorHost, r.InReplyTo)
			}
			if r.ParentID == 0 && !strings.HasPrefix(r.InReplyTo, base+"/ap/articles/") {
				t.Errorf("top reply %s answers %s, not one of our Articles", r.APID, r.InReplyTo)
			}
			if r.AuthorInfo == nil || r.AuthorInfo.IconFile == "" {
				t.Errorf("reply %s: author without an avatar: %+v", r.APID, r.AuthorInfo)
				continue
			}
			m, err := st.Media(t.Context(), "remote/"+r.AuthorInfo.IconFile)
			if err != nil {
				t.Errorf("avatar of %s: %v", r.Author, err)
			} else if _, err := png.Decode(bytes.NewReader(m.Content)); err != nil {
				t.Errorf("avatar of %s is not a PNG: %v", r.Author, err)
			}
		}
		counts, err := st.ReactionCounts(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		likes += counts.Total.Likes
		boosts += counts.Total.Shares
	}
	if withDialogue < 3 || len(langs) < 3 || !threaded || likes == 0 || boosts == 0 {
		t.Errorf("%d stories with a dialogue, languages %v, threaded %v, %d likes, %d boosts", withDialogue, langs, threaded, likes, boosts)
	}

	states := map[content.ReplyState]int{}
	items, _, err := st.ModerationQueue(t.Context(), store.QueueFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		states[it.Reply.State]++
		if it.Reply.State == content.ReplyHidden && it.Reply.HiddenReason == "" {
			t.Errorf("hidden reply %s without a reason", it.Reply.APID)
		}
	}
	if states[content.ReplyPending] != 1 || states[content.ReplyHidden] != 1 {
		t.Errorf("states in the queue %v: want one pending and one hidden", states)
	}

	t.Run("Again", func(t *testing.T) {
		again := load(t, st, demo.Options{BaseURL: base})
		if again.Loaded || again.Replies != 0 || again.Reactions != 0 {
			t.Errorf("second run %+v: want nothing new", again)
		}
	})
}

// TestLoad_DialogueLater: a publication loaded before the demo had a
// dialogue gets it on the next run, and nothing else changes.
func TestLoad_DialogueLater(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	load(t, st, demo.Options{})
	before := snapshot(t, st)
	res := load(t, st, demo.Options{BaseURL: "https://samizdat.test"})
	if res.Loaded || res.Replies == 0 {
		t.Errorf("Result %+v: want the dialogue only", res)
	}
	// The avatars are new; the rest must be as it was.
	var lines []string
	for _, l := range strings.SplitAfter(snapshot(t, st), "\n") {
		if !strings.HasPrefix(l, "media remote/") {
			lines = append(lines, l)
		}
	}
	after := strings.Join(lines, "")
	if after != before {
		t.Errorf("the rest of the demo changed:\n%s\nwant\n%s", after, before)
	}
}

func TestLoad_Team(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	res := load(t, st, demo.Options{Languages: []string{"en", "ru"}})
	members, err := st.TeamMembers(t.Context())
	if err != nil || res.Team != len(members) || len(members) < 5 {
		t.Fatalf("Result %+v, %d members, %v", res, len(members), err)
	}
	anonymous := 0
	for _, m := range members {
		if m.Anonymous {
			anonymous++
			if m.Name != "" {
				t.Errorf("an anonymous member has a name: %q", m.Name)
			}
		}
		if m.Roles["en"] == "" || m.Roles["ru"] == "" || m.Roles["fr"] != "" {
			t.Errorf("roles %v: want English and Russian only", m.Roles)
		}
	}
	if anonymous == 0 {
		t.Error("no anonymous member: the team page would not show that case")
	}
}
