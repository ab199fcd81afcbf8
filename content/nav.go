package content

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// NavLink is one link of the site's header navigation or footer, as the
// editors arrange them.
type NavLink struct {
	ID       int64
	Place    string // NavHeader or NavFooter
	Position int
	Kind     string // NavPage, NavSection, NavTell or NavURL
	PageID   int64  // the page, for NavPage
	URL      string // the outside address, for NavURL
	Labels   map[string]string

	// Pages is where a page link leads in each language the page is
	// published in, with the page's title there; filled by the store.
	Pages map[string]NavTarget
}

// NavTarget is a page link's target in one language.
type NavTarget struct {
	Slug  string
	Title string
}

// Places and kinds of navigation links.
const (
	NavHeader  = "header"
	NavFooter  = "footer"
	NavPage    = "page"
	NavSection = "section"
	NavTell    = "tell"
	NavURL     = "url"
)

// Validate reports what is wrong with a link, field by field.
func (l *NavLink) Validate() error {
	var v ValidationError
	labels := map[string]string{}
	for lang, label := range l.Labels {
		labels["label_"+lang] = label
	}
	labels["url"] = l.URL
	checkText(&v, labels)
	if l.Place != NavHeader && l.Place != NavFooter {
		v.Add("place", "Choose the header or the footer.")
	}
	switch l.Kind {
	case NavPage:
		if l.PageID == 0 {
			v.Add("page_id", "Choose the page the link leads to.")
		}
	case NavSection, NavTell:
	case NavURL:
		u, err := url.Parse(l.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(l.URL) > 2000 {
			v.Add("url", "Give a full address starting with https://.")
		}
	default:
		v.Add("kind", "Choose where the link leads.")
	}
	for lang, label := range l.Labels {
		if utf8.RuneCountInString(label) > 60 || strings.ContainsAny(label, "<>") {
			v.Add("label_"+lang, "Keep a label short (60 characters) and plain, without < or >.")
		}
	}
	return v.Err()
}

// BuiltInNav are the links a place shows until the editors set their own:
// the section, the "Tell your story" form, and pages named by their slug.
var BuiltInNav = map[string][]string{
	NavHeader: {NavSection, "about", NavTell},
	NavFooter: {"about", "team", "stance", "privacy", NavTell},
}
