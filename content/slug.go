package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// translit spells letters in Latin for slugs, so that a Russian, Ukrainian or
// French title gives a readable address instead of percent-escapes. It is
// consulted before Unicode decomposition: й, ї and ў are letters of their own,
// not и, і and у with a mark to drop, and œ, æ or ß have no decomposition at all.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g", 'ў': "u",
	'œ': "oe", 'æ': "ae", 'ß': "ss", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// Slugify makes a URL slug from a title: lower-case Latin letters, digits and
// single hyphens, at most MaxSlug bytes, cut at a word boundary when it can be.
// Accents are dropped and Cyrillic is transliterated. Letters it cannot spell
// in Latin (Chinese, Arabic…) are dropped, so the result may be empty: the
// editor then types a slug.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	word := func(w string) {
		b.WriteString(w)
		dash = false
	}
	for _, r := range strings.ToLower(s) {
		if b.Len() > MaxSlug {
			break // enough to know whether the cut falls inside a word
		}
		if t, ok := translit[r]; ok {
			if t != "" {
				word(t)
			}
			continue
		}
		for _, d := range norm.NFKD.String(string(r)) {
			switch {
			case unicode.Is(unicode.Mn, d):
			case d >= 'a' && d <= 'z', d >= '0' && d <= '9':
				word(string(d))
			default:
				if !dash && b.Len() > 0 {
					b.WriteByte('-')
					dash = true
				}
			}
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > MaxSlug {
		cut := out[:MaxSlug]
		if out[MaxSlug] != '-' {
			if i := strings.LastIndexByte(cut, '-'); i > 0 {
				cut = cut[:i]
			}
		}
		out = strings.Trim(cut, "-")
	}
	return out
}
