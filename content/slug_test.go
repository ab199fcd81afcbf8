package content

import (
	"strings"
	"testing"
)

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"Latin", "Letters from Tbilisi", "letters-from-tbilisi"},
		{"Digits", "1,000 days in 2024", "1-000-days-in-2024"},
		{"Accents", "Ça va ? Très bien, à Noël !", "ca-va-tres-bien-a-noel"},
		{"French ligature", "Ma sœur et mon cœur", "ma-soeur-et-mon-coeur"},
		{"German", "Straße, Übergang", "strasse-ubergang"},
		{"Nordic and Polish", "Æsir, Øre, Łódź", "aesir-ore-lodz"},
		{"Russian", "Письмо из Тбилиси", "pismo-iz-tbilisi"},
		{"Russian й is y", "Майский день", "mayskiy-den"},
		{"Russian ё", "Ёлка и щи", "elka-i-shchi"},
		{"Hard and soft signs", "Подъезд, соль", "podezd-sol"},
		{"Ukrainian", "Їжак підйом Європа ґанок", "yizhak-pidyom-yevropa-ganok"},
		{"Belarusian ў", "Беларусь ў сэрцы", "belarus-u-sertsy"},
		{"Mixed scripts", "Berlin — Берлин", "berlin-berlin"},
		{"Punctuation runs", "  --Hello,   World!?--  ", "hello-world"},
		{"Quotes and apostrophes", `"War" isn't a 'word'`, "war-isn-t-a-word"},
		{"Emoji", "Party 🎉 time", "party-time"},
		{"Decomposed input", "e\u0301te\u0301", "ete"},
		{"Untransliterated script", "日本語", ""},
		{"Only punctuation", "!!! ???", ""},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Slugify(tt.in); got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSlugify_LengthCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		// "ab-" × 60: byte 100 falls inside the 34th "ab", which is left out whole.
		{"Cut at a word boundary", strings.Repeat("ab ", 60), strings.TrimSuffix(strings.Repeat("ab-", 33), "-")},
		{"One long word is cut hard", strings.Repeat("x", 150), strings.Repeat("x", MaxSlug)},
		{"Transliteration counts in bytes", strings.Repeat("щ", 40), strings.Repeat("shch", 25)},
		{"Exactly the cap", strings.Repeat("y", MaxSlug), strings.Repeat("y", MaxSlug)},
		{"Cut right before a hyphen", strings.Repeat("y", MaxSlug) + " tail", strings.Repeat("y", MaxSlug)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Slugify(tt.in)
			if got != tt.want {
				t.Errorf("Slugify(%q) = %q (%d bytes), want %q", tt.in, got, len(got), tt.want)
			}
			if len(got) > MaxSlug {
				t.Errorf("len = %d, over MaxSlug %d", len(got), MaxSlug)
			}
		})
	}
}

// TestSlugify_Valid checks that whatever Slugify makes passes the slug rule
// that Translation.Validate applies.
func TestSlugify_Valid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"Letters from Tbilisi", "Бабушка из Риги спорит с сыном", "« Nous deux, à Lyon »",
		strings.Repeat("слово ", 40), "a - - b", "-x-", "Ü", "ßœ",
	} {
		got := Slugify(in)
		if got == "" || len(got) > MaxSlug || !slugRE.MatchString(got) {
			t.Errorf("Slugify(%q) = %q: not a valid slug", in, got)
		}
	}
}
