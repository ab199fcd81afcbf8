package web

import (
	"fmt"
	"time"
)

// messages holds the public interface in every language it is translated
// into. A language without its own table, or a key missing from one, falls
// back to English. Keys are grouped by page: "nav.", "story.", "tell.", …
var messages = map[string]map[string]string{
	"en": {
		"lang.name":   "English",
		"error.title": "Error %d",
	},
	"ru": {
		"lang.name":   "Русский",
		"error.title": "Ошибка %d",
	},
	"fr": {
		"lang.name":   "Français",
		"error.title": "Erreur %d",
	},
}

// T translates key into lang, formatting args into it as fmt.Sprintf does.
func T(lang, key string, args ...any) string {
	msg, ok := messages[lang][key]
	if !ok {
		msg, ok = messages["en"][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// langName is a language's name in itself, for language switchers.
func langName(lang string) string {
	if n, ok := messages[lang]["lang.name"]; ok {
		return n
	}
	return lang
}

var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"ru": {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// formatDate writes a date the way readers of lang expect: "3 March 2026",
// "3 марта 2026", "3 mars 2026".
func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	months, ok := monthNames[lang]
	if !ok {
		months = monthNames["en"]
	}
	t = t.UTC()
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}
