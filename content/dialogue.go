package content

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// ReplyState is where a reply stands with the moderators.
type ReplyState string

// A pending reply waits for review; a visible one shows under the story and
// in the Article's replies collection; a hidden one shows nowhere.
const (
	ReplyPending ReplyState = "pending"
	ReplyVisible ReplyState = "visible"
	ReplyHidden  ReplyState = "hidden"
)

// Visibility is who a reply was addressed to
// (docs/federation.md#reply-visibility). Only public and unlisted replies are
// ever shown.
type Visibility string

// The four audiences of a fediverse post, as Mastodon derives them.
const (
	VisibilityPublic    Visibility = "public"
	VisibilityUnlisted  Visibility = "unlisted"
	VisibilityFollowers Visibility = "followers"
	VisibilityDirect    Visibility = "direct"
)

// Showable reports whether a reply with this visibility may ever be shown.
func (v Visibility) Showable() bool { return v == VisibilityPublic || v == VisibilityUnlisted }

// Reply is a fediverse post in a story's dialogue: an answer to one of its
// translations, or to another reply in it.
type Reply struct {
	ID            int64
	APID          string // the object's ActivityPub id
	StoryID       int64
	TranslationID int64 // the Article answered directly; 0 when it answers a reply
	ParentID      int64 // the reply answered; 0 when it answers an Article
	InReplyTo     string
	Author        string // the author's actor id
	AuthorHost    string
	Lang          string // bare language code, "" when unknown
	ContentHTML   string // sanitized on arrival
	Summary       string // content warning, plain text
	Sensitive     bool
	URL           string // the reply on its author's instance
	Visibility    Visibility
	State         ReplyState
	HiddenReason  string
	HeldFor       string // why it waits: "policy", "keyword", …
	Attachments   []Attachment
	Emojis        []Emoji
	Mentions      []Mention
	Depth         int
	Published     time.Time
	Updated       time.Time
	ReceivedAt    time.Time

	// AuthorInfo is filled by the store when it lists replies for display.
	AuthorInfo *RemoteAuthor
}

// Attachment is an image attached to a reply, copied into the media directory.
type Attachment struct {
	Media string `json:"media"` // file name under the media directory's remote/ folder
	Alt   string `json:"alt"`
	Type  string `json:"type"`
	// Width and Height are the copy's size in pixels, so that pages can
	// reserve its place; 0 for replies taken in before they were kept.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
}

// Emoji is a custom emoji used in a reply (docs/federation.md#custom-emoji).
type Emoji struct {
	Shortcode string `json:"shortcode"` // with colons, ":blob:"
	Media     string `json:"media"`
}

// Empty reports whether a reply has nothing to show once cleaned: no text
// and no image. Such a reply is held for review instead of showing as an
// empty box.
func (r *Reply) Empty() bool {
	return len(r.Attachments) == 0 && PlainText(r.ContentHTML) == ""
}

// HTTPURL reports whether s is an absolute http or https URL with a host:
// the only links a mention or a tag may carry.
func HTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Mention is an account a reply mentions (docs/federation.md#mentions).
type Mention struct {
	Href string `json:"href"`
	Name string `json:"name"`
}

// RemoteAuthor is what the dialogue shows of a reply's author.
type RemoteAuthor struct {
	ID       string
	Username string
	Host     string
	Name     string
	URL      string // profile page
	IconFile string // avatar copied into the media directory; "" when none
}

// Handle is the author's fediverse address, "@user@host".
func (a *RemoteAuthor) Handle() string { return "@" + a.Username + "@" + a.Host }

// Policy is the publication's rule for new replies (DESIGN: moderation model).
type Policy string

// open shows replies unless hidden; known holds a reply unless its author
// already has a visible one; reviewed holds every reply.
const (
	PolicyOpen     Policy = "open"
	PolicyKnown    Policy = "known"
	PolicyReviewed Policy = "reviewed"
)

// Policies lists the policies, most open first.
var Policies = []Policy{PolicyOpen, PolicyKnown, PolicyReviewed}

// Valid reports whether p is a known policy.
func (p Policy) Valid() bool { return p == PolicyOpen || p == PolicyKnown || p == PolicyReviewed }

// InitialState decides where a new reply starts, and why it is held when it
// is: a keyword match always holds it; otherwise the policy decides.
func InitialState(p Policy, authorHasVisible, keywordMatch bool) (state ReplyState, heldFor string) {
	switch {
	case keywordMatch:
		return ReplyPending, "keyword"
	case p == PolicyOpen:
		return ReplyVisible, ""
	case p == PolicyKnown && authorHasVisible:
		return ReplyVisible, ""
	default:
		return ReplyPending, "policy"
	}
}

// HideReasons are the reasons a moderator picks from when hiding a reply;
// free text may be added.
var HideReasons = []string{"hostile", "harassment", "hate speech", "spam", "off topic", "personal data", "disinformation"}

var fold = cases.Fold()

// NormalizeText prepares text for keyword matching: Unicode NFKC, case-folded,
// whitespace collapsed, so "ВОЙНА", "война" and "ｗａｒ" match their rules.
func NormalizeText(s string) string {
	s = fold.String(norm.NFKC.String(s))
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// MatchKeywords returns the first normalized phrase found in text, or "".
// Phrases must already be normalized with NormalizeText.
func MatchKeywords(text string, phrases []string) string {
	t := NormalizeText(text)
	for _, p := range phrases {
		if p != "" && strings.Contains(t, p) {
			return p
		}
	}
	return ""
}

// Block is a blocked account (an actor id) or instance (a host).
type Block struct {
	Kind      string // "account" or "instance"
	Target    string
	Reason    string
	CreatedBy int64
	CreatedAt time.Time
}

// Report is an incoming Flag about one of our stories or a reply in a dialogue.
type Report struct {
	ID            int64
	ActivityID    string
	Reporter      string
	Comment       string
	Objects       []string
	ReplyID       int64
	TranslationID int64
	State         string // "open" or "resolved"
	ResolvedBy    int64
	ResolvedAt    time.Time
	CreatedAt     time.Time
}

// KeywordRule is a word or phrase that holds a matching reply for review.
type KeywordRule struct {
	ID        int64
	Phrase    string // normalized with NormalizeText
	CreatedBy int64
	CreatedAt time.Time
}

// LogEntry is one line of the audit log: a staff action. Reason is the why
// of a moderation action, or what else there is to say about the action.
type LogEntry struct {
	ID        int64
	StaffID   int64
	StaffName string
	Action    string
	Target    string
	Reason    string
	CreatedAt time.Time
}

// Reactions counts likes and boosts.
type Reactions struct {
	Likes  int
	Shares int
	Quotes int // quotes we authorized and did not revoke
}

// QuotePolicy says who may quote the publication's Articles without a
// moderator's approval (FEP-044f, docs/federation.md#quotes).
type QuotePolicy string

// The quote policies.
const (
	QuotePublic    QuotePolicy = "public"    // anyone
	QuoteFollowers QuotePolicy = "followers" // followers of the Article's actor
	QuoteNobody    QuotePolicy = "nobody"
)

// Valid reports whether p is one of the quote policies.
func (p QuotePolicy) Valid() bool {
	return p == QuotePublic || p == QuoteFollowers || p == QuoteNobody
}

// Quote is a remote post that quotes one of our Articles with our
// authorization.
type Quote struct {
	ID            int64
	AuthKey       string // the key of its QuoteAuthorization's URL
	TranslationID int64
	Actor         string // who quotes
	Post          string // their post
	RequestID     string // the QuoteRequest's id
	Revoked       bool
	CreatedAt     time.Time
}
