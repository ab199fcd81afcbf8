package web

import (
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// catalogFile is one catalog as a translator wrote it.
type catalogFile struct {
	lang     string
	messages map[string]*i18n.Message
}

func readCatalogs(t *testing.T) map[string]catalogFile {
	t.Helper()
	files, err := fs.Glob(localeFS, "locales/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogs: %v", err)
	}
	out := map[string]catalogFile{}
	for _, f := range files {
		data, err := localeFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mf, err := i18n.ParseMessageFileBytes(data, f, map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c := catalogFile{lang: mf.Tag.String(), messages: map[string]*i18n.Message{}}
		for _, m := range mf.Messages {
			c.messages[m.ID] = m
		}
		out[c.lang] = c
	}
	if _, ok := out["en"]; !ok {
		t.Fatal("no English catalog")
	}
	return out
}

// forms are a message's texts by CLDR plural form; a message without
// plural forms has only "other".
func forms(m *i18n.Message) map[string]string {
	all := map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other}
	maps.DeleteFunc(all, func(_, text string) bool { return text == "" })
	return all
}

// pluralForms are the forms go-i18n's plural rules choose for lang, found
// by asking it for whole numbers, millions and fractions, so that a new
// catalog needs no table here.
func pluralForms(t *testing.T, lang string) []string {
	t.Helper()
	b := i18n.NewBundle(language.English)
	probe := &i18n.Message{ID: "probe", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
	if err := b.AddMessages(language.Make(lang), probe); err != nil {
		t.Fatal(err)
	}
	l := i18n.NewLocalizer(b, lang)
	var counts []any
	for n := range 1001 {
		counts = append(counts, n)
	}
	counts = append(counts, 1_000_000, 2_000_000, "0.5", "1.5", "2.5", "5.5", "21.5")
	seen := map[string]bool{}
	for _, c := range counts {
		got, err := l.Localize(&i18n.LocalizeConfig{MessageID: "probe", PluralCount: c})
		if err != nil {
			t.Fatalf("%s: probe %v: %v", lang, c, err)
		}
		seen[got] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// placeholders are the names a text fills in ({{.Count}} gives "Count").
func placeholders(text string) []string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestCatalogs checks every catalog against the English one: the same
// messages, each with the same placeholders, and every message with
// plural forms written in each form its language's plural rules use (and
// no other). Run it alone with: go test ./web -run TestCatalogs
func TestCatalogs(t *testing.T) {
	t.Parallel()
	catalogs := readCatalogs(t)
	en := catalogs["en"]
	for _, lang := range slices.Sorted(maps.Keys(catalogs)) {
		c := catalogs[lang]
		t.Run(lang, func(t *testing.T) {
			want := pluralForms(t, lang)
			for _, id := range slices.Sorted(maps.Keys(en.messages)) {
				ref := forms(en.messages[id])
				m, ok := c.messages[id]
				if !ok {
					t.Errorf("%s lacks %q (English: %q)", lang, id, ref["other"])
					continue
				}
				got := forms(m)
				plural := len(ref) > 1
				switch {
				case plural && !slices.Equal(slices.Sorted(maps.Keys(got)), want):
					t.Errorf("%s %q has the plural forms %v; %s needs %v", lang, id, slices.Sorted(maps.Keys(got)), lang, want)
				case !plural && len(got) != 1:
					t.Errorf("%s %q has plural forms; English has one text", lang, id)
				}
				for form, text := range got {
					if p, w := placeholders(text), placeholders(ref["other"]); !slices.Equal(p, w) {
						t.Errorf("%s %q (%s) fills in %v; English fills in %v", lang, id, form, p, w)
					}
					if strings.TrimSpace(text) == "" {
						t.Errorf("%s %q (%s) is empty", lang, id, form)
					}
				}
			}
			for id := range c.messages {
				if _, ok := en.messages[id]; !ok {
					t.Errorf("%s has %q, which English lacks", lang, id)
				}
			}
		})
	}
}

// TestCatalogs_Loaded checks that the site serves every catalog in
// locales/, so that adding a file is all a new language needs.
func TestCatalogs_Loaded(t *testing.T) {
	t.Parallel()
	for lang := range readCatalogs(t) {
		if _, ok := catalogs.localizers[lang]; !ok {
			t.Errorf("catalog %s is not loaded", lang)
		}
	}
}

func TestT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lang, key, want string }{
		{"en", "nav.tell", "Tell your story"},
		{"ru", "nav.tell", "Расскажите свою историю"},
		{"fr", "nav.tell", "Racontez votre histoire"},
		{"uk", "nav.tell", "Розкажіть свою історію"},
		{"de", "nav.tell", "Erzählen Sie Ihre Geschichte"},
		{"be", "nav.tell", "Tell your story"}, // no Belarusian catalog: English
		{"en", "no.such.key", "no.such.key"},
	} {
		if got := T(tc.lang, tc.key); got != tc.want {
			t.Errorf("T(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	if got := T("fr", "tag.title", "Tag", "exil"); got != "Récits avec l’étiquette #exil" {
		t.Errorf("T with a placeholder: got %q", got)
	}
	if got := T("uk", "list.page", "Page", 2, "Pages", 5); got != "Сторінка 2 з 5" {
		t.Errorf("T with two placeholders: got %q", got)
	}
	if got := langName("uk"); got != "Українська" {
		t.Errorf("langName(uk) = %q", got)
	}
}

func TestN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, key string
		counts    []int
		want      string // the texts for counts, joined by " | "
	}{
		{"en", "dialogue.replies", []int{0, 1, 2}, "0 replies | 1 reply | 2 replies"},
		{"ru", "dialogue.replies", []int{1, 3, 5, 11, 21, 22, 25}, "1 ответ | 3 ответа | 5 ответов | 11 ответов | 21 ответ | 22 ответа | 25 ответов"},
		{"uk", "list.count", []int{1, 2, 5, 12, 101}, "1 історія | 2 історії | 5 історій | 12 історій | 101 історія"},
		{"fr", "dialogue.replies", []int{0, 1, 2, 1_000_000}, "0 réponse | 1 réponse | 2 réponses | 1000000 de réponses"},
		{"de", "dialogue.likes", []int{1, 7}, "1 Favorit | 7 Favoriten"},
		{"be", "dialogue.boosts", []int{1, 3}, "1 boost | 3 boosts"}, // English
	} {
		var got []string
		for _, n := range tc.counts {
			got = append(got, N(tc.lang, tc.key, n))
		}
		if strings.Join(got, " | ") != tc.want {
			t.Errorf("N(%s, %s): got %q, want %q", tc.lang, tc.key, strings.Join(got, " | "), tc.want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, time.March, 3, 23, 30, 0, 0, time.FixedZone("", -3*3600)) // 4 March in UTC
	for _, tc := range []struct{ lang, want string }{
		{"en", "4 March 2026"},
		{"ru", "4 марта 2026 г."},
		{"fr", "4 mars 2026"},
		{"uk", "4 березня 2026 р."},
		{"de", "4. März 2026"},
		{"be", "4 March 2026"},
	} {
		if got := formatDate(tc.lang, d); got != tc.want {
			t.Errorf("formatDate(%s) = %q, want %q", tc.lang, got, tc.want)
		}
	}
	if got := formatDate("en", time.Time{}); got != "" {
		t.Errorf("zero time: got %q", got)
	}
	for m := time.January; m <= time.December; m++ {
		for lang := range catalogs.localizers {
			if got := formatDate(lang, time.Date(2026, m, 1, 0, 0, 0, 0, time.UTC)); strings.Contains(got, "date.") {
				t.Errorf("formatDate(%s) for %s: %q", lang, m, got)
			}
		}
	}
}
