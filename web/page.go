package web

import (
	"html/template"
	"net/http"
	"net/url"
	"samizdat/web/internal/serve"
	"strconv"
	"time"
)

// page is what every public page's data carries for the layout.
type page struct {
	Lang        string
	Title       string
	Description string // meta description and og:description
	Canonical   string // absolute URL
	Alternates  []alternate
	OpenGraph   *openGraph // nil on pages that are not stories
	Creator     string     // fediverse:creator, "@en@host"
	ActivityPub string     // <link rel=alternate type=application/activity+json>
	FeedURL     string
	Prev, Next  string // <link rel="prev"> and "next": pages of a paged list or dialogue
	NoIndex     bool
	Site        site
	Path        string // the request path
	Home        bool   // the language-choice page at /, which has no section

	// Switch is the language switcher: where each configured language's
	// version of this page lives. newPage points every language at its
	// section; pages with translations of their own replace the URLs.
	Switch []switchLink
	// Me lists the language actors' ids for rel="me" links.
	Me []string
	// Handle is the section's language actor ("@en@host"), shown in the footer.
	Handle string
	// Nav and Footer are the header's and the footer's links (nav.go).
	Nav, Footer []navItem
}

// alternate is a translation of the page in another language (hreflang).
type alternate struct {
	Lang string
	Name string
	URL  string // absolute
}

// openGraph holds a story's card tags
// (docs/federation.md#mastodon-preview-card).
type openGraph struct {
	Type          string
	Image         string
	ImageAlt      string
	PublishedTime string
	ModifiedTime  string
	Locale        string
	Tags          []string
}

// site is the publication as every page shows it.
type site struct {
	Name      string
	Languages []languageLink
}

type languageLink struct {
	Lang string
	Name string
}

// switchLink is one language in the language switcher.
type switchLink struct {
	Lang    string
	Name    string
	URL     string
	Current bool
}

// newPage fills the fields every page shares.
func (s *Server) newPage(r *http.Request, lang string) page {
	p := page{Lang: lang, Site: site{Name: s.cfg.PublicationName}, Path: r.URL.Path}
	for _, l := range s.cfg.Languages {
		p.Site.Languages = append(p.Site.Languages, languageLink{Lang: l, Name: langName(l)})
		p.Switch = append(p.Switch, switchLink{Lang: l, Name: langName(l), URL: "/" + l + "/", Current: l == lang})
	}
	if s.cfg.ActorURL != nil {
		// This section's actor first, then the others: every actor's
		// profile may link to any section, and Mastodon checks rel="me".
		if s.hasLang(lang) {
			p.Me = append(p.Me, s.cfg.ActorURL(lang))
		}
		for _, l := range s.cfg.Languages {
			if l != lang {
				p.Me = append(p.Me, s.cfg.ActorURL(l))
			}
		}
	}
	if s.cfg.ActorHandle != nil && s.hasLang(lang) {
		p.Handle = s.cfg.ActorHandle(lang)
	}
	if s.hasLang(lang) {
		p.Nav, p.Footer = s.navigation(r.Context(), lang, r.URL.Path)
	}
	return p
}

// switchTo points the language switcher at each language's version of the
// page, as url gives it.
func (p *page) switchTo(url func(lang string) string) {
	for i := range p.Switch {
		p.Switch[i].URL = url(p.Switch[i].Lang)
	}
}

// storyURL is the path of a translation's page.
func storyURL(lang, slug string) string { return serve.StoryPath(lang, slug) }

// storyLinkURL is the language-neutral path of a story in a section.
func storyLinkURL(lang string, storyID int64) string {
	return "/" + lang + "/s/" + strconv.FormatInt(storyID, 10)
}

// tagURL is the path of a tag's page.
func tagURL(lang, tag string) string { return "/" + lang + "/tags/" + url.PathEscape(tag) }

// bylineURL is the path of a byline's page.
func bylineURL(lang, slug string) string { return "/" + lang + "/by/" + url.PathEscape(slug) }

// mediaURL is the path of a file in the media directory.
func mediaURL(file string) string { return serve.MediaPath(file) }

// ogLocales maps a language to the locale OpenGraph names it by. A language
// not listed is given as its bare code.
var ogLocales = map[string]string{
	"en": "en_GB", "ru": "ru_RU", "fr": "fr_FR", "uk": "uk_UA", "de": "de_DE",
	"be": "be_BY", "es": "es_ES", "it": "it_IT", "pl": "pl_PL", "ka": "ka_GE",
	"kk": "kk_KZ", "hy": "hy_AM", "ro": "ro_RO", "lt": "lt_LT", "lv": "lv_LV",
	"et": "et_EE", "fi": "fi_FI", "sv": "sv_SE", "cs": "cs_CZ", "he": "he_IL",
	"pt": "pt_PT", "nl": "nl_NL", "tr": "tr_TR", "ja": "ja_JP", "zh": "zh_CN",
}

func ogLocale(lang string) string {
	if l, ok := ogLocales[lang]; ok {
		return l
	}
	return lang
}

// templateFuncs are the functions every template may call. Translation
// functions take the language as an argument, so no template is ever changed
// per request.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"t":        T,
		"n":        N,
		"date":     formatDate,
		"langName": langName,
		"static":   staticURL,
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"add":      func(a, b int) int { return a + b },
	}
}
