package store_test

import (
	"slices"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// entryFixture is a small publication: five English translations published a
// minute apart, two of them also in Russian, plus one of each other state.
type entryFixture struct {
	s      *store.Store
	slugs  map[string]int64 // English slug → story id
	draft  int64            // story id of an English draft
	banned []string         // English slugs that must never be listed
}

func newEntryFixture(t *testing.T) *entryFixture {
	t.Helper()
	c := newClock()
	s := storetest.New(t).WithClock(c.now)
	f := &entryFixture{s: s, slugs: map[string]int64{}}
	stories := []struct {
		title  string
		byline content.Story
		tags   []string
		ru     string
	}{
		{"Tbilisi", content.Story{BylineKind: content.BylineName, BylineName: "Nino Beridze"}, []string{"exile", "teaching"}, "Тбилиси"},
		{"Riga", content.Story{BylineKind: content.BylineName, BylineName: "Nino Beridze"}, []string{"family"}, ""},
		{"Border", content.Story{BylineKind: content.BylinePublication}, []string{"exile", "border"}, "Граница"},
		{"Mother", content.Story{BylineKind: content.BylinePseudonym, BylineName: "A mother"}, []string{"family", "war"}, ""},
		{"Berlin", content.Story{BylineKind: content.BylineName, BylineName: "Olga Petrova"}, []string{"dialogue", "exile"}, ""},
	}
	for _, x := range stories {
		c.add(time.Minute)
		st := x.byline
		if err := s.CreateStory(t.Context(), &st); err != nil {
			t.Fatal(err)
		}
		en := &content.Translation{StoryID: st.ID, Lang: "en", Title: x.title, Teaser: x.title + ".", Tags: x.tags}
		if err := s.SaveTranslation(t.Context(), en); err != nil {
			t.Fatal(err)
		}
		setState(t, s, en.ID, content.StatePublished, time.Time{})
		f.slugs[en.Slug] = st.ID
		if x.ru != "" {
			ru := &content.Translation{StoryID: st.ID, Lang: "ru", Title: x.ru, Teaser: x.ru + ".", Tags: []string{"эмиграция"}}
			if err := s.SaveTranslation(t.Context(), ru); err != nil {
				t.Fatal(err)
			}
			setState(t, s, ru.ID, content.StatePublished, time.Time{})
		}
	}
	// Every other state, each with a tag and byline that would match.
	for _, state := range []content.State{content.StateDraft, content.StateScheduled, content.StateWithdrawn} {
		st := &content.Story{BylineKind: content.BylineName, BylineName: "Nino Beridze"}
		if err := s.CreateStory(t.Context(), st); err != nil {
			t.Fatal(err)
		}
		tr := &content.Translation{StoryID: st.ID, Lang: "en", Title: "Hidden " + string(state), Teaser: "Hidden.", Tags: []string{"exile", "family"}}
		if err := s.SaveTranslation(t.Context(), tr); err != nil {
			t.Fatal(err)
		}
		reach(t, s, c, tr.ID, state)
		f.banned = append(f.banned, tr.Slug)
		if state == content.StateDraft {
			f.draft = st.ID
		}
	}
	return f
}

func slugsOf(entries []*content.Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Slug)
	}
	return out
}

func TestStore_Entries(t *testing.T) {
	t.Parallel()
	f := newEntryFixture(t)
	tests := []struct {
		name      string
		filter    store.EntryFilter
		want      []string
		wantTotal int
	}{
		{"Language, newest first", store.EntryFilter{Lang: "en"}, []string{"berlin", "mother", "border", "riga", "tbilisi"}, 5},
		{"Other language", store.EntryFilter{Lang: "ru"}, []string{"granitsa", "tbilisi"}, 2},
		{"No such language", store.EntryFilter{Lang: "fr"}, nil, 0},
		{"Tag", store.EntryFilter{Lang: "en", Tag: "exile"}, []string{"berlin", "border", "tbilisi"}, 3},
		{"Tag in another language", store.EntryFilter{Lang: "ru", Tag: "эмиграция"}, []string{"granitsa", "tbilisi"}, 2},
		{"Tag of the wrong language", store.EntryFilter{Lang: "ru", Tag: "exile"}, nil, 0},
		{"Unknown tag", store.EntryFilter{Lang: "en", Tag: "nothing"}, nil, 0},
		{"Byline", store.EntryFilter{Lang: "en", BylineSlug: "nino-beridze"}, []string{"riga", "tbilisi"}, 2},
		{"Pseudonym", store.EntryFilter{Lang: "en", BylineSlug: "a-mother"}, []string{"mother"}, 1},
		{"Tag and byline", store.EntryFilter{Lang: "en", Tag: "family", BylineSlug: "nino-beridze"}, []string{"riga"}, 1},
		{"First page", store.EntryFilter{Lang: "en", Limit: 2}, []string{"berlin", "mother"}, 5},
		{"Second page", store.EntryFilter{Lang: "en", Limit: 2, Offset: 2}, []string{"border", "riga"}, 5},
		{"Last page", store.EntryFilter{Lang: "en", Limit: 2, Offset: 4}, []string{"tbilisi"}, 5},
		{"Past the end", store.EntryFilter{Lang: "en", Limit: 2, Offset: 10}, nil, 5},
		{"Negative offset", store.EntryFilter{Lang: "en", Limit: 1, Offset: -3}, []string{"berlin"}, 5},
		{"Paged tag", store.EntryFilter{Lang: "en", Tag: "exile", Limit: 1, Offset: 1}, []string{"border"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := f.s.Entries(t.Context(), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(slugsOf(got), tt.want) || total != tt.wantTotal {
				t.Errorf("Entries(%+v) = %v, total %d; want %v, total %d", tt.filter, slugsOf(got), total, tt.want, tt.wantTotal)
			}
			for _, e := range got {
				if slices.Contains(f.banned, e.Slug) {
					t.Errorf("listed %s, which is not published", e.Slug)
				}
				if e.State != content.StatePublished || e.Story == nil || e.Story.ID != e.StoryID || e.Lang != tt.filter.Lang {
					t.Errorf("entry %s: state %s, story %+v, lang %s", e.Slug, e.State, e.Story, e.Lang)
				}
			}
		})
	}
	t.Run("Story fields", func(t *testing.T) {
		got, _, err := f.s.Entries(t.Context(), store.EntryFilter{Lang: "en", BylineSlug: "a-mother"})
		if err != nil || len(got) != 1 {
			t.Fatalf("got %v, %v", got, err)
		}
		st := got[0].Story
		if st.BylineKind != content.BylinePseudonym || st.BylineName != "A mother" || st.ID != f.slugs["mother"] {
			t.Errorf("story = %+v", st)
		}
		if got[0].PublishedAt.IsZero() || got[0].ObjectKey == "" || len(got[0].Tags) != 2 {
			t.Errorf("translation = %+v", got[0].Translation)
		}
	})
	t.Run("Default limit", func(t *testing.T) {
		got, total, err := f.s.Entries(t.Context(), store.EntryFilter{Lang: "en", Limit: 0})
		if err != nil || len(got) != 5 || total != 5 {
			t.Errorf("got %d entries, total %d, %v", len(got), total, err)
		}
	})
}

func TestStore_PublishedLanguages(t *testing.T) {
	t.Parallel()
	f := newEntryFixture(t)
	ids := []int64{f.slugs["tbilisi"], f.slugs["riga"], f.slugs["border"], f.draft, 999999}
	got, err := f.s.PublishedLanguages(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]string{
		f.slugs["tbilisi"]: {"en", "ru"},
		f.slugs["riga"]:    {"en"},
		f.slugs["border"]:  {"en", "ru"},
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for id, langs := range want {
		if !slices.Equal(got[id], langs) {
			t.Errorf("story %d: got %v, want %v", id, got[id], langs)
		}
	}
	if empty, err := f.s.PublishedLanguages(t.Context(), nil); err != nil || len(empty) != 0 {
		t.Errorf("no ids: got %v, %v", empty, err)
	}
}

func tc(tag string, n int) content.TagCount { return content.TagCount{Tag: tag, Count: n} }

func TestStore_Tags(t *testing.T) {
	t.Parallel()
	f := newEntryFixture(t)
	tests := []struct {
		lang  string
		limit int
		want  []content.TagCount
	}{
		// Ties are broken alphabetically; tags of drafts, scheduled and
		// withdrawn translations are not counted.
		{"en", 10, []content.TagCount{tc("exile", 3), tc("family", 2), tc("border", 1), tc("dialogue", 1), tc("teaching", 1), tc("war", 1)}},
		{"en", 2, []content.TagCount{tc("exile", 3), tc("family", 2)}},
		{"en", 0, []content.TagCount{tc("exile", 3), tc("family", 2), tc("border", 1), tc("dialogue", 1), tc("teaching", 1), tc("war", 1)}},
		{"ru", 10, []content.TagCount{tc("эмиграция", 2)}},
		{"fr", 10, nil},
	}
	for _, tt := range tests {
		got, err := f.s.Tags(t.Context(), tt.lang, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Tags(%s, %d) = %v, want %v", tt.lang, tt.limit, got, tt.want)
		}
	}
}
