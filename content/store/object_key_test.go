package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store/storetest"
)

// TestStore_TranslationByObjectKey: a key finds its translation only in the
// form the store hands out (lower-case, hyphenated), and any other string,
// one PostgreSQL could not even read as a uuid included, is not found
// rather than an error.
func TestStore_TranslationByObjectKey(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	_, tr := newStory(t, s, "en", "Keys and locks")
	pub, err := s.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.TranslationByObjectKey(t.Context(), pub.ObjectKey)
	if err != nil || got.ID != tr.ID {
		t.Fatalf("TranslationByObjectKey(%s) = %+v, %v", pub.ObjectKey, got, err)
	}
	for _, key := range []string{
		"", "not-a-key", strings.ToUpper(pub.ObjectKey), strings.ReplaceAll(pub.ObjectKey, "-", ""),
		"{" + pub.ObjectKey + "}", pub.ObjectKey + " ", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
	} {
		if _, err := s.TranslationByObjectKey(t.Context(), key); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("TranslationByObjectKey(%q): got %v, want ErrNotFound", key, err)
		}
		if ok, err := s.IsTombstoned(t.Context(), key); err != nil || ok {
			t.Errorf("IsTombstoned(%q) = %v, %v; want false, nil", key, ok, err)
		}
	}
}
