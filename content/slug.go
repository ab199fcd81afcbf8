package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// translit spells Cyrillic letters in Latin for slugs, so that a Russian or
// Ukrainian title gives a readable address instead of percent-escapes.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g", 'ў': "u",
}

// Slugify makes a URL slug from a title: lower-case Latin letters, digits and
// single hyphens, at most MaxSlug bytes. Accents are dropped and Cyrillic is
// transliterated.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case translit[r] != "":
			b.WriteString(translit[r])
			dash = false
		case r == 'ъ' || r == 'ь':
			continue
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= MaxSlug {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > MaxSlug {
		out = strings.Trim(out[:MaxSlug], "-")
	}
	return out
}
