package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

func TestStore_SavePage(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := storetest.New(t).WithClock(c.now)

	t.Run("Insert", func(t *testing.T) {
		p := &content.Page{Lang: "fr", Slug: "about", Title: "À propos", BodyMarkdown: `Nous disons "bonjour".`}
		if err := s.SavePage(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		if !p.UpdatedAt.Equal(c.now()) || !strings.Contains(p.BodyHTML, "&laquo;&#8239;bonjour&#8239;&raquo;") {
			t.Errorf("after save: %+v", p)
		}
		got, err := s.Page(t.Context(), "fr", "about")
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "À propos" || got.BodyMarkdown != p.BodyMarkdown || got.BodyHTML != p.BodyHTML || !got.UpdatedAt.Equal(c.now()) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("Same slug in another language is another page", func(t *testing.T) {
		p := &content.Page{Lang: "ru", Slug: "about", Title: "О нас", BodyMarkdown: `Мы говорим "здравствуйте".`}
		if err := s.SavePage(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		ru, _ := s.Page(t.Context(), "ru", "about")
		fr, _ := s.Page(t.Context(), "fr", "about")
		if ru.Title != "О нас" || fr.Title != "À propos" || !strings.Contains(ru.BodyHTML, "&laquo;здравствуйте&raquo;") {
			t.Errorf("ru %+v fr %+v", ru, fr)
		}
	})
	t.Run("Upsert replaces", func(t *testing.T) {
		c.add(time.Hour)
		p := &content.Page{Lang: "fr", Slug: "about", Title: "Qui sommes-nous", BodyMarkdown: "Autre *texte*.", BodyHTML: "<script>ignored</script>"}
		if err := s.SavePage(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		got, err := s.Page(t.Context(), "fr", "about")
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Qui sommes-nous" || got.BodyHTML != "<p>Autre <em>texte</em>.</p>\n" || !got.UpdatedAt.Equal(c.now()) {
			t.Errorf("got %+v: the store renders the body itself", got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, key := range [][2]string{{"en", "about"}, {"fr", "privacy"}} {
			if _, err := s.Page(t.Context(), key[0], key[1]); !errors.Is(err, content.ErrNotFound) {
				t.Errorf("Page(%s, %s): got %v, want ErrNotFound", key[0], key[1], err)
			}
		}
	})
}

func TestStore_Pages(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ed := newStaff(t, s, "ed@example.org", "Ed", content.RoleEditor)
	ctx := store.WithStaff(t.Context(), ed.ID)

	en := &content.Page{Lang: "en", Title: "How we work", BodyMarkdown: "Slowly, *carefully*."}
	if err := s.CreatePage(ctx, en); err != nil {
		t.Fatal(err)
	}
	if en.PageID == 0 || en.Slug != "how-we-work" || en.State != content.StateDraft {
		t.Fatalf("created %+v", en)
	}
	ru := &content.Page{PageID: en.PageID, Lang: "ru", Title: "Как мы работаем", BodyMarkdown: "Медленно."}
	if err := s.SavePageTranslation(ctx, ru); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPageState(ctx, en.PageID, "ru", content.StatePublished); err != nil {
		t.Fatal(err)
	}

	t.Run("SlugClash", func(t *testing.T) {
		other := &content.Page{Lang: "en", Slug: "how-we-work", Title: "Another"}
		err := s.CreatePage(ctx, other)
		var ve *content.ValidationError
		if !errors.As(err, &ve) || ve.Fields["slug"] == "" {
			t.Fatalf("got %v, want a validation error on the slug", err)
		}
		pages, _ := s.SitePages(ctx)
		if len(pages) != 1 {
			t.Errorf("%d pages after a refused create, want 1", len(pages))
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		for name, p := range map[string]*content.Page{
			"reserved": {PageID: en.PageID, Lang: "fr", Slug: "search", Title: "Recherche"},
			"utf8":     {PageID: en.PageID, Lang: "fr", Title: "Mauvais \xff octet"},
			"long":     {PageID: en.PageID, Lang: "fr", Title: "Long", BodyMarkdown: strings.Repeat("x", 2<<20)},
		} {
			var ve *content.ValidationError
			if err := s.SavePageTranslation(ctx, p); !errors.As(err, &ve) {
				t.Errorf("%s: got %v, want a validation error", name, err)
			}
		}
		if sp, _ := s.SitePage(ctx, en.PageID); sp.Translation("fr") != nil {
			t.Error("a refused translation was saved")
		}
	})
	t.Run("Edit keeps the state", func(t *testing.T) {
		ru.Title = "Как мы пишем"
		if err := s.SavePageTranslation(ctx, ru); err != nil || ru.State != content.StatePublished {
			t.Fatalf("%v, state %s", err, ru.State)
		}
		if got, err := s.PageWithSlug(ctx, "fr", "how-we-work"); err == nil {
			t.Errorf("a draft's slug in another language found %+v", got)
		}
		if got, err := s.PageWithSlug(ctx, "fr", ru.Slug); err != nil || got.ID != en.PageID || len(got.Translations) != 2 {
			t.Errorf("PageWithSlug: %+v, %v", got, err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := s.DeletePage(ctx, en.PageID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SitePage(ctx, en.PageID); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
		if err := s.DeletePage(ctx, en.PageID); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
	})
	log, err := s.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Ed page_delete,Ed page_edit,Ed page_publish,Ed page_translate,Ed page_create, staff_create"
	if got := strings.Join(actions(log), ","); got != want {
		t.Errorf("audit log %s, want %s", got, want)
	}
}
