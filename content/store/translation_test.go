package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// changes records what the store's change hook hears.
type changes struct{ got []string }

func (c *changes) hook(_ context.Context, _ pgx.Tx, kind content.ChangeKind, t *content.Translation) error {
	c.got = append(c.got, fmt.Sprintf("%s %s/%s", kind, t.Lang, t.Slug))
	return nil
}

// take returns what was heard since the last call.
func (c *changes) take() []string {
	got := c.got
	c.got = nil
	return got
}

// newTranslation adds a draft translation to a story.
func newTranslation(t *testing.T, s *store.Store, storyID int64, lang, title string) *content.Translation {
	t.Helper()
	tr := &content.Translation{StoryID: storyID, Lang: lang, Title: title, Teaser: "Teaser of " + title + "."}
	if err := s.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatalf("SaveTranslation %s/%s: %v", lang, title, err)
	}
	return tr
}

// setState moves a translation or fails the test.
func setState(t *testing.T, s *store.Store, id int64, to content.State, at time.Time) *content.Translation {
	t.Helper()
	tr, err := s.SetTranslationState(t.Context(), id, to, at)
	if err != nil {
		t.Fatalf("SetTranslationState(%d, %s): %v", id, to, err)
	}
	return tr
}

func TestStore_SaveTranslation_Insert(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	st, _ := newStory(t, s, "en", "First")

	t.Run("OK", func(t *testing.T) {
		tr := &content.Translation{
			StoryID: st.ID, Lang: "fr", Title: " Nous deux, à Lyon ", Teaser: "Un couple.",
			BodyMarkdown: `Elle a dit "oui".`, Tags: []string{"Exil", "#dialogue", "exil"}, CoverAlt: " Deux tasses. ",
		}
		if err := s.SaveTranslation(t.Context(), tr); err != nil {
			t.Fatal(err)
		}
		got, err := s.Translation(t.Context(), tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != content.StateDraft || got.Slug != "nous-deux-a-lyon" || got.Title != "Nous deux, à Lyon" ||
			got.CoverAlt != "Deux tasses." || !slices.Equal(got.Tags, []string{"exil", "dialogue"}) {
			t.Errorf("got %+v", got)
		}
		if !strings.Contains(got.BodyHTML, "&laquo;&#8239;oui&#8239;&raquo;") {
			t.Errorf("BodyHTML = %q, want it rendered in French", got.BodyHTML)
		}
		if got.ObjectKey != "" || !got.PublishedAt.IsZero() || !got.PublishAt.IsZero() || !got.EditedAt.IsZero() {
			t.Errorf("a new draft has publication data: %+v", got)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		tr := &content.Translation{StoryID: st.ID, Lang: "ru", Title: "", Teaser: "<b>"}
		f := invalidFields(t, s.SaveTranslation(t.Context(), tr))
		if f["title"] == "" || f["teaser"] == "" || f["slug"] == "" {
			t.Errorf("fields = %v, want title, teaser and slug", f)
		}
		if tr.ID != 0 {
			t.Error("an invalid translation got an id")
		}
	})
	t.Run("ErrNotDraft", func(t *testing.T) {
		tr := &content.Translation{StoryID: st.ID, Lang: "ru", Title: "Сразу", Teaser: "Тизер.", State: content.StatePublished}
		if f := invalidFields(t, s.SaveTranslation(t.Context(), tr)); f["state"] == "" {
			t.Errorf("fields = %v, want state", f)
		}
	})
	t.Run("ErrSecondTranslationInLanguage", func(t *testing.T) {
		tr := &content.Translation{StoryID: st.ID, Lang: "en", Title: "Another English one", Teaser: "Teaser."}
		if f := invalidFields(t, s.SaveTranslation(t.Context(), tr)); f["lang"] == "" {
			t.Errorf("fields = %v, want lang", f)
		}
	})
	t.Run("ErrUnknownStory", func(t *testing.T) {
		tr := &content.Translation{StoryID: 999999, Lang: "en", Title: "Orphan", Teaser: "Teaser."}
		if err := s.SaveTranslation(t.Context(), tr); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

func TestStore_SaveTranslation_SlugPerLanguage(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	_, en := newStory(t, s, "en", "Home")
	st2, _ := newStory(t, s, "ru", "Дом")

	t.Run("OK same slug in another language", func(t *testing.T) {
		fr := &content.Translation{StoryID: st2.ID, Lang: "fr", Title: "Maison", Teaser: "Maison.", Slug: en.Slug}
		if err := s.SaveTranslation(t.Context(), fr); err != nil {
			t.Fatal(err)
		}
		if fr.Slug != "home" {
			t.Errorf("slug = %q", fr.Slug)
		}
	})
	t.Run("ErrSlugTaken on insert", func(t *testing.T) {
		tr := &content.Translation{StoryID: st2.ID, Lang: "en", Title: "Home", Teaser: "Home."}
		if f := invalidFields(t, s.SaveTranslation(t.Context(), tr)); f["slug"] == "" {
			t.Errorf("fields = %v, want slug", f)
		}
	})
	t.Run("ErrSlugTaken on update", func(t *testing.T) {
		other := newTranslation(t, s, st2.ID, "en", "Elsewhere")
		other.Slug = "home"
		if f := invalidFields(t, s.SaveTranslation(t.Context(), other)); f["slug"] == "" {
			t.Errorf("fields = %v, want slug", f)
		}
		got, err := s.Translation(t.Context(), other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Slug != "elsewhere" {
			t.Errorf("a refused save changed the slug to %q", got.Slug)
		}
	})
}

func TestStore_SaveTranslation_Update(t *testing.T) {
	t.Parallel()
	c := newClock()
	var heard changes
	s := storetest.New(t)
	s.OnChange(heard.hook)
	s = s.WithClock(c.now)
	_, tr := newStory(t, s, "en", "Draft title")

	t.Run("Draft edit is not an edit after publication", func(t *testing.T) {
		c.add(time.Minute)
		tr.Title, tr.BodyMarkdown, tr.Tags = "Better title", `"Quoted"`, []string{"exile"}
		tr.State = content.StatePublished // ignored: states change only through SetTranslationState
		if err := s.SaveTranslation(t.Context(), tr); err != nil {
			t.Fatal(err)
		}
		got, err := s.Translation(t.Context(), tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Better title" || got.Slug != "draft-title" || got.State != content.StateDraft ||
			!got.EditedAt.IsZero() || !got.UpdatedAt.Equal(c.now()) || !strings.Contains(got.BodyHTML, "&ldquo;Quoted&rdquo;") {
			t.Errorf("got %+v", got)
		}
		if tr.State != content.StateDraft {
			t.Errorf("SaveTranslation left State = %s in the caller's value", tr.State)
		}
		if h := heard.take(); len(h) != 0 {
			t.Errorf("hook heard %v for a draft", h)
		}
	})

	pub := setState(t, s, tr.ID, content.StatePublished, time.Time{})
	heard.take()

	t.Run("Published edit sets EditedAt and tells the hook", func(t *testing.T) {
		c.add(time.Hour)
		pub.Teaser = "A corrected teaser."
		if err := s.SaveTranslation(t.Context(), pub); err != nil {
			t.Fatal(err)
		}
		got, err := s.Translation(t.Context(), pub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.EditedAt.Equal(c.now()) || !got.PublishedAt.Equal(c.at(-time.Hour)) || got.State != content.StatePublished {
			t.Errorf("EditedAt %v PublishedAt %v State %s", got.EditedAt, got.PublishedAt, got.State)
		}
		if !got.Updated().Equal(c.now()) {
			t.Errorf("Updated() = %v, want the edit time", got.Updated())
		}
		if got.ObjectKey != pub.ObjectKey {
			t.Errorf("an edit changed the Article key")
		}
		if h := heard.take(); !slices.Equal(h, []string{"updated en/draft-title"}) {
			t.Errorf("hook heard %v", h)
		}
	})
	t.Run("Saving a published translation unchanged is not an edit", func(t *testing.T) {
		before, err := s.Translation(t.Context(), pub.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.add(time.Hour)
		same := *before
		if err := s.SaveTranslation(t.Context(), &same); err != nil {
			t.Fatal(err)
		}
		after, err := s.Translation(t.Context(), pub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !after.EditedAt.Equal(before.EditedAt) || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("EditedAt %v → %v, UpdatedAt %v → %v", before.EditedAt, after.EditedAt, before.UpdatedAt, after.UpdatedAt)
		}
		if h := heard.take(); len(h) != 0 {
			t.Errorf("hook heard %v for a save that changed nothing", h)
		}
	})
	t.Run("Language stays", func(t *testing.T) {
		moved := *pub
		moved.Lang = "fr"
		moved.BodyMarkdown = `"Again"`
		if err := s.SaveTranslation(t.Context(), &moved); err != nil {
			t.Fatal(err)
		}
		got, err := s.Translation(t.Context(), pub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Lang != "en" || !strings.Contains(got.BodyHTML, "&ldquo;Again&rdquo;") {
			t.Errorf("lang %s body %q: a save must not move a translation to another language", got.Lang, got.BodyHTML)
		}
		heard.take()
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		gone := &content.Translation{ID: 999999, Lang: "en", Title: "Gone", Teaser: "Gone."}
		if err := s.SaveTranslation(t.Context(), gone); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

func TestStore_SlugRedirect(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	_, tr := newStory(t, s, "en", "Old name")

	t.Run("Draft slug change keeps no redirect", func(t *testing.T) {
		tr.Slug = "draft-name"
		if err := s.SaveTranslation(t.Context(), tr); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SlugRedirect(t.Context(), "en", "old-name"); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound: a draft was never at a public address", err)
		}
	})

	pub := setState(t, s, tr.ID, content.StatePublished, time.Time{})

	t.Run("Published slug change redirects", func(t *testing.T) {
		pub.Slug = "new-name"
		if err := s.SaveTranslation(t.Context(), pub); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SlugRedirect(t.Context(), "en", "draft-name"); err != nil || got != "new-name" {
			t.Errorf("SlugRedirect(draft-name) = %q, %v; want new-name", got, err)
		}
		if _, err := s.TranslationBySlug(t.Context(), "en", "draft-name"); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("old slug still finds a translation: %v", err)
		}
		if got, err := s.TranslationBySlug(t.Context(), "en", "new-name"); err != nil || got.ID != pub.ID {
			t.Errorf("TranslationBySlug(new-name) = %v, %v", got, err)
		}
	})
	t.Run("Second change: every old slug leads to the current one", func(t *testing.T) {
		pub.Slug = "newest-name"
		if err := s.SaveTranslation(t.Context(), pub); err != nil {
			t.Fatal(err)
		}
		for _, old := range []string{"draft-name", "new-name"} {
			if got, err := s.SlugRedirect(t.Context(), "en", old); err != nil || got != "newest-name" {
				t.Errorf("SlugRedirect(%s) = %q, %v; want newest-name", old, got, err)
			}
		}
	})
	t.Run("Redirects are per language", func(t *testing.T) {
		if _, err := s.SlugRedirect(t.Context(), "fr", "new-name"); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("A new translation taking an old slug wins", func(t *testing.T) {
		st2, _ := newStory(t, s, "ru", "Другая")
		taker := &content.Translation{StoryID: st2.ID, Lang: "en", Title: "Another", Teaser: "Another.", Slug: "new-name"}
		if err := s.SaveTranslation(t.Context(), taker); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SlugRedirect(t.Context(), "en", "new-name"); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("the redirect survived: %v", err)
		}
		if got, err := s.TranslationBySlug(t.Context(), "en", "new-name"); err != nil || got.ID != taker.ID {
			t.Errorf("TranslationBySlug(new-name) = %v, %v; want the new translation", got, err)
		}
		if got, err := s.SlugRedirect(t.Context(), "en", "draft-name"); err != nil || got != "newest-name" {
			t.Errorf("the other redirect broke: %q, %v", got, err)
		}
	})
	t.Run("Renaming back to an old slug drops its redirect", func(t *testing.T) {
		pub.Slug = "draft-name"
		if err := s.SaveTranslation(t.Context(), pub); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SlugRedirect(t.Context(), "en", "draft-name"); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("a live slug is also a redirect: %v", err)
		}
		if got, err := s.SlugRedirect(t.Context(), "en", "newest-name"); err != nil || got != "draft-name" {
			t.Errorf("SlugRedirect(newest-name) = %q, %v", got, err)
		}
	})
	t.Run("Withdrawn slug change redirects", func(t *testing.T) {
		w := setState(t, s, pub.ID, content.StateWithdrawn, time.Time{})
		w.Slug = "withdrawn-name"
		if err := s.SaveTranslation(t.Context(), w); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SlugRedirect(t.Context(), "en", "draft-name"); err != nil || got != "withdrawn-name" {
			t.Errorf("SlugRedirect(draft-name) = %q, %v", got, err)
		}
	})
}

func TestStore_TranslationLookups(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	_, tr := newStory(t, s, "ru", "Письмо из Риги")
	if got, err := s.Translation(t.Context(), tr.ID); err != nil || got.Slug != "pismo-iz-rigi" {
		t.Errorf("Translation = %v, %v", got, err)
	}
	if got, err := s.TranslationBySlug(t.Context(), "ru", "pismo-iz-rigi"); err != nil || got.ID != tr.ID {
		t.Errorf("TranslationBySlug = %v, %v", got, err)
	}
	for name, err := range map[string]error{
		"Translation":          func() error { _, err := s.Translation(t.Context(), 999999); return err }(),
		"TranslationBySlug":    func() error { _, err := s.TranslationBySlug(t.Context(), "en", "pismo-iz-rigi"); return err }(),
		"SlugRedirect missing": func() error { _, err := s.SlugRedirect(t.Context(), "ru", "nothing"); return err }(),
	} {
		if !errors.Is(err, content.ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", name, err)
		}
	}
}
