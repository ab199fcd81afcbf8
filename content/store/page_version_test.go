package store_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// TestStore_TranslationPageVersion: every change to what a story page shows
// gives its translations a new version, made in the same transaction by the
// triggers of migration 005, and changes that show nowhere on the page (a
// pending reply, another story) do not.
func TestStore_TranslationPageVersion(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	other := newDialogueFixture(t, s)
	alice := author("alice", "mastodon.example")
	shown := f.reply(alice, f.en, nil, content.Reply{})

	version := func(tr *content.Translation) string {
		t.Helper()
		v, err := s.TranslationPageVersion(ctx, tr.Lang, tr.Slug)
		if err != nil || v.TranslationID != tr.ID || v.State != content.StatePublished {
			t.Fatalf("TranslationPageVersion(%s) = %+v, %v", tr.Slug, v, err)
		}
		return v.Version
	}
	var (
		pending *content.Reply
		quote   *content.Quote
	)
	steps := []struct {
		name    string
		change  func()
		changes bool
	}{
		{"pending reply", func() { pending = f.reply(alice, f.en, nil, content.Reply{State: content.ReplyPending}) }, false},
		{"reply approved", func() {
			if _, err := s.SetReplyState(ctx, 0, []int64{pending.ID}, content.ReplyVisible, ""); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"reply hidden", func() {
			if _, err := s.SetReplyState(ctx, 0, []int64{shown.ID}, content.ReplyHidden, "spam"); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"hidden reply edited", func() {
			if ok, _, err := s.UpdateReply(ctx, shown.APID, alice.ID, store.ReplyEdit{ContentHTML: "<p>x</p>", Updated: f.clock.Add(1e12)}); err != nil || !ok {
				t.Fatalf("UpdateReply = %v, %v", ok, err)
			}
		}, false},
		{"visible reply in the Russian dialogue", func() { f.reply(alice, f.ru, nil, content.Reply{}) }, true},
		{"reply to another story", func() { other.reply(alice, other.en, nil, content.Reply{}) }, false},
		{"author renamed", func() {
			err := s.SaveRemoteActor(ctx, &store.RemoteActor{ID: alice.ID, Host: alice.Host, Inbox: alice.ID + "/inbox", Username: "alice", Name: "Alice R.", URL: alice.URL})
			if err != nil {
				t.Fatal(err)
			}
		}, true},
		{"author fetched again, unchanged", func() {
			err := s.SaveRemoteActor(ctx, &store.RemoteActor{ID: alice.ID, Host: alice.Host, Inbox: alice.ID + "/inbox", Username: "alice", Name: "Alice R.", URL: alice.URL, KeyID: alice.ID + "#k"})
			if err != nil {
				t.Fatal(err)
			}
		}, false},
		{"liked", func() {
			if err := s.ImportReaction(ctx, "like", "https://mastodon.example/likes/9", alice.ID, f.ru.ID); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"quoted", func() {
			q := &content.Quote{TranslationID: f.ru.ID, Actor: alice.ID, Post: "https://mastodon.example/statuses/q1", RequestID: "https://mastodon.example/qr/1"}
			if _, err := s.SaveQuote(ctx, q, nil); err != nil {
				t.Fatal(err)
			}
			quote = q
		}, true},
		{"quote revoked", func() {
			if ok, err := s.RevokeQuote(ctx, 0, quote.ID, nil); err != nil || !ok {
				t.Fatalf("revoke: %v, %v", ok, err)
			}
		}, true},
		{"reply deleted", func() {
			if gone, err := s.DeleteReply(ctx, pending.APID, alice.ID); err != nil || !gone {
				t.Fatalf("DeleteReply = %v, %v", gone, err)
			}
		}, true},
		{"other translation edited", func() {
			tr, err := s.Translation(ctx, f.ru.ID)
			if err != nil {
				t.Fatal(err)
			}
			tr.Title += ", revised"
			if err := s.SaveTranslation(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"story edited", func() {
			st, err := s.Story(ctx, f.story.ID)
			if err != nil {
				t.Fatal(err)
			}
			st.BylineName = "Maria L."
			if err := s.UpdateStory(ctx, st); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, step := range steps {
		before, otherBefore := version(f.en), version(other.en)
		step.change()
		after := version(f.en)
		if (after != before) != step.changes {
			t.Errorf("%s: version %s → %s; want a change: %v", step.name, before, after, step.changes)
		}
		if version(f.ru) != after {
			t.Errorf("%s: the story's translations have different versions", step.name)
		}
		// alice answers the other story too from its step on: her new name
		// is on its page as well.
		if step.name != "reply to another story" && step.name != "author renamed" && version(other.en) != otherBefore {
			t.Errorf("%s: another story's version changed", step.name)
		}
	}
}

// TestPageWatch: the watch listens, counts a change committed by any
// connection as soon as PostgreSQL announces it, counts this process's own
// changes when told, and, when its connection is cut, says it is not
// listening until it listens again, having counted what it may have missed.
func TestPageWatch(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice := author("alice", "mastodon.example")
	w := s.WatchPages(ctx, slog.New(slog.DiscardHandler))

	// waitFor polls the watch until cond holds, failing after a while.
	waitFor := func(what string, cond func(gen uint64, live bool) bool) uint64 {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			gen, live := w.Current()
			if cond(gen, live) {
				return gen
			}
			if time.Now().After(deadline) {
				t.Fatalf("watch never %s (gen %d, live %v)", what, gen, live)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	gen := waitFor("listened", func(_ uint64, live bool) bool { return live })

	f.reply(alice, f.en, nil, content.Reply{}) // visible: the page changes
	gen = waitFor("counted a visible reply", func(g uint64, live bool) bool { return live && g > gen })

	w.Touch()
	if got, _ := w.Current(); got != gen+1 {
		t.Fatalf("after Touch, gen = %d, want %d", got, gen+1)
	}
	gen++

	// Cut the watch's connection from another one, as a restart of
	// PostgreSQL or a network failure would.
	var cut bool
	if err := s.Pool().QueryRow(ctx, `
		SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'samizdat page watch'`).Scan(&cut); err != nil || !cut {
		t.Fatalf("terminating the watch's connection: %v, %v", cut, err)
	}
	waitFor("noticed its connection was cut", func(g uint64, live bool) bool { return !live || g > gen })
	waitFor("listened again", func(g uint64, live bool) bool { return live && g > gen+1 })
}

// TestPageWatch_Sync: Sync returns once every listening watch has
// acknowledged an announcement sent after the caller's commit, so each has
// counted the change committed before it (PostgreSQL announces in commit
// order); neither the announcement nor the acknowledgements count as a
// change, here or in another process's watch.
func TestPageWatch_Sync(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	alice := author("alice", "mastodon.example")
	quiet := slog.New(slog.DiscardHandler)

	var nilWatch *store.PageWatch
	if nilWatch.Sync(ctx) {
		t.Error("a nil watch says it synced")
	}
	w, other := s.WatchPages(ctx, quiet), s.WatchPages(ctx, quiet)
	waitListening(t, w, other)
	deadline := time.Now().Add(15 * time.Second)

	for i := range 3 {
		before, _ := w.Current()
		otherBefore, _ := other.Current()
		f.reply(alice, f.en, nil, content.Reply{}) // visible: the page changes
		if !w.Sync(ctx) {
			t.Fatalf("round %d: Sync did not hear its announcement", i)
		}
		// The reply's announcement came first, then Sync's own Touch.
		if got, _ := w.Current(); got < before+2 {
			t.Fatalf("round %d: after Sync, gen = %d, want at least %d: the change was not heard first", i, got, before+2)
		}
		// The other watch hears the change; Sync's token is not a change.
		for {
			got, _ := other.Current()
			if got == otherBefore+1 {
				break
			}
			if got > otherBefore+1 {
				t.Fatalf("round %d: the other watch counted %d changes, want 1", i, got-otherBefore)
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the other watch never heard the change", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestPageWatch_SyncWaitsForTheSlowest: a watch that takes its time over
// each announcement, as a busy process does, has counted the change by the
// time another process's Sync returns; without its acknowledgement the Sync
// would have returned as soon as its own watch heard it.
func TestPageWatch_SyncWaitsForTheSlowest(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	quiet := slog.New(slog.DiscardHandler)
	w, slow := s.WatchPages(ctx, quiet), s.WatchPagesSlowly(ctx, quiet, 150*time.Millisecond)
	waitListening(t, w, slow)
	syncWaitsFor(t, f, w, slow, 3)
}

// syncWaitsFor checks, rounds times, that w's Sync after a visible change
// returns only once slow has counted that change.
func syncWaitsFor(t *testing.T, f *dialogueFixture, w, slow *store.PageWatch, rounds int) {
	t.Helper()
	alice := author("alice", "mastodon.example")
	for i := range rounds {
		slowBefore, _ := slow.Current()
		f.reply(alice, f.en, nil, content.Reply{}) // visible: the page changes
		start := time.Now()
		if !w.Sync(t.Context()) {
			t.Fatalf("round %d: Sync was not acknowledged", i)
		}
		if got, _ := slow.Current(); got != slowBefore+1 {
			t.Fatalf("round %d: Sync returned after %v with the slow watch at %d changes since, want 1", i, time.Since(start), got-slowBefore)
		}
	}
}

// TestPageWatch_SyncCountsOtherRoles: a process connecting as a role that
// may not read other roles' queries in pg_stat_activity still waits for the
// watches of processes connecting as another role, as when the web and the
// worker processes have database users of their own.
func TestPageWatch_SyncCountsOtherRoles(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	f := newDialogueFixture(t, s)
	quiet := slog.New(slog.DiscardHandler)

	role := "samizdat_watch_" + strings.ToLower(rand.Text()[:10])
	if _, err := s.Pool().Exec(ctx, "CREATE ROLE "+role+" LOGIN"); err != nil {
		// make test's own PostgreSQL runs as a superuser; a DATABASE_URL of
		// the developer's may only create databases.
		if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42501" {
			t.Skipf("this database user may not create roles: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		bg := context.Background()
		// Its watch may still be closing its connection.
		s.Pool().Exec(bg, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role) //nolint:errcheck
		if _, err := s.Pool().Exec(bg, "DROP ROLE "+role); err != nil {
			t.Errorf("dropping role %s: %v", role, err)
		}
	})
	cfg, err := pgxpool.ParseConfig(s.Pool().Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.User = role
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	var sees bool
	if err := pool.QueryRow(ctx, "SELECT pg_has_role('pg_read_all_stats', 'USAGE')").Scan(&sees); err != nil || sees {
		t.Fatalf("the role should not read every query: %v, %v", sees, err)
	}

	w := store.New(pool).WatchPages(ctx, quiet)
	slow := s.WatchPagesSlowly(ctx, quiet, 150*time.Millisecond)
	waitListening(t, w, slow)
	syncWaitsFor(t, f, w, slow, 2)
}

// waitListening waits until every watch listens.
func waitListening(t *testing.T, watches ...*store.PageWatch) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for _, w := range watches {
		for _, live := w.Current(); !live; _, live = w.Current() {
			if time.Now().After(deadline) {
				t.Fatal("the watches never listened")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
