package web

import (
	"regexp"
	"sort"
	"testing"
	"time"
)

var verbRE = regexp.MustCompile(`%[a-z]`)

// TestMessages_Complete checks that Russian and French translate every key
// the English interface has, with the same formatting verbs, and nothing else.
func TestMessages_Complete(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"ru", "fr"} {
		for key, en := range messages["en"] {
			msg, ok := messages[lang][key]
			if !ok {
				t.Errorf("%s lacks %q", lang, key)
				continue
			}
			if got, want := verbRE.FindAllString(msg, -1), verbRE.FindAllString(en, -1); !equal(got, want) {
				t.Errorf("%s %q has verbs %v, English has %v", lang, key, got, want)
			}
		}
		for key := range messages[lang] {
			if _, ok := messages["en"][key]; !ok {
				t.Errorf("%s has %q, which English lacks", lang, key)
			}
		}
	}
}

// TestReaderMessages_Complete holds readerMessages to the same rule, and
// keeps its keys out of messages.
func TestReaderMessages_Complete(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"ru", "fr"} {
		for key, en := range readerMessages["en"] {
			msg, ok := readerMessages[lang][key]
			if !ok {
				t.Errorf("%s lacks %q", lang, key)
				continue
			}
			if got, want := verbRE.FindAllString(msg, -1), verbRE.FindAllString(en, -1); !equal(got, want) {
				t.Errorf("%s %q has verbs %v, English has %v", lang, key, got, want)
			}
		}
		for key := range readerMessages[lang] {
			if _, ok := readerMessages["en"][key]; !ok {
				t.Errorf("%s has %q, which English lacks", lang, key)
			}
		}
	}
	for key := range readerMessages["en"] {
		if _, ok := messages["en"][key]; ok {
			t.Errorf("%q is in both tables", key)
		}
	}
}

func equal(a, b []string) bool {
	sort.Strings(a)
	sort.Strings(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lang, key, want string }{
		{"en", "nav.tell", "Tell your story"},
		{"ru", "nav.tell", "Расскажите свою историю"},
		{"fr", "nav.tell", "Racontez votre histoire"},
		{"uk", "nav.tell", "Tell your story"}, // no Ukrainian table yet: English
		{"en", "no.such.key", "no.such.key"},
	} {
		if got := T(tc.lang, tc.key); got != tc.want {
			t.Errorf("T(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	if got := T("fr", "tag.title", "exil"); got != "Récits avec l’étiquette #exil" {
		t.Errorf("T with an argument: got %q", got)
	}
	if got := langName("uk"); got != "Українська" {
		t.Errorf("langName(uk) = %q", got)
	}
}

func TestFormatDate(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, time.March, 3, 23, 30, 0, 0, time.FixedZone("", -3*3600)) // 4 March in UTC
	for _, tc := range []struct{ lang, want string }{
		{"en", "4 March 2026"},
		{"ru", "4 марта 2026 г."},
		{"fr", "4 mars 2026"},
		{"de", "4 March 2026"},
	} {
		if got := formatDate(tc.lang, d); got != tc.want {
			t.Errorf("formatDate(%s) = %q, want %q", tc.lang, got, tc.want)
		}
	}
	if got := formatDate("en", time.Time{}); got != "" {
		t.Errorf("zero time: got %q", got)
	}
}
