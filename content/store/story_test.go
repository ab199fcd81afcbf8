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

// newStory creates a story with one draft translation for tests.
func newStory(t *testing.T, s *store.Store, lang, title string) (*content.Story, *content.Translation) {
	t.Helper()
	st := &content.Story{BylineKind: content.BylinePseudonym, BylineName: "Anna K."}
	if err := s.CreateStory(t.Context(), st); err != nil {
		t.Fatalf("CreateStory: %v", err)
	}
	tr := &content.Translation{StoryID: st.ID, Lang: lang, Title: title, Teaser: "A teaser.", BodyMarkdown: "Hello *world*."}
	if err := s.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatalf("SaveTranslation: %v", err)
	}
	return st, tr
}

func TestStore_PublishWithdrawRepublish(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	_, tr := newStory(t, s, "en", "Letters from Tbilisi")
	if tr.Slug != "letters-from-tbilisi" || tr.State != content.StateDraft {
		t.Fatalf("got slug %q state %q", tr.Slug, tr.State)
	}
	pub, err := s.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if pub.ObjectKey == "" || pub.PublishedAt.IsZero() {
		t.Fatalf("published without key or time: %+v", pub)
	}
	if _, err := s.SetTranslationState(t.Context(), tr.ID, content.StateWithdrawn, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.IsTombstoned(t.Context(), pub.ObjectKey); err != nil || !ok {
		t.Fatalf("IsTombstoned = %v, %v; want true", ok, err)
	}
	again, err := s.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if again.ObjectKey == pub.ObjectKey {
		t.Fatalf("republished with the withdrawn key %s", again.ObjectKey)
	}
	var ve *content.ValidationError
	if _, err := s.SetTranslationState(t.Context(), tr.ID, content.StateScheduled, time.Now().Add(time.Hour)); !errors.As(err, &ve) {
		t.Fatalf("published → scheduled: got %v, want a validation error", err)
	}
}

// clock is a fake time for a store made with WithClock. Tests that use one
// move it by hand and never share it between goroutines.
type clock struct{ t time.Time }

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time               { return c.t }
func (c *clock) add(d time.Duration)          { c.t = c.t.Add(d) }
func (c *clock) at(d time.Duration) time.Time { return c.t.Add(d) }

// invalidFields returns the fields of a *content.ValidationError, or fails
// the test when err is something else.
func invalidFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *content.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got error %v, want a *content.ValidationError", err)
	}
	return ve.Fields
}

func TestStore_CreateStory(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	t.Run("OK", func(t *testing.T) {
		st := &content.Story{BylineKind: content.BylineName, BylineName: "  Nino Beridze ", CoverImage: "abc.jpg", Pinned: true}
		if err := s.CreateStory(t.Context(), st); err != nil {
			t.Fatal(err)
		}
		if st.ID == 0 || st.CreatedAt.IsZero() || !st.UpdatedAt.Equal(st.CreatedAt) {
			t.Fatalf("not filled in: %+v", st)
		}
		got, err := s.Story(t.Context(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.BylineKind != content.BylineName || got.BylineName != "Nino Beridze" || got.BylineSlug != "nino-beridze" ||
			got.CoverImage != "abc.jpg" || !got.Pinned || len(got.Translations) != 0 {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("OK publication", func(t *testing.T) {
		st := &content.Story{BylineKind: content.BylinePublication, BylineName: "ignored"}
		if err := s.CreateStory(t.Context(), st); err != nil {
			t.Fatal(err)
		}
		got, err := s.Story(t.Context(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.BylineName != "" || got.BylineSlug != "" {
			t.Errorf("publication byline kept a name: %+v", got)
		}
	})
	t.Run("ErrBylineName", func(t *testing.T) {
		st := &content.Story{BylineKind: content.BylinePseudonym, BylineName: "  "}
		if f := invalidFields(t, s.CreateStory(t.Context(), st)); f["byline_name"] == "" {
			t.Errorf("fields = %v, want byline_name", f)
		}
		if st.ID != 0 {
			t.Error("an invalid story got an id")
		}
	})
	t.Run("ErrBylineKind", func(t *testing.T) {
		if f := invalidFields(t, s.CreateStory(t.Context(), &content.Story{BylineKind: "nobody"})); f["byline_kind"] == "" {
			t.Errorf("fields = %v, want byline_kind", f)
		}
	})
}

func TestStore_UpdateStory(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := storetest.New(t).WithClock(c.now)
	st, _ := newStory(t, s, "en", "A story")
	created := st.UpdatedAt

	t.Run("OK", func(t *testing.T) {
		c.add(time.Minute)
		st.BylineKind, st.BylineName, st.CoverImage, st.Pinned = content.BylineName, "Olga Petrova", "cover.jpg", true
		if err := s.UpdateStory(t.Context(), st); err != nil {
			t.Fatal(err)
		}
		got, err := s.Story(t.Context(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.BylineSlug != "olga-petrova" || got.CoverImage != "cover.jpg" || !got.Pinned || got.BylineKind != content.BylineName {
			t.Errorf("got %+v", got)
		}
		if !got.UpdatedAt.Equal(c.now()) || !got.UpdatedAt.After(created) {
			t.Errorf("UpdatedAt = %v, want %v", got.UpdatedAt, c.now())
		}
		if !got.CreatedAt.Equal(created) {
			t.Errorf("CreatedAt changed to %v", got.CreatedAt)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		bad := *st
		bad.BylineKind, bad.BylineName = content.BylineName, ""
		if f := invalidFields(t, s.UpdateStory(t.Context(), &bad)); f["byline_name"] == "" {
			t.Errorf("fields = %v", f)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := s.UpdateStory(t.Context(), &content.Story{ID: 999999, BylineKind: content.BylinePublication})
		if !errors.Is(err, content.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

func TestStore_Story(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	st, _ := newStory(t, s, "ru", "Письмо")
	for _, lang := range []string{"fr", "en"} {
		tr := &content.Translation{StoryID: st.ID, Lang: lang, Title: "Lettre " + lang, Teaser: "Teaser."}
		if err := s.SaveTranslation(t.Context(), tr); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("OK translations by language", func(t *testing.T) {
		got, err := s.Story(t.Context(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		var langs []string
		for _, tr := range got.Translations {
			langs = append(langs, tr.Lang)
			if tr.StoryID != st.ID {
				t.Errorf("translation %d has story %d", tr.ID, tr.StoryID)
			}
		}
		if strings.Join(langs, ",") != "en,fr,ru" {
			t.Errorf("languages = %v, want en,fr,ru", langs)
		}
		if got.Translation("ru").Slug != "pismo" {
			t.Errorf("ru slug = %q", got.Translation("ru").Slug)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.Story(t.Context(), 999999); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

func TestStore_Stories(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := storetest.New(t).WithClock(c.now)
	var ids []int64
	for _, title := range []string{"One", "Two", "Three", "Four"} {
		c.add(time.Minute)
		st, _ := newStory(t, s, "en", title)
		ids = append(ids, st.ID)
	}
	c.add(time.Minute)
	// Publishing "Two" touches its story: it becomes the most recent.
	two, err := s.Story(t.Context(), ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTranslationState(t.Context(), two.Translations[0].ID, content.StatePublished, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// "Three" also gets a scheduled French translation.
	c.add(time.Minute)
	fr := &content.Translation{StoryID: ids[2], Lang: "fr", Title: "Trois", Teaser: "Trois."}
	if err := s.SaveTranslation(t.Context(), fr); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTranslationState(t.Context(), fr.ID, content.StateScheduled, c.at(time.Hour)); err != nil {
		t.Fatal(err)
	}

	storyIDs := func(list []*content.Story) []int64 {
		var out []int64
		for _, st := range list {
			out = append(out, st.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.StoryFilter
		want []int64
	}{
		{"All, most recently changed first", store.StoryFilter{}, []int64{ids[2], ids[1], ids[3], ids[0]}},
		{"Drafts", store.StoryFilter{State: content.StateDraft}, []int64{ids[2], ids[3], ids[0]}},
		{"Published", store.StoryFilter{State: content.StatePublished}, []int64{ids[1]}},
		{"Scheduled", store.StoryFilter{State: content.StateScheduled}, []int64{ids[2]}},
		{"Withdrawn", store.StoryFilter{State: content.StateWithdrawn}, nil},
		{"Paged", store.StoryFilter{Limit: 2, Offset: 1}, []int64{ids[1], ids[3]}},
		{"Past the end", store.StoryFilter{Offset: 10}, nil},
		{"Negative offset", store.StoryFilter{Limit: 1, Offset: -1}, []int64{ids[2]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Stories(t.Context(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(storyIDs(got), tt.want) {
				t.Errorf("Stories(%+v) = %v, want %v", tt.f, storyIDs(got), tt.want)
			}
		})
	}
	t.Run("Translations attached", func(t *testing.T) {
		got, err := s.Stories(t.Context(), store.StoryFilter{State: content.StateScheduled})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || len(got[0].Translations) != 2 || got[0].Translation("fr").State != content.StateScheduled {
			t.Fatalf("got %+v", got)
		}
	})
}
