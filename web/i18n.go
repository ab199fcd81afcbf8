package web

import (
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"samizdat/web/internal/serve"
)

// The public interface's texts live in message catalogs, one TOML file per
// language in locales/ (active.en.toml, active.ru.toml, …), which
// translators edit without touching Go: docs/development.md says how.
// English is the reference. A language without a catalog, or a message
// missing from one, is shown in English. Messages whose words depend on a
// number have one text per CLDR plural form (Russian: one, few, many,
// other), chosen by go-i18n's plural rules. TestCatalogs checks that every
// catalog has every English message, with the same placeholders and the
// plural forms its language needs.

//go:embed locales/*.toml
var localeFS embed.FS

// catalogs are the parsed catalogs, read once at startup.
var catalogs = func() *catalogSet {
	c, err := loadCatalogs(localeFS)
	if err != nil {
		panic(err) // the catalogs are embedded: a broken one is a build mistake
	}
	return c
}()

// catalogSet is every catalog, with a localizer for each language that has
// one.
type catalogSet struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer // by language code
}

// loadCatalogs reads locales/active.*.toml from fsys.
func loadCatalogs(fsys fs.FS) (*catalogSet, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "locales/active.*.toml")
	if err != nil {
		return nil, err
	}
	c := &catalogSet{bundle: b, localizers: map[string]*i18n.Localizer{}}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(data, f)
		if err != nil {
			return nil, fmt.Errorf("web: catalog %s: %w", f, err)
		}
		lang := mf.Tag.String()
		c.localizers[lang] = i18n.NewLocalizer(b, lang)
	}
	if c.localizers["en"] == nil {
		return nil, fmt.Errorf("web: no English catalog in locales/")
	}
	return c, nil
}

// localize returns the message lc asks for in lang, in English when lang
// lacks it, or its id when no catalog has it.
func (c *catalogSet) localize(lang string, lc *i18n.LocalizeConfig) string {
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers["en"]
	}
	// A message found only in English comes with an error saying so: the
	// English text is what to show.
	msg, err := l.Localize(lc)
	if msg == "" && err != nil {
		return lc.MessageID
	}
	return msg
}

// T translates key into lang. kv are the values of the message's
// placeholders, as name, value pairs: T("fr", "tag.title", "Tag", "exil")
// fills {{.Tag}}. Template functions call it as {{t .Lang "key" ...}}.
func T(lang, key string, kv ...any) string {
	return catalogs.localize(lang, &i18n.LocalizeConfig{MessageID: key, TemplateData: templateData(kv)})
}

// N translates key, a message with plural forms, into lang for count: the
// form is chosen by the language's plural rules, and {{.Count}} is count.
// kv are further placeholders, as for T.
func N(lang, key string, count int, kv ...any) string {
	data := templateData(kv)
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	return catalogs.localize(lang, &i18n.LocalizeConfig{MessageID: key, PluralCount: count, TemplateData: data})
}

// templateData turns name, value pairs into a message's template data. A
// malformed list gives no data, so the message shows its placeholders
// empty rather than the page failing.
func templateData(kv []any) map[string]any {
	if len(kv) == 0 || len(kv)%2 != 0 {
		return nil
	}
	data := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		name, ok := kv[i].(string)
		if !ok {
			return nil
		}
		data[name] = kv[i+1]
	}
	return data
}

// langName is a language's name in itself, for language switchers.
func langName(lang string) string { return serve.LangName(lang) }

// formatDate writes a date the way readers of lang expect, as their
// catalog's date.format and date.month say: "3 March 2026",
// "3 марта 2026 г.", "3. März 2026".
func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	month := T(lang, fmt.Sprintf("date.month.%d", int(t.Month())))
	return T(lang, "date.format", "Day", t.Day(), "Month", month, "Year", t.Year())
}
