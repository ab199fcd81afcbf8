package store_test

import (
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

func TestStore_Search(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	publish := func(lang, title, body string, tags ...string) *content.Translation {
		t.Helper()
		_, tr := newStory(t, s, lang, title)
		tr.BodyMarkdown, tr.Tags = body, tags
		if err := s.SaveTranslation(t.Context(), tr); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	publish("ru", "Письмо с Урала", "Эта война разделила нашу семью. Мы говорим о ней <b>шёпотом</b> & долго.")
	publish("ru", "Кухня", "Здесь говорят на двух языках.", "семья")
	publish("en", "Night shift", "The war divided the town.")
	publish("uk", "Лист", "Війна прийшла до нас у лютому.")
	_, draft := newStory(t, s, "ru", "Черновик о войне")
	_ = draft
	if err := s.SavePage(t.Context(), &content.Page{Lang: "ru", Slug: "about", Title: "О нас", BodyMarkdown: "Мы пишем о войне и мире."}); err != nil {
		t.Fatal(err)
	}

	search := func(lang, q string) ([]*store.SearchHit, int) {
		t.Helper()
		hits, total, err := s.Search(t.Context(), store.SearchFilter{Lang: lang, Query: q})
		if err != nil {
			t.Fatalf("Search(%s, %q): %v", lang, q, err)
		}
		return hits, total
	}

	t.Run("Inflected", func(t *testing.T) {
		hits, total := search("ru", "войны")
		if total != 2 || len(hits) != 2 {
			t.Fatalf("%d hits (total %d), want the story and the page", len(hits), total)
		}
		var story *store.SearchHit
		for _, h := range hits {
			if h.Kind == "story" {
				story = h
			}
		}
		if story == nil || story.Title != "Письмо с Урала" || story.BylineName != "Anna K." {
			t.Fatalf("hits %+v", hits)
		}
		if !strings.Contains(story.Snippet, store.MarkStart+"война"+store.MarkStop) || strings.Contains(story.Snippet, "<b>") {
			t.Errorf("snippet %q", story.Snippet)
		}
	})
	t.Run("TitleRanksFirst", func(t *testing.T) {
		publish("ru", "Война и кухня", "Ничего больше.")
		hits, _ := search("ru", "война")
		if len(hits) < 2 || hits[0].Title != store.MarkStart+"Война"+store.MarkStop+" и кухня" {
			t.Errorf("first hit %+v", hits[0])
		}
	})
	t.Run("Tag", func(t *testing.T) {
		if hits, _ := search("ru", "семья"); len(hits) != 2 {
			t.Errorf("%d hits for a tag and a word, want 2", len(hits))
		}
	})
	t.Run("Byline", func(t *testing.T) {
		if _, total := search("en", "Anna"); total != 1 {
			t.Errorf("%d hits by byline, want 1", total)
		}
	})
	t.Run("SimpleForUkrainian", func(t *testing.T) {
		if _, total := search("uk", "Війна"); total != 1 {
			t.Errorf("%d hits, want 1", total)
		}
	})
	t.Run("LanguageAndStateOnly", func(t *testing.T) {
		if _, total := search("en", "Черновик"); total != 0 {
			t.Errorf("%d hits across languages or in drafts", total)
		}
	})
	t.Run("Paged", func(t *testing.T) {
		hits, total, err := s.Search(t.Context(), store.SearchFilter{Lang: "ru", Query: "войне", Limit: 1, Offset: 1})
		if err != nil || len(hits) != 1 || total < 2 {
			t.Errorf("page 2: %d hits of %d, %v", len(hits), total, err)
		}
	})
	t.Run("Hostile", func(t *testing.T) {
		for _, q := range []string{"", "   ", "\x00", "\xff\xfe", `"`, "!!&&||(", "-", "or or or", "'; DROP TABLE stories; --",
			"the", strings.Repeat("война ", 300), "\uE000война\uE001", `a:* & b`} {
			if _, _, err := s.Search(t.Context(), store.SearchFilter{Lang: "ru", Query: q}); err != nil {
				t.Errorf("Search(%q): %v", q, err)
			}
		}
	})
}
