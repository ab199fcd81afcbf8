package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store/storetest"
)

func TestStore_CreateSubmission(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := storetest.New(t).WithClock(c.now)

	t.Run("OK keeps only what was typed", func(t *testing.T) {
		sub := &content.Submission{Lang: "ru", Story: "  Мой брат уехал в Ереван в сентябре.  ", Name: " Лиса ", Contact: " @lisa@example.social "}
		if err := s.CreateSubmission(t.Context(), sub); err != nil {
			t.Fatal(err)
		}
		got, err := s.Submission(t.Context(), sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := content.Submission{ID: sub.ID, Lang: "ru", Story: "Мой брат уехал в Ереван в сентябре.", Name: "Лиса", Contact: "@lisa@example.social", CreatedAt: c.now()}
		if got.ID != want.ID || got.Lang != want.Lang || got.Story != want.Story || got.Name != want.Name ||
			got.Contact != want.Contact || !got.CreatedAt.Equal(want.CreatedAt) || !got.ReadAt.IsZero() {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		sub := &content.Submission{Lang: "en", Story: "short"}
		if f := invalidFields(t, s.CreateSubmission(t.Context(), sub)); f["story"] != "story_too_short" {
			t.Errorf("fields = %v", f)
		}
		if sub.ID != 0 {
			t.Error("an invalid submission got an id")
		}
	})
}

func TestStore_Submissions(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := storetest.New(t).WithClock(c.now)
	var ids []int64
	for i := range 4 {
		c.add(time.Minute)
		sub := &content.Submission{Lang: "en", Story: "A story long enough, number " + string(rune('1'+i)) + "."}
		if err := s.CreateSubmission(t.Context(), sub); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sub.ID)
	}
	list := func(limit, offset int) []int64 {
		t.Helper()
		subs, err := s.Submissions(t.Context(), limit, offset)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, sub := range subs {
			out = append(out, sub.ID)
		}
		return out
	}

	if got, want := list(10, 0), []int64{ids[3], ids[2], ids[1], ids[0]}; !slices.Equal(got, want) {
		t.Errorf("newest first: got %v, want %v", got, want)
	}

	c.add(time.Minute)
	readAt := c.now()
	for _, id := range []int64{ids[3], ids[1]} {
		if err := s.MarkSubmissionRead(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name          string
		limit, offset int
		want          []int64
	}{
		{"Unread first, then newest first", 10, 0, []int64{ids[2], ids[0], ids[3], ids[1]}},
		{"Paged", 2, 1, []int64{ids[0], ids[3]}},
		{"Default limit", 0, 0, []int64{ids[2], ids[0], ids[3], ids[1]}},
		{"Negative offset", 1, -5, []int64{ids[2]}},
		{"Past the end", 10, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := list(tt.limit, tt.offset); !slices.Equal(got, tt.want) {
				t.Errorf("Submissions(%d, %d) = %v, want %v", tt.limit, tt.offset, got, tt.want)
			}
		})
	}

	t.Run("Read keeps the first reading time", func(t *testing.T) {
		c.add(time.Hour)
		if err := s.MarkSubmissionRead(t.Context(), ids[3]); err != nil {
			t.Fatal(err)
		}
		got, err := s.Submission(t.Context(), ids[3])
		if err != nil {
			t.Fatal(err)
		}
		if !got.ReadAt.Equal(readAt) {
			t.Errorf("ReadAt = %v, want %v", got.ReadAt, readAt)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.Submission(t.Context(), 999999); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("Submission: got %v", err)
		}
		if err := s.MarkSubmissionRead(t.Context(), 999999); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("MarkSubmissionRead: got %v", err)
		}
	})
}
