package demo_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"slices"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/demo"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
	"samizdat/picture"
)

// A stand-in hash: the store only needs one; web.HashPassword is too slow to
// call in every test and lives in a package content must not import.
const fakeHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5"

func load(t *testing.T, st *store.Store, opts demo.Options) demo.Result {
	t.Helper()
	if opts.EditorPasswordHash == "" {
		opts.EditorPasswordHash = fakeHash
	}
	res, err := demo.Load(t.Context(), st, opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return res
}

func allStories(t *testing.T, st *store.Store) []*content.Story {
	t.Helper()
	list, err := st.Stories(t.Context(), store.StoryFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// snapshot describes everything Load may write, to compare two runs.
func snapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, s := range allStories(t, st) {
		fmt.Fprintf(&b, "story %d %s %s %s %v\n", s.ID, s.BylineName, s.CoverImage, s.UpdatedAt.UTC(), s.Pinned)
		for _, tr := range s.Translations {
			fmt.Fprintf(&b, "  %s %s %s %s %s %s %s\n", tr.Lang, tr.Slug, tr.State, tr.PublishedAt.UTC(), tr.PublishAt.UTC(), tr.UpdatedAt.UTC(), tr.ObjectKey)
		}
	}
	for _, lang := range []string{"en", "ru", "fr"} {
		for _, slug := range content.PageSlugs {
			if p, err := st.Page(t.Context(), lang, slug); err == nil {
				fmt.Fprintf(&b, "page %s/%s %s\n", lang, slug, p.UpdatedAt.UTC())
			}
		}
	}
	staff, err := st.StaffList(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range staff {
		fmt.Fprintf(&b, "staff %s %s\n", m.Email, m.PasswordHash)
	}
	rows, err := st.Pool().Query(t.Context(), `SELECT name, size, created_at FROM media ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var size int
		var at time.Time
		if err := rows.Scan(&name, &size, &at); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "media %s %d %s\n", name, size, at.UTC())
	}
	return b.String()
}

func TestLoad(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	before := time.Now()
	res := load(t, st, demo.Options{})

	stories := allStories(t, st)
	if !res.Loaded || res.Stories != len(stories) || len(stories) < 7 {
		t.Fatalf("Result %+v with %d stories in the database", res, len(stories))
	}
	translations := 0
	for _, s := range stories {
		translations += len(s.Translations)
	}
	if res.Translations != translations || res.Pages != 12 {
		t.Errorf("Result %+v; %d translations in the database, want 12 pages", res, translations)
	}

	t.Run("Stories", func(t *testing.T) {
		var pseudonym, publication, frenchless bool
		states := map[content.State]int{}
		for _, s := range stories {
			pseudonym = pseudonym || s.BylineKind == content.BylinePseudonym && s.BylineName != ""
			publication = publication || s.BylineKind == content.BylinePublication
			if s.Translation("fr") == nil && s.Translation("en").State == content.StatePublished {
				frenchless = true
			}
			for _, tr := range s.Translations {
				states[tr.State]++
				switch tr.State {
				case content.StatePublished, content.StateWithdrawn:
					if !tr.PublishedAt.Before(before.Add(-24*time.Hour)) || tr.PublishedAt.Before(before.Add(-60*24*time.Hour)) {
						t.Errorf("%s/%s published at %v: want within the last weeks", tr.Lang, tr.Slug, tr.PublishedAt)
					}
				case content.StateScheduled:
					if !tr.PublishAt.After(before) {
						t.Errorf("%s/%s scheduled for %v, in the past", tr.Lang, tr.Slug, tr.PublishAt)
					}
				}
				if tr.CoverAlt == "" || len(tr.Tags) < 2 || tr.Teaser == "" || tr.BodyHTML == "" {
					t.Errorf("%s/%s is missing something: %+v", tr.Lang, tr.Slug, tr)
				}
			}
		}
		if !pseudonym || !publication || !frenchless {
			t.Errorf("pseudonym %v, publication %v, story without French %v", pseudonym, publication, frenchless)
		}
		for _, s := range content.States {
			if states[s] == 0 {
				t.Errorf("no translation is %s", s)
			}
		}
	})
	t.Run("Covers", func(t *testing.T) {
		seen := map[string]bool{}
		for _, s := range stories {
			n, ok := picture.Parse(s.CoverImage)
			if !ok || n.Ext != "jpg" || n.Width != 1200 || n.Height != 630 || seen[s.CoverImage] {
				t.Errorf("story %d cover %q", s.ID, s.CoverImage)
				continue
			}
			seen[s.CoverImage] = true
			m, err := st.Media(t.Context(), s.CoverImage)
			if err != nil {
				t.Error(err)
				continue
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(m.Content))
			if err != nil || cfg.Width != 1200 || cfg.Height != 630 || picture.NameOf(m.Content, 1200, 630, "jpg") != n {
				t.Errorf("%s: %v, %dx%d", s.CoverImage, err, cfg.Width, cfg.Height)
			}
			for _, w := range n.VariantWidths() {
				for _, ext := range []string{"webp", "jpg"} {
					if _, err := st.MediaSize(t.Context(), n.Variant(w, ext)); err != nil {
						t.Errorf("variant %d %s: %v", w, ext, err)
					}
				}
			}
		}
		// Each cover with its six variants.
		if n, _, err := st.MediaStats(t.Context()); err != nil || n != 7*len(stories) {
			t.Errorf("%d images kept, want seven per story (%d): %v", n, len(stories), err)
		}
	})
	t.Run("Public lists", func(t *testing.T) {
		en, total, err := st.Entries(t.Context(), store.EntryFilter{Lang: "en", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		_, frTotal, _ := st.Entries(t.Context(), store.EntryFilter{Lang: "fr", Limit: 100})
		if total < 6 || frTotal == 0 || frTotal >= total {
			t.Errorf("%d English and %d French entries", total, frTotal)
		}
		for i := 1; i < len(en); i++ {
			if !en[i-1].PublishedAt.After(en[i].PublishedAt) {
				t.Errorf("two entries share a publication time: %s and %s", en[i-1].Slug, en[i].Slug)
			}
		}
		tags, err := st.Tags(t.Context(), "ru", 0)
		if err != nil || len(tags) == 0 || !slices.ContainsFunc(tags, func(tc content.TagCount) bool { return tc.Tag == "война" }) {
			t.Errorf("Russian tags = %v, %v", tags, err)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		for _, lang := range []string{"en", "ru", "fr"} {
			for _, slug := range content.PageSlugs {
				p, err := st.Page(t.Context(), lang, slug)
				if err != nil || p.Title == "" || p.BodyHTML == "" {
					t.Errorf("page %s/%s: %v", lang, slug, err)
				}
			}
		}
		about, _ := st.Page(t.Context(), "en", "about")
		if !strings.Contains(about.BodyHTML, "fictional") {
			t.Error("the about page should say the publication is fictional")
		}
		privacy, _ := st.Page(t.Context(), "en", "privacy")
		for _, promise := range []string{"No cookies", "No tracking", "No third-party requests", "No IP addresses stored", "only what you type"} {
			if !strings.Contains(privacy.BodyHTML, promise) {
				t.Errorf("privacy page does not say %q", promise)
			}
		}
	})
	t.Run("Editor", func(t *testing.T) {
		m, err := st.StaffByEmail(t.Context(), demo.EditorEmail)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range content.Roles {
			if !m.Has(r) {
				t.Errorf("the demo editor lacks %s", r)
			}
		}
		if m.PasswordHash != fakeHash {
			t.Errorf("PasswordHash = %q", m.PasswordHash)
		}
	})
	t.Run("Second run changes nothing", func(t *testing.T) {
		first := snapshot(t, st)
		time.Sleep(10 * time.Millisecond) // so a rewrite would show in a time
		again := load(t, st, demo.Options{EditorPasswordHash: "another-hash"})
		if again.Loaded || again.Reason == "" || again.Stories != 0 || again.Translations != 0 || again.Pages != 0 {
			t.Errorf("second Load = %+v", again)
		}
		if second := snapshot(t, st); second != first {
			t.Errorf("the second run changed something:\nbefore:\n%s\nafter:\n%s", first, second)
		}
	})
}

// TestLoad_Resume plays a run that died after its first translation: the
// next run completes the demo without duplicating anything.
func TestLoad_Resume(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	// What a crashed run leaves: a story with one draft translation whose
	// slug is the demo's.
	s := &content.Story{BylineKind: content.BylineName, BylineName: "Vera Lebedeva"}
	if err := st.CreateStory(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	tr := &content.Translation{StoryID: s.ID, Lang: "en", Title: "The classroom I carried to Tbilisi",
		Slug: "the-classroom-i-carried-to-tbilisi", Teaser: "Half loaded."}
	if err := st.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatal(err)
	}

	res := load(t, st, demo.Options{})
	fresh := load(t, storetest.New(t), demo.Options{})
	if !res.Loaded || res.Stories != fresh.Stories-1 || res.Translations != fresh.Translations-1 {
		t.Fatalf("resumed %+v, fresh %+v", res, fresh)
	}
	got, err := st.Story(t.Context(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	en := got.Translation("en")
	if len(got.Translations) != 3 || en.State != content.StatePublished || en.PublishedAt.After(time.Now().Add(-24*time.Hour)) {
		t.Errorf("the half-loaded story: %d translations, en %s at %v", len(got.Translations), en.State, en.PublishedAt)
	}
	if n := len(allStories(t, st)); n != fresh.Stories {
		t.Errorf("%d stories after resuming, want %d", n, fresh.Stories)
	}
}

func TestLoad_LeavesAPublicationAlone(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	mine := &content.Story{BylineKind: content.BylinePublication}
	if err := st.CreateStory(t.Context(), mine); err != nil {
		t.Fatal(err)
	}
	res := load(t, st, demo.Options{})
	if res.Loaded || res.Reason == "" {
		t.Errorf("Load = %+v, want it to refuse", res)
	}
	if n := len(allStories(t, st)); n != 1 {
		t.Errorf("%d stories, want only the publication's own", n)
	}
	if _, err := st.StaffByEmail(t.Context(), demo.EditorEmail); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("the demo editor was created: %v", err)
	}
	if n, _, _ := st.MediaStats(t.Context()); n != 0 {
		t.Errorf("%d images written", n)
	}
}

func TestLoad_Languages(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	res := load(t, st, demo.Options{Languages: []string{"en", "de"}})
	for _, s := range allStories(t, st) {
		for _, tr := range s.Translations {
			if tr.Lang != "en" {
				t.Errorf("loaded %s/%s", tr.Lang, tr.Slug)
			}
		}
	}
	if res.Pages != len(content.PageSlugs) || res.Translations != res.Stories {
		t.Errorf("Result %+v", res)
	}
	if _, err := st.Page(t.Context(), "ru", "about"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("Russian page loaded: %v", err)
	}
}

func TestLoad_NeedsAPasswordHash(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	if _, err := demo.Load(t.Context(), st, demo.Options{}); err == nil {
		t.Fatal("Load without a password hash succeeded")
	}
	if n := len(allStories(t, st)); n != 0 {
		t.Errorf("%d stories loaded before the refusal", n)
	}
}
