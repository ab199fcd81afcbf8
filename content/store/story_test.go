package store_test

import (
	"errors"
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
