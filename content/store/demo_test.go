package store_test

import (
	"errors"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store/storetest"
)

func TestStore_SetPublishedAt(t *testing.T) {
	t.Parallel()
	c := newClock()
	var heard changes
	s := storetest.New(t)
	s.OnChange(heard.hook)
	s = s.WithClock(c.now)
	_, tr := newStory(t, s, "en", "Backdated")
	pub := setState(t, s, tr.ID, content.StatePublished, time.Time{})
	heard.take()
	back := c.at(-30 * 24 * time.Hour)

	t.Run("Published", func(t *testing.T) {
		c.add(time.Hour)
		if err := s.SetPublishedAt(t.Context(), tr.ID, back); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Translation(t.Context(), tr.ID)
		if !got.PublishedAt.Equal(back) || !got.UpdatedAt.Equal(pub.UpdatedAt) || !got.EditedAt.IsZero() || got.ObjectKey != pub.ObjectKey {
			t.Errorf("got %+v", got)
		}
		if h := heard.take(); len(h) != 0 {
			t.Errorf("hook heard %v: moving a date federates nothing", h)
		}
	})
	t.Run("Withdrawn", func(t *testing.T) {
		setState(t, s, tr.ID, content.StateWithdrawn, time.Time{})
		if err := s.SetPublishedAt(t.Context(), tr.ID, back.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Translation(t.Context(), tr.ID); !got.PublishedAt.Equal(back.Add(time.Hour)) {
			t.Errorf("PublishedAt = %v", got.PublishedAt)
		}
	})
	t.Run("ErrNotPublished", func(t *testing.T) {
		_, draft := newStory(t, s, "en", "Never out")
		if err := s.SetPublishedAt(t.Context(), draft.ID, back); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("draft: got %v, want ErrNotFound", err)
		}
		if got, _ := s.Translation(t.Context(), draft.ID); !got.PublishedAt.IsZero() {
			t.Errorf("a draft got a publication time")
		}
		if err := s.SetPublishedAt(t.Context(), 999999, back); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("missing: got %v, want ErrNotFound", err)
		}
	})
}

func TestStore_LockDemo(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	unlock, err := s.LockDemo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func(), 1)
	go func() {
		second, err := s.LockDemo(t.Context())
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		got <- second
	}()
	select {
	case <-got:
		t.Fatal("a second LockDemo did not wait for the first")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case second, ok := <-got:
		if ok {
			second()
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second LockDemo was not let in after unlock")
	}
	// Unlocked twice over, the lock is free again.
	again, err := s.LockDemo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	again()
}
