package federation

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"samizdat/content"
)

// This file is the one place where our types become ActivityStreams
// [GoToSocial typeutils].

// article converts a published translation into its Article. Mastodon shows
// only name, summary and a link to url
// (docs/federation.md#mastodon-article-rendering), so the teaser is the
// summary, plain text with no link that could steal the preview card
// (docs/federation.md#mastodon-preview-card); the full body is in content for
// the servers that show it (docs/federation.md#gotosocial-article-rendering,
// #misskey-article-rendering). There are no attachments, so Mastodon
// builds a card from the page (docs/federation.md#mastodon-preview-card), and
// an interactionPolicy with canQuote only: canReply GoToSocial would read as
// a demand for reply approval (docs/federation.md#no-interaction-policy).
func (f *Federation) article(t *content.Translation, x articleExtras) (doc, error) {
	key, lang := t.ObjectKey, t.Lang
	storyURL := f.iri.StoryURL(lang, t.Slug)

	a := streams.NewActivityStreamsArticle()
	a.SetJSONLDId(idProp(f.iri.Article(key)))
	attributed := streams.NewActivityStreamsAttributedToProperty()
	attributed.AppendIRI(mustURL(f.iri.Actor(lang)))
	a.SetActivityStreamsAttributedTo(attributed)
	a.SetActivityStreamsUrl(urlProp(storyURL))
	a.SetActivityStreamsName(nameProp(t.Title))
	// summary is HTML in ActivityStreams and Mastodon 4.3+ reads it so
	// (docs/federation.md#mastodon-article-rendering): the plain-text teaser
	// goes out escaped.
	summary := html.EscapeString(t.Teaser)
	a.SetActivityStreamsSummary(summaryProp(summary))
	bodyHTML := f.absolutePaths(t.BodyHTML)
	body := streams.NewActivityStreamsContentProperty()
	body.AppendXMLSchemaString(bodyHTML)
	a.SetActivityStreamsContent(body)
	a.SetActivityStreamsPublished(publishedProp(t.PublishedAt))
	// updated only after an edit: Mastodon applies an Article edit only when
	// updated is present and newer than what it holds
	// (docs/federation.md#mastodon-article-edits).
	if !t.EditedAt.IsZero() {
		u := streams.NewActivityStreamsUpdatedProperty()
		u.Set(stamp(t.EditedAt))
		a.SetActivityStreamsUpdated(u)
	}
	a.SetActivityStreamsTo(toProp(publicIRI))
	a.SetActivityStreamsCc(ccProp(f.iri.Followers(lang)))

	// No attachment at all: a media attachment would take the preview card's
	// place on Mastodon, and GoToSocial cannot read a Link attachment
	// (docs/federation.md#article-cover-image).
	ctx := streams.NewActivityStreamsContextProperty()
	ctx.AppendIRI(mustURL(f.iri.Context(key)))
	a.SetActivityStreamsContext(ctx)

	replies := streams.NewActivityStreamsRepliesProperty()
	replies.SetActivityStreamsCollection(f.repliesCollection(key, x.replies, x.moreReplies))
	a.SetActivityStreamsReplies(replies)
	likes := streams.NewActivityStreamsLikesProperty()
	likes.SetActivityStreamsCollection(countCollection(f.iri.Likes(key), x.reactions.Likes))
	a.SetActivityStreamsLikes(likes)
	shares := streams.NewActivityStreamsSharesProperty()
	shares.SetActivityStreamsCollection(countCollection(f.iri.Shares(key), x.reactions.Shares))
	a.SetActivityStreamsShares(shares)

	d, err := toDoc(a)
	if err != nil {
		return nil, err
	}
	// What go-fed v1.0.0 cannot say: a property with both a plain value and a
	// language map (it writes one or the other), Hashtag, and ostatus
	// conversation, which Mastodon echoes on every reply in the thread
	// (docs/federation.md#conversation-context). One key per map, the bare
	// language code: Mastodon reads the first key as the post's language
	// (docs/federation.md#article-language).
	d["nameMap"] = map[string]string{lang: t.Title}
	d["summaryMap"] = map[string]string{lang: summary}
	d["contentMap"] = map[string]string{lang: bodyHTML}
	d["conversation"] = f.iri.Context(key)
	d["interactionPolicy"] = f.interactionPolicy(lang, x.quotePolicy)
	tags := make([]doc, 0, len(t.Tags))
	for _, tag := range t.Tags {
		tags = append(tags, doc{"type": "Hashtag", "name": "#" + tag, "href": f.iri.Tag(lang, tag)})
	}
	d["tag"] = tags
	if r, ok := d["replies"].(map[string]any); ok {
		emptyItems(r)
	}
	if img := f.coverImage(x.cover, t.CoverAlt); img != nil {
		d["image"] = img
	}
	return fitArticle(d, lang, summary, storyURL)
}

// maxArticleBytes keeps an Article, and the Create or Update that carries it,
// under the 1 MB peers accept in an inbox or a fetch
// (docs/federation.md#peer-timeouts-and-limits, #inbox-answers), with room for
// the envelope.
const maxArticleBytes = 900 << 10

// fitArticle shortens an Article that would be too large: a long story in a
// script of two-byte letters, written twice (content and contentMap), can pass
// a megabyte. contentMap alone still gives the body and the language
// (docs/federation.md#article-language); failing that, the body gives way to
// the teaser and a link to the page.
func fitArticle(d doc, lang, summary, storyURL string) (doc, error) {
	for step := 0; ; step++ {
		b, err := encode(d)
		if err != nil {
			return nil, err
		}
		if len(b) <= maxArticleBytes {
			return d, nil
		}
		switch step {
		case 0:
			delete(d, "content")
		case 1:
			short := "<p>" + summary + "</p><p><a href=\"" + html.EscapeString(storyURL) + "\">" + html.EscapeString(storyURL) + "</a></p>"
			d["content"] = short
			d["contentMap"] = map[string]string{lang: short}
		default:
			return nil, fmt.Errorf("federation: article %v is over %d bytes even without its body", d["id"], maxArticleBytes)
		}
	}
}

// articleExtras is what an Article shows of its dialogue: the first page
// of its replies collection and its counts.
type articleExtras struct {
	replies     []string // ids of the first page of visible direct replies
	moreReplies bool
	reactions   content.Reactions
	cover       string // the story's cover image file, "" when none
	quotePolicy content.QuotePolicy
}

// articleExtras reads a translation's first page of replies and its counts.
func (f *Federation) articleExtras(ctx context.Context, t *content.Translation) (articleExtras, error) {
	ids, total, err := f.store.ArticleReplies(ctx, t.ID, repliesPageSize, 0)
	if err != nil {
		return articleExtras{}, err
	}
	r, err := f.store.TranslationReactions(ctx, t.ID)
	if err != nil {
		return articleExtras{}, err
	}
	cover, err := f.store.StoryCover(ctx, t.StoryID)
	if err != nil {
		return articleExtras{}, err
	}
	p, err := f.store.QuotePolicy(ctx)
	if err != nil {
		return articleExtras{}, err
	}
	return articleExtras{replies: ids, moreReplies: len(ids) < total, reactions: r, cover: cover, quotePolicy: p}, nil
}

// coverMediaTypes are the media types of the image files the desk stores.
var coverMediaTypes = map[string]string{".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}

// coverImage is the Article's image property for a cover file: an Image
// with its address, media type and alt text. Mastodon and GoToSocial read
// media only from attachment, so the cover shows nowhere that would take
// the place of the preview card; it is there for servers and readers that
// do look at an Article's image (docs/federation.md#article-cover-image).
func (f *Federation) coverImage(file, alt string) doc {
	mt, ok := coverMediaTypes[strings.ToLower(path.Ext(file))]
	if file == "" || !ok {
		return nil
	}
	img := doc{"type": "Image", "url": f.iri.Media(file), "mediaType": mt}
	if alt != "" {
		img["name"] = alt
	}
	return img
}

// repliesCollection is an Article's replies: a Collection whose first page is
// inlined, as Mastodon's are (docs/federation.md#mastodon-replies-backfill),
// listing the ids of the visible replies that answer the Article directly.
// Mastodon's backfill reads this page, follows next to the end, and fetches
// each reply from its own server, whose replies collection it then reads in
// turn: so the nested replies need not be listed here, and hidden or pending
// ones never are. "next" is left out rather than null on the last page.
func (f *Federation) repliesCollection(key string, first []string, more bool) vocab.ActivityStreamsCollection {
	c := streams.NewActivityStreamsCollection()
	c.SetJSONLDId(idProp(f.iri.Replies(key)))
	fp := streams.NewActivityStreamsFirstProperty()
	fp.SetActivityStreamsCollectionPage(f.repliesPage(key, 1, first, more))
	c.SetActivityStreamsFirst(fp)
	return c
}

// repliesPage is page n of an Article's replies collection.
func (f *Federation) repliesPage(key string, n int, ids []string, more bool) vocab.ActivityStreamsCollectionPage {
	p := streams.NewActivityStreamsCollectionPage()
	p.SetJSONLDId(idProp(page(f.iri.Replies(key), n)))
	p.SetActivityStreamsPartOf(partOfProp(f.iri.Replies(key)))
	items := streams.NewActivityStreamsItemsProperty()
	for _, id := range ids {
		if u, err := url.Parse(id); err == nil {
			items.AppendIRI(u)
		}
	}
	p.SetActivityStreamsItems(items)
	if more {
		next := streams.NewActivityStreamsNextProperty()
		next.SetIRI(mustURL(page(f.iri.Replies(key), n+1)))
		p.SetActivityStreamsNext(next)
	}
	return p
}

// countCollection is a Collection that gives only its size, as Mastodon's
// likes and shares do (docs/federation.md#likes-shares-counts).
func countCollection(id string, n int) vocab.ActivityStreamsCollection {
	c := streams.NewActivityStreamsCollection()
	c.SetJSONLDId(idProp(id))
	c.SetActivityStreamsTotalItems(totalItemsProp(n))
	return c
}

// createActivity wraps the Article of a newly published translation. Its
// published is the moment of publication: Mastodon puts in home timelines only
// what is less than six hours old
// (docs/federation.md#mastodon-realtime-window).
func (f *Federation) createActivity(t *content.Translation, x articleExtras) (doc, error) {
	art, err := f.article(t, x)
	if err != nil {
		return nil, err
	}
	c := streams.NewActivityStreamsCreate()
	c.SetJSONLDId(idProp(f.iri.CreateID(t.ObjectKey)))
	c.SetActivityStreamsActor(actorProp(f.iri.Actor(t.Lang)))
	c.SetActivityStreamsPublished(publishedProp(t.PublishedAt))
	c.SetActivityStreamsTo(toProp(publicIRI))
	c.SetActivityStreamsCc(ccProp(f.iri.Followers(t.Lang)))
	d, err := toDoc(c)
	if err != nil {
		return nil, err
	}
	d["object"] = art
	return d, nil
}

// updateActivity announces an edit. Each edit has its own id, and the Article
// carries the newer updated that Mastodon 4.5+ needs to apply it
// (docs/federation.md#mastodon-article-edits).
func (f *Federation) updateActivity(t *content.Translation, x articleExtras) (doc, error) {
	if t.EditedAt.IsZero() {
		return nil, fmt.Errorf("federation: update of translation %d that was never edited", t.ID)
	}
	art, err := f.article(t, x)
	if err != nil {
		return nil, err
	}
	u := streams.NewActivityStreamsUpdate()
	u.SetJSONLDId(idProp(f.iri.UpdateID(t.ObjectKey, t.EditedAt)))
	u.SetActivityStreamsActor(actorProp(f.iri.Actor(t.Lang)))
	u.SetActivityStreamsPublished(publishedProp(t.EditedAt))
	u.SetActivityStreamsTo(toProp(publicIRI))
	u.SetActivityStreamsCc(ccProp(f.iri.Followers(t.Lang)))
	d, err := toDoc(u)
	if err != nil {
		return nil, err
	}
	d["object"] = art
	return d, nil
}

// deleteActivity withdraws an Article: Delete of a Tombstone, addressed to the
// public as Mastodon's are (docs/federation.md#withdrawn-articles). The peer
// keeps the tombstone and will refuse the id for ever, which is why a
// republished translation gets a new key.
func (f *Federation) deleteActivity(t *content.Translation, when time.Time) (doc, error) {
	tomb := streams.NewActivityStreamsTombstone()
	tomb.SetJSONLDId(idProp(f.iri.Article(t.ObjectKey)))
	former := streams.NewActivityStreamsFormerTypeProperty()
	former.AppendXMLSchemaString("Article")
	tomb.SetActivityStreamsFormerType(former)
	d := streams.NewActivityStreamsDelete()
	d.SetJSONLDId(idProp(f.iri.DeleteID(t.ObjectKey)))
	d.SetActivityStreamsActor(actorProp(f.iri.Actor(t.Lang)))
	d.SetActivityStreamsPublished(publishedProp(when))
	d.SetActivityStreamsTo(toProp(publicIRI))
	d.SetActivityStreamsCc(ccProp(f.iri.Followers(t.Lang)))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsTombstone(tomb)
	d.SetActivityStreamsObject(obj)
	return toDoc(d)
}

// acceptActivity answers a Follow with the Follow embedded, the form Mastodon
// matches by (follower, followed) even when it forgot the Follow's id
// (docs/federation.md#mastodon-follow-accept).
func (f *Federation) acceptActivity(lang, uuid string, follow inFollow) (doc, error) {
	fl := streams.NewActivityStreamsFollow()
	fl.SetJSONLDId(idProp(follow.ID))
	fl.SetActivityStreamsActor(actorProp(follow.Actor))
	fo := streams.NewActivityStreamsObjectProperty()
	fo.AppendIRI(mustURL(follow.Object))
	fl.SetActivityStreamsObject(fo)

	a := streams.NewActivityStreamsAccept()
	a.SetJSONLDId(idProp(f.iri.AcceptID(lang, uuid)))
	a.SetActivityStreamsActor(actorProp(f.iri.Actor(lang)))
	a.SetActivityStreamsTo(toProp(follow.Actor))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsFollow(fl)
	a.SetActivityStreamsObject(obj)
	return toDoc(a)
}

// flagActivity is a report from our instance actor about objects (the reported
// account first, then its posts), with the moderator's comment, in the shape
// Mastodon sends and reads (docs/federation.md#reports-inbound,
// #reports-outbound).
func (f *Federation) flagActivity(id string, objects []string, comment string) (doc, error) {
	fl := streams.NewActivityStreamsFlag()
	fl.SetJSONLDId(idProp(id))
	fl.SetActivityStreamsActor(actorProp(f.iri.InstanceActor()))
	obj := streams.NewActivityStreamsObjectProperty()
	for _, o := range objects {
		u, err := url.Parse(o)
		if err != nil {
			return nil, fmt.Errorf("federation: flag object %q: %w", o, err)
		}
		obj.AppendIRI(u)
	}
	fl.SetActivityStreamsObject(obj)
	if comment != "" {
		c := streams.NewActivityStreamsContentProperty()
		c.AppendXMLSchemaString(comment)
		fl.SetActivityStreamsContent(c)
	}
	return toDoc(fl)
}

// sitePath matches an href or src attribute holding a path of our own site
// ("/media/…", "/en/about"), as goldmark writes them, but not one of
// another host ("//host/…").
var sitePath = regexp.MustCompile(`( (?:href|src)=")/([^/"])`)

// absolutePaths gives the links and images of HTML we rendered from an
// editor's Markdown (a story's text, an actor's bio) our absolute address:
// a peer resolves nothing against our host, so "/media/…" or "/en/about"
// would point at its own.
func (f *Federation) absolutePaths(body string) string {
	return sitePath.ReplaceAllString(body, "${1}"+f.iri.abs("/")+"${2}")
}
