package content

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// State is where a translation stands in its life.
type State string

// The states of a translation. Only published translations are public and
// federated; a withdrawn one answers as gone.
const (
	StateDraft     State = "draft"
	StateScheduled State = "scheduled"
	StatePublished State = "published"
	StateWithdrawn State = "withdrawn"
)

// States lists every state, in the order the desk shows them.
var States = []State{StateDraft, StateScheduled, StatePublished, StateWithdrawn}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

// transitions lists, for each state, the states an editor may move it to.
var transitions = map[State][]State{
	StateDraft:     {StateScheduled, StatePublished},
	StateScheduled: {StateDraft, StatePublished, StateScheduled},
	StatePublished: {StateWithdrawn},
	StateWithdrawn: {StateDraft, StatePublished},
}

// CanTransition reports whether a translation may move from one state to another.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// BylineKind says who a story is credited to.
type BylineKind string

// A story is credited to the publication itself, to a person by name, or to a
// pseudonym that protects its author.
const (
	BylinePublication BylineKind = "publication"
	BylineName        BylineKind = "name"
	BylinePseudonym   BylineKind = "pseudonym"
)

// Story is the editorial unit: one piece, told in one or more languages.
type Story struct {
	ID         int64
	BylineKind BylineKind
	BylineName string // empty for BylinePublication
	BylineSlug string // derived from BylineName, for byline pages
	CoverImage string // file name under the media directory; "" when none
	Pinned     bool   // featured on the language actors' profiles
	CreatedAt  time.Time
	UpdatedAt  time.Time

	// Translations is filled by the store's Story method, ordered by language.
	Translations []*Translation
}

// Translation returns the story's translation in lang, or nil.
func (s *Story) Translation(lang string) *Translation {
	for _, t := range s.Translations {
		if t.Lang == lang {
			return t
		}
	}
	return nil
}

// Validate checks the story's own fields.
func (s *Story) Validate() error {
	var v ValidationError
	checkText(&v, map[string]string{"byline_name": s.BylineName})
	switch s.BylineKind {
	case BylinePublication:
	case BylineName, BylinePseudonym:
		if strings.TrimSpace(s.BylineName) == "" {
			v.Add("byline_name", "Give the name or pseudonym to credit.")
		} else if utf8.RuneCountInString(s.BylineName) > 100 {
			v.Add("byline_name", "Keep the byline under 100 characters.")
		}
	default:
		v.Add("byline_kind", "Choose who the story is credited to.")
	}
	return v.Err()
}

// Normalize trims fields and derives BylineSlug.
func (s *Story) Normalize() {
	s.BylineName = strings.TrimSpace(s.BylineName)
	if s.BylineKind == BylinePublication {
		s.BylineName = ""
	}
	s.BylineSlug = Slugify(s.BylineName)
}

// Translation is a story in one language. Each published translation is one
// ActivityPub Article, sent by that language's actor.
type Translation struct {
	ID           int64
	StoryID      int64
	Lang         string
	Title        string
	Teaser       string // plain text, at most MaxTeaser characters; the Article's summary
	BodyMarkdown string
	BodyHTML     string // RenderMarkdown(Lang, BodyMarkdown), stored on save
	Slug         string
	Tags         []string
	CoverAlt     string
	State        State
	PublishAt    time.Time // when a scheduled translation goes out; zero otherwise
	PublishedAt  time.Time // the moment of publication; zero until then
	EditedAt     time.Time // the last edit after publication; zero when never edited
	ObjectKey    string    // the Article's key; "" until first published
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Limits on what an editor may type.
const (
	MaxTitle  = 200
	MaxTeaser = 500
	MaxSlug   = 100
	MaxTags   = 12
	MaxTagLen = 50
	MaxBody   = 200_000
)

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	tagRE  = regexp.MustCompile(`^[\p{L}\p{N}_]+$`)
)

// Normalize trims whitespace, lower-cases and de-duplicates tags, derives a
// slug from the title when none is given, and renders the body.
func (t *Translation) Normalize() {
	t.Title = strings.TrimSpace(t.Title)
	t.Teaser = strings.TrimSpace(t.Teaser)
	t.CoverAlt = strings.TrimSpace(t.CoverAlt)
	t.Slug = strings.TrimSpace(strings.ToLower(t.Slug))
	if t.Slug == "" {
		t.Slug = Slugify(t.Title)
	}
	t.Tags = NormalizeTags(t.Tags)
	t.BodyHTML = RenderMarkdown(t.Lang, t.BodyMarkdown)
}

// NormalizeTags trims, strips a leading '#', lower-cases and de-duplicates tags.
func NormalizeTags(tags []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, tag := range tags {
		tag = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(tag), "#"))
		if tag == "" || seen[tag] {
			continue
		}
		seen[tag] = true
		out = append(out, tag)
	}
	return out
}

// SplitTags splits a comma- or space-separated list as typed in a form.
func SplitTags(s string) []string {
	return NormalizeTags(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }))
}

// Validate checks the translation's fields. The teaser is plain text because
// Mastodon shows it as the post itself
// (docs/federation.md#mastodon-article-rendering).
func (t *Translation) Validate() error {
	var v ValidationError
	checkText(&v, map[string]string{"title": t.Title, "teaser": t.Teaser, "body": t.BodyMarkdown, "slug": t.Slug,
		"tags": strings.Join(t.Tags, " "), "cover_alt": t.CoverAlt})
	if t.Lang == "" {
		v.Add("lang", "Choose a language.")
	}
	switch n := utf8.RuneCountInString(t.Title); {
	case n == 0:
		v.Add("title", "A title is required.")
	case n > MaxTitle:
		v.Add("title", "Keep the title under 200 characters.")
	}
	switch n := utf8.RuneCountInString(t.Teaser); {
	case n == 0:
		v.Add("teaser", "A teaser is required: it is what fediverse readers see first.")
	case n > MaxTeaser:
		v.Add("teaser", "Keep the teaser to 500 characters at most.")
	case strings.ContainsAny(t.Teaser, "<>"):
		v.Add("teaser", "The teaser is plain text: leave out < and >.")
	}
	switch {
	case t.Slug == "":
		v.Add("slug", "A slug is required (letters a–z, digits and hyphens).")
	case len(t.Slug) > MaxSlug:
		v.Add("slug", "Keep the slug under 100 characters.")
	case !slugRE.MatchString(t.Slug):
		v.Add("slug", "Use only letters a–z, digits and single hyphens.")
	}
	if len(t.Tags) > MaxTags {
		v.Add("tags", "Use at most 12 tags.")
	}
	for _, tag := range t.Tags {
		if !tagRE.MatchString(tag) || utf8.RuneCountInString(tag) > MaxTagLen {
			v.Add("tags", "Tags are single words of letters, digits or underscores.")
			break
		}
	}
	if len(t.BodyMarkdown) > MaxBody {
		v.Add("body", "The text is too long.")
	}
	if utf8.RuneCountInString(t.CoverAlt) > 1000 {
		v.Add("cover_alt", "Keep the image description under 1000 characters.")
	}
	if !t.State.Valid() {
		v.Add("state", "Unknown state.")
	}
	return v.Err()
}

// Public reports whether readers may see the translation.
func (t *Translation) Public() bool { return t.State == StatePublished }

// Updated is when the translation last changed in public: the last edit after
// publication, or the publication itself.
func (t *Translation) Updated() time.Time {
	if t.EditedAt.After(t.PublishedAt) {
		return t.EditedAt
	}
	return t.PublishedAt
}

// NextEditTime is the time to record for an edit made at now to a published
// translation whose last public change was at last. Peers compare `updated` to
// the second and ignore an Update that is not newer
// (docs/federation.md#mastodon-article-edits), so each edit moves at least one
// whole second past the last public change, even when an editor saves twice
// within a second of publishing.
func NextEditTime(now, last time.Time) time.Time {
	if earliest := last.Truncate(time.Second).Add(time.Second); now.Before(earliest) {
		return earliest
	}
	return now
}

// ChangeKind names a change in a translation's public life, the kind the
// fediverse hears about.
type ChangeKind string

// A translation is published (Create), edited while published (Update) or
// withdrawn (Delete).
const (
	ChangePublished ChangeKind = "published"
	ChangeUpdated   ChangeKind = "updated"
	ChangeWithdrawn ChangeKind = "withdrawn"
)

// Entry is a published translation with its story, as lists and feeds show it.
type Entry struct {
	*Translation
	Story *Story // without Translations
}

// TagCount is a tag and how many published translations carry it.
type TagCount struct {
	Tag   string
	Count int
}
