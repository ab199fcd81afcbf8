package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"samizdat/content"
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
