package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// logLines returns the moderation log as "staff action target (reason)"
// lines, oldest first.
func logLines(t *testing.T, s *store.Store) []string {
	t.Helper()
	entries, err := s.ModerationLog(t.Context(), 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		line := e.StaffName + " " + e.Action + " " + e.Target
		if e.Reason != "" {
			line += " (" + e.Reason + ")"
		}
		out = append(out, line)
	}
	return out
}

// states returns the state of each reply, read back from the queue.
func states(t *testing.T, s *store.Store, replies ...*content.Reply) []string {
	t.Helper()
	var out []string
	for _, r := range replies {
		it, err := s.ModerationItem(t.Context(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		st := string(it.Reply.State)
		if it.Reply.HiddenReason != "" {
			st += ":" + it.Reply.HiddenReason
		}
		out = append(out, st)
	}
	return out
}

func TestStore_Policy(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	mod := newStaff(t, s, "mod@example.org", "Mira", content.RoleModerator)

	if p, err := s.Policy(t.Context()); err != nil || p != content.PolicyKnown {
		t.Fatalf("default policy = %q, %v; want known", p, err)
	}
	if err := s.SetPolicy(t.Context(), mod.ID, content.PolicyReviewed); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Policy(t.Context()); p != content.PolicyReviewed {
		t.Errorf("policy = %q, want reviewed", p)
	}
	if err := s.SetPolicy(t.Context(), mod.ID, content.PolicyReviewed); err != nil {
		t.Fatal(err)
	}
	if f := invalidFields(t, s.SetPolicy(t.Context(), mod.ID, "lenient")); f["policy"] == "" {
		t.Errorf("fields = %v", f)
	}
	if got, want := logLines(t, s), []string{"Mira policy reviewed (was known)"}; !slices.Equal(got, want) {
		t.Errorf("log = %q, want %q (setting the same policy again logs nothing)", got, want)
	}
}

func TestStore_SetReplyState(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	f := newDialogueFixture(t, s)
	mod := newStaff(t, s, "mod@example.org", "Mira", content.RoleModerator)
	anna, boris := author("anna", "masto.example"), author("boris", "gts.example")
	a := f.reply(anna, f.en, nil, content.Reply{State: content.ReplyPending})
	b := f.reply(boris, f.ru, nil, content.Reply{State: content.ReplyPending})
	c := f.reply(boris, nil, a, content.Reply{State: content.ReplyPending})
	ctx := t.Context()

	t.Run("Approve in bulk", func(t *testing.T) {
		n, err := s.SetReplyState(ctx, mod.ID, []int64{a.ID, b.ID}, content.ReplyVisible, "ignored")
		if err != nil || n != 2 {
			t.Fatalf("got %d, %v; want 2 changed", n, err)
		}
		if got := states(t, s, a, b, c); !slices.Equal(got, []string{"visible", "visible", "pending"}) {
			t.Errorf("states = %v", got)
		}
		d, _ := s.Dialogue(ctx, f.story.ID)
		if !slices.Equal(replyIDs(d), []int64{a.ID, b.ID}) {
			t.Errorf("dialogue = %v", replyIDs(d))
		}
	})
	t.Run("Again changes nothing", func(t *testing.T) {
		n, err := s.SetReplyState(ctx, mod.ID, []int64{a.ID}, content.ReplyVisible, "")
		if err != nil || n != 0 {
			t.Fatalf("got %d, %v; want 0", n, err)
		}
	})
	t.Run("Hide needs a reason", func(t *testing.T) {
		_, err := s.SetReplyState(ctx, mod.ID, []int64{a.ID}, content.ReplyHidden, "  ")
		if f := invalidFields(t, err); f["reason"] == "" {
			t.Errorf("fields = %v", f)
		}
		_, err = s.SetReplyState(ctx, mod.ID, []int64{a.ID}, content.ReplyPending, "")
		if f := invalidFields(t, err); f["state"] == "" {
			t.Errorf("fields = %v", f)
		}
	})
	t.Run("Hide, then unhide", func(t *testing.T) {
		n, err := s.SetReplyState(ctx, mod.ID, []int64{a.ID, c.ID}, content.ReplyHidden, "hostile: insults the author")
		if err != nil || n != 2 {
			t.Fatalf("got %d, %v", n, err)
		}
		if got := states(t, s, a, c); !slices.Equal(got, []string{"hidden:hostile: insults the author", "hidden:hostile: insults the author"}) {
			t.Errorf("states = %v", got)
		}
		d, _ := s.Dialogue(ctx, f.story.ID)
		if !slices.Equal(replyIDs(d), []int64{b.ID}) {
			t.Errorf("after hiding, dialogue = %v; want only %d", replyIDs(d), b.ID)
		}
		if n, err := s.SetReplyState(ctx, mod.ID, []int64{a.ID}, content.ReplyVisible, ""); err != nil || n != 1 {
			t.Fatalf("unhide: %d, %v", n, err)
		}
		if got := states(t, s, a); !slices.Equal(got, []string{"visible"}) {
			t.Errorf("after unhiding, state = %v; want visible without a reason", got)
		}
	})
	t.Run("Log", func(t *testing.T) {
		want := []string{
			"Mira approve " + a.APID, "Mira approve " + b.APID,
			"Mira hide " + a.APID + " (hostile: insults the author)", "Mira hide " + c.APID + " (hostile: insults the author)",
			"Mira unhide " + a.APID,
		}
		got := logLines(t, s)
		slices.Sort(got[:2])
		slices.Sort(want[:2])
		slices.Sort(got[2:4])
		slices.Sort(want[2:4])
		if !slices.Equal(got, want) {
			t.Errorf("log =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestStore_Block(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	f := newDialogueFixture(t, s)
	mod := newStaff(t, s, "mod@example.org", "Mira", content.RoleModerator)
	ctx := t.Context()
	troll, trollFriend, sub, good := author("troll", "bad.example"), author("friend", "bad.example"),
		author("sub", "eu.bad.example"), author("good", "good.example")
	notBad := author("nb", "notbad.example")
	t1 := f.reply(troll, f.en, nil, content.Reply{})
	t2 := f.reply(troll, f.ru, nil, content.Reply{State: content.ReplyPending})
	fr := f.reply(trollFriend, f.en, nil, content.Reply{})
	sb := f.reply(sub, f.en, nil, content.Reply{})
	g := f.reply(good, nil, t1, content.Reply{})
	nb := f.reply(notBad, f.en, nil, content.Reply{})
	for _, a := range []*content.RemoteAuthor{troll, trollFriend, sub, good, notBad} {
		if _, err := s.Follow(ctx, "en", a.ID, a.ID+"#follow", nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Follow(ctx, "ru", troll.ID, troll.ID+"#follow-ru", nil); err != nil {
		t.Fatal(err)
	}
	blocked := func(id string) bool {
		t.Helper()
		ok, err := s.IsBlocked(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	t.Run("Account", func(t *testing.T) {
		res, err := s.Block(ctx, mod.ID, store.BlockAccount, " "+troll.ID+" ", "insults")
		if err != nil {
			t.Fatal(err)
		}
		if res.Hidden != 2 || res.FollowersRemoved != 2 || res.Target != troll.ID {
			t.Errorf("result = %+v; want 2 replies hidden and 2 follows removed", res)
		}
		if got := states(t, s, t1, t2, fr, g); !slices.Equal(got, []string{"hidden:blocked account: insults", "hidden:blocked account: insults", "visible", "visible"}) {
			t.Errorf("states = %v", got)
		}
		if ok, _ := s.IsFollower(ctx, "en", troll.ID); ok {
			t.Error("the blocked account still follows @en")
		}
		if !blocked(troll.ID) || blocked(trollFriend.ID) {
			t.Errorf("IsBlocked: troll %v, friend %v", blocked(troll.ID), blocked(trollFriend.ID))
		}
	})
	t.Run("Instance covers subdomains", func(t *testing.T) {
		res, err := s.Block(ctx, mod.ID, store.BlockInstance, "https://Bad.Example/", "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Target != "bad.example" || res.Hidden != 2 || res.FollowersRemoved != 2 {
			t.Errorf("result = %+v; want bad.example, 2 hidden (friend, sub), 2 follows removed", res)
		}
		if got := states(t, s, fr, sb, nb, g); !slices.Equal(got, []string{"hidden:blocked instance", "hidden:blocked instance", "visible", "visible"}) {
			t.Errorf("states = %v", got)
		}
		for _, id := range []string{trollFriend.ID, sub.ID, "https://bad.example:8443/users/x"} {
			if !blocked(id) {
				t.Errorf("%s not blocked", id)
			}
		}
		for _, id := range []string{good.ID, notBad.ID, "not a url"} {
			if blocked(id) {
				t.Errorf("%s blocked", id)
			}
		}
		if ok, err := s.IsInstanceBlocked(ctx, "deep.eu.bad.example"); err != nil || !ok {
			t.Errorf("IsInstanceBlocked(subdomain) = %v, %v", ok, err)
		}
		if n, _ := s.FollowerCount(ctx, "en"); n != 2 {
			t.Errorf("@en has %d followers, want 2 (good, notbad)", n)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, tc := range []struct{ kind, target, field string }{
			{store.BlockInstance, "not a host!", "target"},
			{store.BlockInstance, "", "target"},
			{store.BlockAccount, "bad.example", "target"},
			{"server", "bad.example", "kind"},
		} {
			_, err := s.Block(ctx, mod.ID, tc.kind, tc.target, "")
			if f := invalidFields(t, err); f[tc.field] == "" {
				t.Errorf("Block(%q, %q): fields %v, want %s", tc.kind, tc.target, f, tc.field)
			}
		}
	})
	t.Run("List and lift", func(t *testing.T) {
		list, err := s.Blocks(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("blocks = %v, %v", list, err)
		}
		if list[0].Kind != "instance" || list[0].Target != "bad.example" || list[0].CreatedBy != mod.ID ||
			list[1].Target != troll.ID || list[1].Reason != "insults" {
			t.Errorf("blocks = %+v, %+v", list[0], list[1])
		}
		if err := s.Unblock(ctx, mod.ID, store.BlockInstance, "BAD.example"); err != nil {
			t.Fatal(err)
		}
		if err := s.Unblock(ctx, mod.ID, store.BlockInstance, "bad.example"); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("second unblock: got %v, want ErrNotFound", err)
		}
		if blocked(trollFriend.ID) || !blocked(troll.ID) {
			t.Errorf("after lifting the instance block: friend %v, troll %v", blocked(trollFriend.ID), blocked(troll.ID))
		}
		if got := states(t, s, fr); got[0] != "hidden:blocked instance" {
			t.Errorf("lifting a block unhid %v", got)
		}
	})
	t.Run("Log", func(t *testing.T) {
		want := []string{
			"Mira block account " + troll.ID + " (insults)",
			"Mira hide " + t1.APID + " (blocked account: insults)",
			"Mira hide " + t2.APID + " (blocked account: insults)",
			"Mira block instance bad.example",
			"Mira hide " + fr.APID + " (blocked instance)",
			"Mira hide " + sb.APID + " (blocked instance)",
			"Mira unblock instance bad.example",
		}
		got := logLines(t, s)
		slices.Sort(got[1:3])
		slices.Sort(got[4:6])
		slices.Sort(want[1:3])
		slices.Sort(want[4:6])
		if !slices.Equal(got, want) {
			t.Errorf("log =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestStore_RemoteActorIDByHandle(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	f := newDialogueFixture(t, s)
	f.reply(author("Anna", "Masto.example"), f.en, nil, content.Reply{})
	for _, h := range []string{"@anna@masto.example", "ANNA@masto.EXAMPLE"} {
		if id, err := s.RemoteActorIDByHandle(t.Context(), h); err != nil || id != "https://Masto.example/users/Anna" {
			t.Errorf("%s: got %q, %v", h, id, err)
		}
	}
	for _, h := range []string{"@nobody@masto.example", "anna", "@"} {
		if _, err := s.RemoteActorIDByHandle(t.Context(), h); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", h, err)
		}
	}
}

func TestStore_Reports(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	f := newDialogueFixture(t, s)
	mod := newStaff(t, s, "mod@example.org", "Mira", content.RoleModerator)
	ctx := t.Context()
	r := f.reply(author("troll", "bad.example"), f.en, nil, content.Reply{})

	aboutReply := &content.Report{ActivityID: "https://m.example/flags/1", Reporter: "https://m.example/actor",
		Comment: "Harassment of the author", Objects: []string{r.Author, r.APID}, ReplyID: r.ID}
	aboutStory := &content.Report{ActivityID: "https://m.example/flags/2", Reporter: "https://m.example/actor",
		Objects: []string{"https://samizdat.test/ap/articles/x"}, TranslationID: f.ru.ID}
	unknown := &content.Report{ActivityID: "https://m.example/flags/3", Reporter: "https://m.example/actor",
		Objects: []string{"https://elsewhere.example/notes/9"}}
	for _, p := range []*content.Report{aboutReply, aboutStory, unknown} {
		if err := s.ImportReport(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ResolveReport(ctx, mod.ID, unknown.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveReport(ctx, mod.ID, unknown.ID); err != nil {
		t.Errorf("resolving again: %v", err)
	}
	if err := s.ResolveReport(ctx, mod.ID, 999999); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("unknown report: got %v, want ErrNotFound", err)
	}

	all, err := s.Reports(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != aboutStory.ID || all[1].ID != aboutReply.ID || all[2].ID != unknown.ID {
		t.Fatalf("reports: got %d, want open ones newest first, then the resolved one", len(all))
	}
	if p := all[1]; p.Reply == nil || p.Reply.ID != r.ID || p.Reply.AuthorInfo.Handle() != "@troll@bad.example" ||
		p.Story.Title != f.en.Title || p.Comment != "Harassment of the author" || !slices.Equal(p.Objects, aboutReply.Objects) {
		t.Errorf("report about the reply = %+v (reply %+v)", p, p.Reply)
	}
	if p := all[0]; p.Reply != nil || p.Story.ID != f.story.ID || p.TranslationID != f.ru.ID || p.Story.Lang != "ru" || p.Story.Title != f.ru.Title || !p.Story.Published {
		t.Errorf("report about the story = %+v", p)
	}
	if p := all[2]; p.State != "resolved" || p.ResolvedBy != mod.ID || p.ResolvedAt.IsZero() || p.Story.ID != 0 {
		t.Errorf("resolved report = %+v", p)
	}
	open, err := s.Reports(ctx, "open")
	if err != nil || len(open) != 2 {
		t.Errorf("open reports: %d, %v", len(open), err)
	}
	if got, want := logLines(t, s), []string{"Mira resolve https://m.example/flags/3"}; !slices.Equal(got, want) {
		t.Errorf("log = %q, want %q", got, want)
	}
}

func TestStore_KeywordRules(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	mod := newStaff(t, s, "mod@example.org", "Mira", content.RoleModerator)
	ctx := t.Context()

	add := func(phrase string) *content.KeywordRule {
		t.Helper()
		k, err := s.AddKeywordRule(ctx, mod.ID, phrase)
		if err != nil {
			t.Fatalf("AddKeywordRule(%q): %v", phrase, err)
		}
		return k
	}
	war := add("  ВОЙНА  ")
	add("Ｓｐａｍ   Link")
	traitor := add("Предатель")
	if war.Phrase != "война" || war.ID == 0 || war.CreatedBy != mod.ID {
		t.Errorf("rule = %+v; want the phrase normalized", war)
	}
	if _, err := s.AddKeywordRule(ctx, mod.ID, "война"); !errors.Is(err, content.ErrConflict) {
		t.Errorf("the same phrase again: got %v, want ErrConflict", err)
	}
	if f := invalidFields(t, func() error { _, err := s.AddKeywordRule(ctx, mod.ID, " \t "); return err }()); f["phrase"] == "" {
		t.Errorf("empty phrase: fields %v", f)
	}
	if f := invalidFields(t, func() error { _, err := s.AddKeywordRule(ctx, mod.ID, strings.Repeat("я", 201)); return err }()); f["phrase"] == "" {
		t.Errorf("long phrase: fields %v", f)
	}

	phrases, err := s.KeywordPhrases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"spam link", "война", "предатель"}; !slices.Equal(phrases, want) {
		t.Fatalf("phrases = %q, want %q", phrases, want)
	}
	// The stored phrases match what INGEST's content.MatchKeywords will
	// be given: other cases, widths and spacing of the same words.
	for text, want := range map[string]string{
		"<p>Это ВОЙНА, а не операция</p>":    "война",
		"buy now: SPAM\u00a0\u00a0LINK here": "spam link",
		"ｓｐａｍ ｌｉｎｋ":                          "spam link",
		"Ты — предатель!":                    "предатель",
		"Мы против войны":                    "", // another form of the word is not the phrase
		"A calm and kind reply":              "",
	} {
		if got := content.MatchKeywords(text, phrases); got != want {
			t.Errorf("MatchKeywords(%q) = %q, want %q", text, got, want)
		}
	}

	if err := s.RemoveKeywordRule(ctx, mod.ID, traitor.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveKeywordRule(ctx, mod.ID, traitor.ID); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("removing again: got %v, want ErrNotFound", err)
	}
	rules, err := s.KeywordRules(ctx)
	if err != nil || len(rules) != 2 || rules[0].Phrase != "spam link" || rules[1].Phrase != "война" {
		t.Errorf("rules = %v, %v", rules, err)
	}
	want := []string{"Mira keyword_add война", "Mira keyword_add spam link", "Mira keyword_add предатель", "Mira keyword_remove предатель"}
	if got := logLines(t, s); !slices.Equal(got, want) {
		t.Errorf("log = %q, want %q", got, want)
	}
}

func TestStore_ModerationLog(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	c := newClock()
	s = s.WithClock(c.now)
	mira := newStaff(t, s, "mira@example.org", "Mira", content.RoleModerator)
	oleg := newStaff(t, s, "oleg@example.org", "Oleg", content.RoleModerator)
	ctx := t.Context()
	if _, err := s.AddKeywordRule(ctx, mira.ID, "spam"); err != nil {
		t.Fatal(err)
	}
	c.add(time.Second)
	if _, err := s.Block(ctx, oleg.ID, store.BlockInstance, "bad.example", "raid"); err != nil {
		t.Fatal(err)
	}
	c.add(time.Second)
	if err := s.SetPolicy(ctx, 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}

	entries, err := s.ModerationLog(ctx, 2, 0)
	if err != nil || len(entries) != 2 {
		t.Fatalf("first page: %v, %v", entries, err)
	}
	if e := entries[0]; e.Action != store.ActionPolicy || e.StaffID != 0 || e.StaffName != "" || e.Target != "open" {
		t.Errorf("newest = %+v; want the policy change, by nobody", e)
	}
	if e := entries[1]; e.Action != store.ActionBlock || e.StaffName != "Oleg" || e.Reason != "raid" || !e.CreatedAt.Equal(c.at(-time.Second)) {
		t.Errorf("second = %+v", e)
	}
	rest, err := s.ModerationLog(ctx, 2, 2)
	if err != nil || len(rest) != 1 || rest[0].StaffName != "Mira" || rest[0].Action != store.ActionKeywordAdd {
		t.Errorf("second page: %v, %v", rest, err)
	}
}
