package store_test

import (
	"slices"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// TestStore_ReplyIntake: the one-round-trip answers agree with the methods
// that ask one question each.
func TestStore_ReplyIntake(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice, bob := author("alice", "mastodon.example"), author("bob", "blocked.example")
	held := f.reply(alice, f.en, nil, content.Reply{})
	f.reply(bob, f.en, nil, content.Reply{})
	if _, err := s.Block(ctx, 0, "instance", "blocked.example", "spam"); err != nil {
		t.Fatal(err)
	}
	deleted := f.reply(alice, f.en, nil, content.Reply{})
	if gone, err := s.DeleteReply(ctx, deleted.APID, alice.ID); err != nil || !gone {
		t.Fatalf("DeleteReply = %v, %v", gone, err)
	}

	en, err := s.Translation(ctx, f.en.ID)
	if err != nil || en.ObjectKey == "" {
		t.Fatalf("Translation = %+v, %v", en, err)
	}
	for _, key := range []string{"", "not-a-key", "6f1c2a9e-3b7d-4c1e-9a2f-0d5e8b7c6a41"} {
		if in, err := s.ReplyIntake(ctx, held.APID, alice.ID, key); err != nil || in.Article != nil || in.Existing == nil {
			t.Errorf("ReplyIntake with article key %q = %+v, %v; want no article", key, in, err)
		}
	}
	for _, c := range []struct {
		name, apID, actor                           string
		existing, tombstoned, blocked, authorCached bool
	}{
		{"Held", held.APID, alice.ID, true, false, false, true},
		{"New", alice.ID + "/statuses/new", alice.ID, false, false, false, true},
		{"Deleted", deleted.APID, alice.ID, false, true, false, true},
		{"Blocked", bob.ID + "/statuses/new", bob.ID, false, false, true, true},
		{"UnknownAuthor", "https://new.example/users/carol/statuses/1", "https://new.example/users/carol", false, false, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			in, err := s.ReplyIntake(ctx, c.apID, c.actor, en.ObjectKey)
			if err != nil {
				t.Fatal(err)
			}
			if (in.Existing != nil) != c.existing || in.Tombstoned != c.tombstoned || in.Blocked != c.blocked || (in.Author != nil) != c.authorCached {
				t.Errorf("got existing %v, tombstoned %v, blocked %v, author %v; want %v, %v, %v, %v",
					in.Existing != nil, in.Tombstoned, in.Blocked, in.Author != nil, c.existing, c.tombstoned, c.blocked, c.authorCached)
			}
			if c.existing && (in.Existing.ID != held.ID || in.Existing.AuthorInfo == nil) {
				t.Errorf("existing reply %+v, want %d with its author", in.Existing, held.ID)
			}
			if c.authorCached && in.Author.ID != c.actor {
				t.Errorf("author %q, want %q", in.Author.ID, c.actor)
			}
			if in.Rules == nil || in.Rules.Policy != content.PolicyKnown || in.Rules.AuthorKnown != (c.actor == alice.ID) {
				t.Errorf("rules %+v; want the known policy, the author known only for alice", in.Rules)
			}
			if a := in.Article; a == nil || a.TranslationID != f.en.ID || a.StoryID != f.story.ID || a.Lang != "en" || a.State != content.StatePublished {
				t.Errorf("article %+v, want translation %d of story %d, published in en", a, f.en.ID, f.story.ID)
			}
			if c.authorCached {
				want, err := s.RemoteActor(ctx, c.actor)
				if err != nil {
					t.Fatal(err)
				}
				want.Document = nil // not read by the intake
				if got := *in.Author; got.ID != want.ID || got.Host != want.Host || got.KeyID != want.KeyID || got.PublicKeyPEM != want.PublicKeyPEM ||
					got.Inbox != want.Inbox || got.Followers != want.Followers || !got.FetchedAt.Equal(want.FetchedAt) {
					t.Errorf("author %+v, want %+v", got, *want)
				}
			}
		})
	}

	// The rules as ReplyRules reads them, once they are not the defaults.
	if err := s.SetPolicy(ctx, 0, content.PolicyReviewed); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"war crimes", "Propaganda"} {
		if _, err := s.AddKeywordRule(ctx, 0, p); err != nil {
			t.Fatal(err)
		}
	}
	in, err := s.ReplyIntake(ctx, alice.ID+"/statuses/new", alice.ID, en.ObjectKey)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.ReplyRules(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Rules; got.Policy != content.PolicyReviewed || got.Policy != want.Policy || got.AuthorKnown != want.AuthorKnown ||
		!slices.Equal(got.Phrases, want.Phrases) || len(got.Phrases) != 2 {
		t.Errorf("rules %+v, want %+v with the reviewed policy and two phrases", got, want)
	}
}

// TestStore_ReplyRules: policy, whether the author is known, and the
// keyword phrases, as Policy, AuthorHasVisibleReply and KeywordPhrases give
// them.
func TestStore_ReplyRules(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice, bob := author("alice", "mastodon.example"), author("bob", "other.example")
	f.reply(alice, f.en, nil, content.Reply{})
	f.reply(bob, f.en, nil, content.Reply{State: content.ReplyPending})

	rr, err := s.ReplyRules(ctx, alice.ID)
	if err != nil || rr.Policy != content.PolicyKnown || !rr.AuthorKnown || len(rr.Phrases) != 0 {
		t.Fatalf("ReplyRules(alice) = %+v, %v; want known policy, author known, no phrases", rr, err)
	}
	if err := s.SetPolicy(ctx, 0, content.PolicyReviewed); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"war crimes", "Propaganda"} {
		if _, err := s.AddKeywordRule(ctx, 0, p); err != nil {
			t.Fatal(err)
		}
	}
	rr, err = s.ReplyRules(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.KeywordPhrases(ctx)
	if rr.Policy != content.PolicyReviewed || rr.AuthorKnown || !slices.Equal(rr.Phrases, want) || len(want) != 2 {
		t.Errorf("ReplyRules(bob) = %+v; want reviewed, bob not known, phrases %q", rr, want)
	}
}

// TestStore_InboxSender: the blocks of the signer and of the actor are read
// together, and the signer's instance is revived whatever they say.
func TestStore_InboxSender(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	if _, err := s.Block(ctx, 0, "instance", "blocked.example", "spam"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Block(ctx, 0, "account", "https://fine.example/users/troll", "abuse"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		signer, actor string
		want          bool
	}{
		{"https://fine.example/users/alice", "https://fine.example/users/alice", false},
		{"https://fine.example/users/troll", "https://fine.example/users/troll", true},
		{"https://sub.blocked.example/users/bob", "https://sub.blocked.example/users/bob", true},
		{"https://relay.example/actor", "https://blocked.example/users/carol", true}, // forwarded
		{"https://fine.example/users/troll", "https://fine.example/users/alice", true},
		{"https://relay.example/actor", "https://fine.example/users/alice", false},
	} {
		got, err := s.InboxSender(ctx, c.signer, c.actor, "")
		if err != nil || got != c.want {
			t.Errorf("InboxSender(%s, %s) = %v, %v; want %v", c.signer, c.actor, got, err, c.want)
		}
		for _, id := range []string{c.signer, c.actor} {
			if one, _ := s.IsBlocked(ctx, id); one && !got {
				t.Errorf("IsBlocked(%s) but InboxSender says not blocked", id)
			}
		}
	}

	host := "down.example"
	for i := range store.UnavailableAfterDays {
		if _, err := s.InstanceFailure(ctx, host, time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC), "timeout"); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := s.InstanceAvailable(ctx, host); ok {
		t.Fatal("the host is available after a week of failures")
	}
	if _, err := s.InboxSender(ctx, "https://down.example/users/dan", "https://down.example/users/dan", host); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.InstanceAvailable(ctx, host); !ok {
		t.Error("a verified request from the host did not revive it")
	}
}

// The intake counts, in its one statement, an account's and its instance's
// replies of the past hour and reads the flood limits and the surge switch.
func TestStore_ReplyIntake_Flood(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := store.WithStaff(t.Context(), 0)
	f := newDialogueFixture(t, s)
	alice, amy, bob := author("alice", "mastodon.example"), author("amy", "mastodon.example"), author("bob", "other.example")
	for range 3 {
		f.reply(alice, f.en, nil, content.Reply{})
	}
	f.reply(amy, f.en, nil, content.Reply{})
	f.reply(bob, f.en, nil, content.Reply{})
	// The fixture's replies arrive on its clock: so does the intake.
	s = s.WithClock(func() time.Time { return f.clock.Add(time.Minute) })

	in, err := s.ReplyIntake(ctx, alice.ID+"/statuses/next", alice.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	fl := in.Rules.Flood
	if fl.ActorPerHour != content.DefaultActorPerHour ||
		fl.InstancePerHour != content.DefaultInstancePerHour || fl.Surge() || !fl.SeenBefore || fl.Hold() != "" {
		t.Errorf("flood = %+v; want the defaults, no surge", fl)
	}

	if err := s.SetFloodLimits(ctx, content.FloodLimits{ActorPerHour: 3, InstancePerHour: 50}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSurge(ctx, true); err != nil {
		t.Fatal(err)
	}
	in, err = s.ReplyIntake(ctx, alice.ID+"/statuses/next", alice.ID, "")
	if fl := in.Rules.Flood; err != nil || fl.ActorPerHour != 3 || fl.InstancePerHour != 50 || !fl.Surge() || !fl.SeenBefore || fl.Hold() != "" {
		t.Errorf("after the change: %+v, %v; want alice seen before the surge", fl, err)
	}
	carol := "https://new.example/users/carol"
	in, err = s.ReplyIntake(ctx, carol+"/statuses/1", carol, "")
	if fl := in.Rules.Flood; err != nil || fl.SeenBefore || fl.Hold() != "surge" {
		t.Errorf("a new account in a surge: %+v, %v; want held for the surge", fl, err)
	}
	limits, err := s.FloodLimits(ctx)
	if err != nil || limits.ActorPerHour != 3 || !limits.Surge() {
		t.Errorf("FloodLimits = %+v, %v", limits, err)
	}
	if err := s.SetSurge(ctx, false); err != nil {
		t.Fatal(err)
	}
	in, err = s.ReplyIntake(ctx, carol+"/statuses/1", carol, "")
	if fl := in.Rules.Flood; err != nil || fl.Surge() || fl.Hold() != "" {
		t.Errorf("surge off: %+v, %v", fl, err)
	}
	log, err := s.AuditLog(ctx, store.AuditFilter{Actions: []string{store.ActionSetting}})
	if err != nil || len(log) != 4 {
		t.Errorf("%d settings logged, want 4 (two limits, surge on, surge off): %v", len(log), err)
	}
}
