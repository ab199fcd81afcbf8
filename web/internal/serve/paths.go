package serve

import "net/url"

// The public site's addresses that the desk links to as well.

// StoryPath is the path of a translation's public page.
func StoryPath(lang, slug string) string { return "/" + lang + "/stories/" + slug }

// MediaPath is the path of a file in the media directory.
func MediaPath(file string) string { return "/media/" + url.PathEscape(file) }

// RemoteMediaPath is the path of a copy of a remote image (an avatar, an
// emoji, a reply's attachment) in the media directory's remote/ folder.
func RemoteMediaPath(file string) string { return "/media/remote/" + file }

// autonyms are languages' names in themselves.
var autonyms = map[string]string{
	"en": "English", "ru": "Русский", "fr": "Français",
	"uk": "Українська", "be": "Беларуская", "de": "Deutsch", "es": "Español",
	"it": "Italiano", "pl": "Polski", "ka": "ქართული", "kk": "Қазақша",
	"hy": "Հայերեն", "ro": "Română", "lt": "Lietuvių", "lv": "Latviešu",
	"et": "Eesti", "fi": "Suomi", "sv": "Svenska", "cs": "Čeština",
	"he": "עברית", "pt": "Português", "nl": "Nederlands", "tr": "Türkçe",
	"ja": "日本語", "zh": "中文",
}

// LangName is a language's name in itself ("Deutsch"), or its code when
// the language is not known.
func LangName(lang string) string {
	if n, ok := autonyms[lang]; ok {
		return n
	}
	return lang
}
