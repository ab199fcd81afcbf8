package web

import (
	"html/template"
	"net/http"
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
	NoIndex     bool
	Site        site
	Path        string // the request path, for the language switcher

	// Desk pages only.
	CSRF  string
	Staff *staffView
	Flash string
}

// alternate is a translation of the page in another language (hreflang).
type alternate struct {
	Lang string
	Name string
	URL  string // absolute
}

// openGraph holds a story's card tags (INTEROP R4).
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

// staffView is the signed-in staff member as desk pages show them.
type staffView struct {
	ID          int64
	DisplayName string
	Email       string
	IsAdmin     bool
	IsEditor    bool
	IsModerator bool
}

// newPage fills the fields every page shares.
func (s *Server) newPage(r *http.Request, lang string) page {
	p := page{Lang: lang, Site: site{Name: s.cfg.PublicationName}, Path: r.URL.Path}
	for _, l := range s.cfg.Languages {
		p.Site.Languages = append(p.Site.Languages, languageLink{Lang: l, Name: langName(l)})
	}
	return p
}

// templateFuncs are the functions every template may call. Translation
// functions take the language as an argument, so no template is ever changed
// per request.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"t":        T,
		"date":     formatDate,
		"langName": langName,
		"static":   staticURL,
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"add":      func(a, b int) int { return a + b },
	}
}
