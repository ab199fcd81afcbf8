package content

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Page is one language of a static page of the publication (about, team,
// stance, privacy, and whatever else the editors add). Each language has
// its own slug, and the page shows at /{lang}/{slug} once published.
type Page struct {
	PageID       int64 // the page all its languages share; 0 until saved
	Lang         string
	Slug         string
	Title        string
	BodyMarkdown string
	BodyHTML     string // rendered from BodyMarkdown when saved
	State        State  // StateDraft or StatePublished
	UpdatedAt    time.Time
}

// SitePage is a static page in all the languages it has.
type SitePage struct {
	ID           int64
	ShowsTeam    bool    // the team list shows under its text
	Translations []*Page // in the order of the languages' codes
	CreatedAt    time.Time
}

// Translation returns the page in lang, or nil.
func (p *SitePage) Translation(lang string) *Page {
	for _, t := range p.Translations {
		if t.Lang == lang {
			return t
		}
	}
	return nil
}

// ReservedPageSlugs are the first segments of the addresses a language
// section already uses: a page may not take them.
var ReservedPageSlugs = []string{"stories", "s", "tags", "by", "feed.atom", "feed", "tell", "interact", "search",
	"newsletter", "ask", "join", "media", "static", "desk", "ap", "actors", "inbox"}

// Normalize trims what was typed and makes a slug from the title when
// none was given.
func (p *Page) Normalize() {
	p.Title = strings.TrimSpace(p.Title)
	p.Slug = strings.Trim(strings.ToLower(strings.TrimSpace(p.Slug)), "/")
	if p.Slug == "" {
		p.Slug = Slugify(p.Title)
	}
	if p.State == "" {
		p.State = StateDraft
	}
}

// Validate reports what is wrong with a page, field by field.
func (p *Page) Validate() error {
	var v ValidationError
	checkText(&v, map[string]string{"title": p.Title, "slug": p.Slug, "body": p.BodyMarkdown})
	if p.Lang == "" {
		v.Add("lang", "Choose a language.")
	}
	switch n := utf8.RuneCountInString(p.Title); {
	case n == 0:
		v.Add("title", "A title is required.")
	case n > MaxTitle:
		v.Add("title", "Keep the title under 200 characters.")
	}
	switch {
	case p.Slug == "":
		v.Add("slug", "A slug is required (letters a–z, digits and hyphens).")
	case len(p.Slug) > MaxSlug:
		v.Add("slug", "Keep the slug under 100 characters.")
	case !slugRE.MatchString(p.Slug):
		v.Add("slug", "Use only letters a–z, digits and single hyphens.")
	case slices.Contains(ReservedPageSlugs, p.Slug):
		v.Add("slug", "The site already uses this address for something else: choose another slug.")
	}
	if len(p.BodyMarkdown) > MaxBody {
		v.Add("body", "The text is too long: at most 200,000 characters. Split it into several pages.")
	}
	if p.State != StateDraft && p.State != StatePublished {
		v.Add("state", "A page is either a draft or published.")
	}
	return v.Err()
}

// checkText adds an error for each field that is not text: bytes that are
// not UTF-8, or NUL, which PostgreSQL refuses. It runs before the other
// checks, so that its message is the one a field shows.
func checkText(v *ValidationError, fields map[string]string) {
	for field, value := range fields {
		if !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
			v.Add(field, "This holds bytes that are not text (invalid UTF-8). Retype it or paste it again as plain text.")
		}
	}
}
