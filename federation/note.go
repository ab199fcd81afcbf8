package federation

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"samizdat/content"
)

// noteTypes are the object types a reply may have. Mastodon sends Note,
// and Question for a poll; Article and Page come from blogs and forums.
var noteTypes = map[string]bool{"Note": true, "Article": true, "Page": true, "Question": true}

// note is a remote post as we read it, tolerantly
// (docs/federation.md#tolerant-json): each property may be a string, an object
// or an array.
type note struct {
	ID           string
	Type         string
	AttributedTo string
	InReplyTo    string
	URL          string
	Name         string
	Content      string // HTML, as sent; sanitized when it becomes a reply
	Summary      string // the content warning, HTML as sent
	Lang         string // bare language code, "" when unknown
	Sensitive    bool
	To, Cc       []string
	Published    time.Time
	Updated      time.Time
	Replies      string // the note's own replies collection, "" when none
	Mentions     []content.Mention
	Emojis       []remoteEmoji
	Images       []remoteImage
}

// remoteEmoji is a custom emoji a note uses (docs/federation.md#custom-emoji);
// its id may be null.
type remoteEmoji struct{ Shortcode, URL string }

// remoteImage is an image attached to a note.
type remoteImage struct{ URL, Alt string }

// parseNote reads a remote post.
func parseNote(d *object) note {
	n := note{
		ID:           d.ID,
		Type:         d.Type,
		AttributedTo: d.AttributedTo,
		InReplyTo:    d.InReplyTo,
		URL:          d.URL,
		Name:         d.Name,
		Summary:      d.Summary,
		Sensitive:    d.Sensitive,
		To:           d.To,
		Cc:           d.Cc,
		Published:    d.Published,
		Updated:      d.Updated,
		Replies:      d.Replies,
	}
	// content, never Misskey's _misskey_content, which is MFM source, not HTML
	// (docs/federation.md#reply-html-sanitizing). contentMap holds the same
	// text under the language.
	n.Lang, n.Content = noteLanguage(d, d.Content)
	for _, t := range d.Tags {
		switch t.Type {
		case "Mention":
			if content.HTTPURL(t.Href) {
				n.Mentions = append(n.Mentions, content.Mention{Href: t.Href, Name: t.Name})
			}
		case "Emoji":
			code := strings.Trim(t.Name, ":")
			if code != "" && t.Icon != "" {
				n.Emojis = append(n.Emojis, remoteEmoji{Shortcode: ":" + code + ":", URL: t.Icon})
			}
		}
	}
	for _, a := range d.Attachments {
		if a.Type != "Image" && !strings.HasPrefix(a.MediaType, "image/") {
			continue // video, audio, links: the link to the original shows them
		}
		if a.URL != "" {
			n.Images = append(n.Images, remoteImage{URL: a.URL, Alt: strings.TrimSpace(firstNonEmpty(a.Name, a.Summary))})
		}
	}
	return n
}

// isPublic reports whether an address is the public collection, in any of
// the forms servers write it (docs/federation.md#reply-visibility).
func isPublic(iri string) bool {
	return iri == publicIRI || iri == "as:Public" || iri == "Public"
}

// visibility works out a post's audience from its addressing, as Mastodon does
// (docs/federation.md#reply-visibility): Public in to is public, in cc
// unlisted; the author's followers collection in to is followers-only; anything
// else is direct.
func (n note) visibility(followers string) content.Visibility {
	switch {
	case slices.ContainsFunc(n.To, isPublic):
		return content.VisibilityPublic
	case slices.ContainsFunc(n.Cc, isPublic):
		return content.VisibilityUnlisted
	case followers != "" && slices.Contains(n.To, followers),
		slices.ContainsFunc(n.To, func(s string) bool { return strings.HasSuffix(s, "/followers") }):
		return content.VisibilityFollowers
	}
	return content.VisibilityDirect
}

// langRE is a bare primary language subtag.
var langRE = regexp.MustCompile(`^[a-z]{2,3}$`)

// bareLang reduces a language tag to its primary subtag ("pt-BR" → "pt"),
// or "" when it is not one (docs/federation.md#article-language).
func bareLang(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	if langRE.MatchString(primary) && primary != "und" {
		return primary
	}
	return ""
}

// noteLanguage returns a post's language and its HTML. Mastodon takes the first
// key of contentMap (docs/federation.md#article-language). A decoded JSON
// object has no order, so the key is chosen among those whose text is the
// content; with one key, which is what every server sends, that is the first.
// Failing contentMap, the non-standard language property some servers add, then
// nameMap and summaryMap, as Mastodon does. A post with no content but a
// contentMap takes its text from there.
func noteLanguage(d *object, html string) (lang, body string) {
	body = html
	if cm := d.ContentMap; len(cm) > 0 {
		keys := make([]string, 0, len(cm))
		for k := range cm {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		pick := keys[0]
		for _, k := range keys {
			if cm[k] == html && html != "" {
				pick = k
				break
			}
		}
		if body == "" {
			body = cm[pick]
		}
		if l := bareLang(pick); l != "" {
			return l, body
		}
	}
	if l := bareLang(d.Language); l != "" {
		return l, body
	}
	for _, m := range []map[string]string{d.NameMap, d.SummaryMap} {
		if len(m) == 1 {
			for k := range m {
				if l := bareLang(k); l != "" {
					return l, body
				}
			}
		}
	}
	return "", body
}

// sameHost reports whether two IRIs are on the same host (and port).
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
