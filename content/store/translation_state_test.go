package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// reach brings a fresh translation into state from, by the shortest path
// the rules allow.
func reach(t *testing.T, s *store.Store, c *clock, id int64, from content.State) {
	t.Helper()
	switch from {
	case content.StateDraft:
	case content.StateScheduled:
		setState(t, s, id, content.StateScheduled, c.at(time.Hour))
	case content.StatePublished:
		setState(t, s, id, content.StatePublished, time.Time{})
	case content.StateWithdrawn:
		setState(t, s, id, content.StatePublished, time.Time{})
		setState(t, s, id, content.StateWithdrawn, time.Time{})
	}
}

// TestStore_SetTranslationState_Matrix tries every move between states on
// the store, so the store and content.CanTransition can never disagree.
func TestStore_SetTranslationState_Matrix(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := storetest.New(t).WithClock(c.now)
	for _, from := range content.States {
		for _, to := range content.States {
			allowed := content.CanTransition(from, to)
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				st, tr := newStory(t, s, "en", "Matrix "+string(from)+" "+string(to))
				reach(t, s, c, tr.ID, from)
				before, err := s.Translation(t.Context(), tr.ID)
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.SetTranslationState(t.Context(), tr.ID, to, c.at(2*time.Hour))
				if !allowed {
					if f := invalidFields(t, err); f["state"] == "" {
						t.Fatalf("fields = %v, want state", f)
					}
					after, err := s.Translation(t.Context(), tr.ID)
					if err != nil {
						t.Fatal(err)
					}
					if after.State != from || !after.UpdatedAt.Equal(before.UpdatedAt) || after.ObjectKey != before.ObjectKey {
						t.Errorf("a refused move changed the translation: %+v", after)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s → %s refused: %v", from, to, err)
				}
				stored, err := s.Translation(t.Context(), tr.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.State != to || stored.State != to {
					t.Errorf("state = %s (stored %s), want %s", got.State, stored.State, to)
				}
				if story, err := s.Story(t.Context(), st.ID); err != nil || !story.UpdatedAt.Equal(c.now()) {
					t.Errorf("story not touched: %v, %v", story, err)
				}
			})
		}
	}
}

func TestStore_SetTranslationState(t *testing.T) {
	t.Parallel()
	c := newClock()
	var heard changes
	s := storetest.New(t)
	s.OnChange(heard.hook)
	s = s.WithClock(c.now)
	_, tr := newStory(t, s, "en", "Life of a translation")

	t.Run("Draft → scheduled needs a future time", func(t *testing.T) {
		for _, at := range []time.Time{{}, c.at(-time.Minute), c.now()} {
			_, err := s.SetTranslationState(t.Context(), tr.ID, content.StateScheduled, at)
			if f := invalidFields(t, err); f["publish_at"] == "" {
				t.Errorf("publishAt %v: fields = %v, want publish_at", at, f)
			}
		}
		got := setState(t, s, tr.ID, content.StateScheduled, c.at(time.Hour))
		if !got.PublishAt.Equal(c.at(time.Hour)) || got.ObjectKey != "" || !got.PublishedAt.IsZero() {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("Reschedule", func(t *testing.T) {
		got := setState(t, s, tr.ID, content.StateScheduled, c.at(3*time.Hour))
		stored, _ := s.Translation(t.Context(), tr.ID)
		if !got.PublishAt.Equal(c.at(3*time.Hour)) || !stored.PublishAt.Equal(c.at(3*time.Hour)) {
			t.Errorf("PublishAt = %v, stored %v", got.PublishAt, stored.PublishAt)
		}
	})
	t.Run("Scheduled → draft clears the time", func(t *testing.T) {
		setState(t, s, tr.ID, content.StateDraft, c.at(time.Hour))
		stored, _ := s.Translation(t.Context(), tr.ID)
		if !stored.PublishAt.IsZero() {
			t.Errorf("PublishAt = %v, want zero", stored.PublishAt)
		}
	})
	if h := heard.take(); len(h) != 0 {
		t.Fatalf("hook heard %v before any publication", h)
	}

	var firstKey string
	t.Run("Draft → published stamps the time and a key", func(t *testing.T) {
		c.add(time.Minute)
		got := setState(t, s, tr.ID, content.StatePublished, c.at(time.Hour))
		if !got.PublishedAt.Equal(c.now()) || got.ObjectKey == "" || !got.PublishAt.IsZero() || !got.EditedAt.IsZero() {
			t.Errorf("got %+v", got)
		}
		firstKey = got.ObjectKey
		if h := heard.take(); !slices.Equal(h, []string{"published en/life-of-a-translation"}) {
			t.Errorf("hook heard %v", h)
		}
	})
	t.Run("Published → withdrawn makes a tombstone", func(t *testing.T) {
		c.add(time.Minute)
		got := setState(t, s, tr.ID, content.StateWithdrawn, time.Time{})
		if got.ObjectKey != firstKey {
			t.Errorf("withdrawing changed the key")
		}
		if ok, err := s.IsTombstoned(t.Context(), firstKey); err != nil || !ok {
			t.Errorf("IsTombstoned = %v, %v", ok, err)
		}
		if h := heard.take(); !slices.Equal(h, []string{"withdrawn en/life-of-a-translation"}) {
			t.Errorf("hook heard %v", h)
		}
	})
	t.Run("Withdrawn → draft → published gets a new key", func(t *testing.T) {
		setState(t, s, tr.ID, content.StateDraft, time.Time{})
		c.add(time.Minute)
		got := setState(t, s, tr.ID, content.StatePublished, time.Time{})
		if got.ObjectKey == "" || got.ObjectKey == firstKey {
			t.Errorf("ObjectKey = %q after a withdrawal of %q", got.ObjectKey, firstKey)
		}
		if !got.PublishedAt.Equal(c.now()) {
			t.Errorf("PublishedAt = %v, want the new publication time %v", got.PublishedAt, c.now())
		}
		if ok, _ := s.IsTombstoned(t.Context(), got.ObjectKey); ok {
			t.Error("the new key is tombstoned")
		}
		if ok, _ := s.IsTombstoned(t.Context(), firstKey); !ok {
			t.Error("the old tombstone is gone")
		}
	})
	t.Run("Withdrawn → published gets a new key", func(t *testing.T) {
		second := setState(t, s, tr.ID, content.StateWithdrawn, time.Time{}).ObjectKey
		got := setState(t, s, tr.ID, content.StatePublished, time.Time{})
		if got.ObjectKey == second || got.ObjectKey == firstKey {
			t.Errorf("republished under an old key %q", got.ObjectKey)
		}
		if h := heard.take(); !slices.Equal(h, []string{
			"published en/life-of-a-translation", "withdrawn en/life-of-a-translation", "published en/life-of-a-translation",
		}) {
			t.Errorf("hook heard %v", h)
		}
	})
	t.Run("Republishing clears an old edit", func(t *testing.T) {
		cur, _ := s.Translation(t.Context(), tr.ID)
		cur.Teaser = "Edited."
		c.add(time.Minute)
		if err := s.SaveTranslation(t.Context(), cur); err != nil {
			t.Fatal(err)
		}
		setState(t, s, tr.ID, content.StateWithdrawn, time.Time{})
		c.add(time.Minute)
		got := setState(t, s, tr.ID, content.StatePublished, time.Time{})
		if !got.EditedAt.IsZero() {
			t.Errorf("EditedAt = %v after a new publication", got.EditedAt)
		}
		heard.take()
	})
	t.Run("Refused moves", func(t *testing.T) {
		for _, to := range []content.State{content.StatePublished, content.StateDraft, content.StateScheduled} {
			if _, err := s.SetTranslationState(t.Context(), tr.ID, to, c.at(time.Hour)); err == nil {
				t.Errorf("published → %s allowed", to)
			}
		}
		_, draft := newStory(t, s, "en", "Never published")
		if f := invalidFields(t, func() error {
			_, err := s.SetTranslationState(t.Context(), draft.ID, content.StateWithdrawn, time.Time{})
			return err
		}()); f["state"] == "" {
			t.Errorf("draft → withdrawn: fields = %v", f)
		}
		if h := heard.take(); len(h) != 0 {
			t.Errorf("hook heard %v for refused moves", h)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.SetTranslationState(t.Context(), 999999, content.StatePublished, time.Time{}); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

// TestStore_SetTranslationState_HookFails checks that a change whose hook
// fails (a delivery that cannot be queued) is not made at all.
func TestStore_SetTranslationState_HookFails(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	boom := errors.New("queue is down")
	s.OnChange(func(_ context.Context, _ pgx.Tx, _ content.ChangeKind, _ *content.Translation) error { return boom })
	_, tr := newStory(t, s, "en", "Not yet")
	if _, err := s.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the hook's error", err)
	}
	got, err := s.Translation(t.Context(), tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != content.StateDraft || got.ObjectKey != "" || !got.PublishedAt.IsZero() {
		t.Errorf("the failed publication left %+v", got)
	}
}

func TestStore_PublishDue(t *testing.T) {
	t.Parallel()
	c := newClock()
	var heard changes
	s := storetest.New(t)
	s.OnChange(heard.hook)
	s = s.WithClock(c.now)
	_, soon := newStory(t, s, "en", "Soon")
	_, later := newStory(t, s, "en", "Later")
	_, draft := newStory(t, s, "en", "Draft")
	setState(t, s, soon.ID, content.StateScheduled, c.at(time.Hour))
	setState(t, s, later.ID, content.StateScheduled, c.at(3*time.Hour))

	t.Run("Nothing due yet", func(t *testing.T) {
		c.add(59 * time.Minute)
		if n, err := s.PublishDue(t.Context()); err != nil || n != 0 {
			t.Errorf("PublishDue = %d, %v; want 0", n, err)
		}
	})
	t.Run("The first is due, a little late", func(t *testing.T) {
		c.add(90 * time.Minute) // 2h29 after scheduling: the worker was down for a while
		if n, err := s.PublishDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("PublishDue = %d, %v; want 1", n, err)
		}
		got, _ := s.Translation(t.Context(), soon.ID)
		if got.State != content.StatePublished || got.ObjectKey == "" || !got.PublishAt.IsZero() {
			t.Errorf("got %+v", got)
		}
		if !got.PublishedAt.Equal(c.now()) {
			t.Errorf("PublishedAt = %v, want the moment it went out, %v (docs/federation.md#mastodon-realtime-window)", got.PublishedAt, c.now())
		}
		if other, _ := s.Translation(t.Context(), later.ID); other.State != content.StateScheduled {
			t.Errorf("the later one is %s", other.State)
		}
		if h := heard.take(); !slices.Equal(h, []string{"published en/soon"}) {
			t.Errorf("hook heard %v", h)
		}
	})
	t.Run("Running again publishes nothing twice", func(t *testing.T) {
		if n, err := s.PublishDue(t.Context()); err != nil || n != 0 {
			t.Errorf("PublishDue = %d, %v; want 0", n, err)
		}
	})
	t.Run("The rest, exactly on time", func(t *testing.T) {
		c.t = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // newClock + 3h
		if n, err := s.PublishDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("PublishDue = %d, %v; want 1", n, err)
		}
		if d, _ := s.Translation(t.Context(), draft.ID); d.State != content.StateDraft {
			t.Errorf("a draft was published")
		}
	})
}
