package federation

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"samizdat/content"
)

// Page sizes keep every page far below the 1 MB peers read
// (docs/federation.md#peer-timeouts-and-limits).
const (
	outboxPageSize    = 20
	followersPageSize = 100
	repliesPageSize   = 20
)

// pageNumber reads ?page=N. It returns 0 when there is no page parameter (the
// collection itself is asked for) and false when the parameter is not a
// positive number.
func pageNumber(r *http.Request) (int, bool) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, false
	}
	return n, true
}

// orderedCollection is a collection that gives its size and where its first
// page is. Mastodon reads totalItems for the profile counts and treats a
// collection without first as hidden
// (docs/federation.md#actor-collections-counts).
func orderedCollection(id string, total int) (doc, error) {
	c := streams.NewActivityStreamsOrderedCollection()
	c.SetJSONLDId(idProp(id))
	c.SetActivityStreamsTotalItems(totalItemsProp(total))
	first := streams.NewActivityStreamsFirstProperty()
	first.SetIRI(mustURL(page(id, 1)))
	c.SetActivityStreamsFirst(first)
	return toDoc(c)
}

// orderedPage is page n of a collection; next is set when more follow.
// items are filled in by the caller, as ids or documents.
func orderedPage(collection string, n int, more bool) vocab.ActivityStreamsOrderedCollectionPage {
	p := streams.NewActivityStreamsOrderedCollectionPage()
	p.SetJSONLDId(idProp(page(collection, n)))
	p.SetActivityStreamsPartOf(partOfProp(collection))
	if more {
		next := streams.NewActivityStreamsNextProperty()
		next.SetIRI(mustURL(page(collection, n+1)))
		p.SetActivityStreamsNext(next)
	}
	if n > 1 {
		prev := streams.NewActivityStreamsPrevProperty()
		prev.SetIRI(mustURL(page(collection, n-1)))
		p.SetActivityStreamsPrev(prev)
	}
	return p
}

// langParam returns the {lang} of the route, or "" after answering 404 when
// it is not a configured language.
func (f *Federation) langParam(w http.ResponseWriter, r *http.Request) string {
	lang := chi.URLParam(r, "lang")
	if !f.hasLang(lang) {
		f.notFound(w, r)
		return ""
	}
	return lang
}

// handleOutbox serves a language actor's outbox: the Create of every
// published translation, newest first, paged.
func (f *Federation) handleOutbox(w http.ResponseWriter, r *http.Request) {
	lang := f.langParam(w, r)
	if lang == "" {
		return
	}
	n, ok := pageNumber(r)
	if !ok {
		f.notFound(w, r)
		return
	}
	size, offset := outboxPageSize, 0
	if n > 0 {
		offset = (n - 1) * size
	} else {
		size = 0 // the collection needs only the count
	}
	ts, total, err := f.store.PublishedTranslations(r.Context(), lang, size, offset)
	if err != nil {
		f.error(w, r, err)
		return
	}
	if n == 0 {
		f.writeCollection(w, r, f.iri.Outbox(lang), 0, total, false, nil)
		return
	}
	// Each Create names its Article by id rather than embedding it: twenty long
	// stories would not fit in the megabyte peers read
	// (docs/federation.md#peer-timeouts-and-limits), and a reader of the outbox
	// fetches what it wants.
	items := make([]doc, 0, len(ts))
	for _, t := range ts {
		c, err := f.createActivity(t, articleExtras{})
		if err != nil {
			f.error(w, r, err)
			return
		}
		c["object"] = f.iri.Article(t.ObjectKey)
		items = append(items, c)
	}
	f.writeCollection(w, r, f.iri.Outbox(lang), n, total, offset+len(ts) < total, items)
}

// handleFollowers serves a language actor's followers: their count, and
// their ids page by page (docs/federation.md#actor-collections-counts).
func (f *Federation) handleFollowers(w http.ResponseWriter, r *http.Request) {
	lang := f.langParam(w, r)
	if lang == "" {
		return
	}
	n, ok := pageNumber(r)
	if !ok {
		f.notFound(w, r)
		return
	}
	total, err := f.store.FollowerCount(r.Context(), lang)
	if err != nil {
		f.error(w, r, err)
		return
	}
	if n == 0 {
		f.writeCollection(w, r, f.iri.Followers(lang), 0, total, false, nil)
		return
	}
	offset := (n - 1) * followersPageSize
	ids, err := f.store.Followers(r.Context(), lang, followersPageSize, offset)
	if err != nil {
		f.error(w, r, err)
		return
	}
	f.writeCollection(w, r, f.iri.Followers(lang), n, total, offset+len(ids) < total, nonNil(ids))
}

// handleFollowing serves the empty following collection: our actors follow no
// one. It still has a first page, or Mastodon would hide both counts
// (docs/federation.md#actor-collections-counts).
func (f *Federation) handleFollowing(w http.ResponseWriter, r *http.Request) {
	lang := f.langParam(w, r)
	if lang == "" {
		return
	}
	n, ok := pageNumber(r)
	if !ok {
		f.notFound(w, r)
		return
	}
	f.writeCollection(w, r, f.iri.Following(lang), n, 0, false, []string{})
}

// writeCollection answers a paged collection: with n 0, the collection
// itself, its size and where its first page is; otherwise its page n,
// holding items, with a next page when more follow.
func (f *Federation) writeCollection(w http.ResponseWriter, r *http.Request, id string, n, total int, more bool, items any) {
	var d doc
	var err error
	if n == 0 {
		d, err = orderedCollection(id, total)
	} else {
		d, err = toDoc(orderedPage(id, n, more))
	}
	if err != nil {
		f.error(w, r, err)
		return
	}
	if n > 0 {
		d["orderedItems"] = items
	}
	f.writeAP(w, r, withContext(d))
}

// handleFeatured serves the stories editors pinned, as Article ids: Mastodon
// fetches string items and skips embedded objects that are not Notes.
func (f *Federation) handleFeatured(w http.ResponseWriter, r *http.Request) {
	lang := f.langParam(w, r)
	if lang == "" {
		return
	}
	ts, err := f.store.PinnedTranslations(r.Context(), lang)
	if err != nil {
		f.error(w, r, err)
		return
	}
	c := streams.NewActivityStreamsOrderedCollection()
	c.SetJSONLDId(idProp(f.iri.Featured(lang)))
	c.SetActivityStreamsTotalItems(totalItemsProp(len(ts)))
	d, err := toDoc(c)
	if err != nil {
		f.error(w, r, err)
		return
	}
	ids := make([]string, 0, len(ts))
	for _, t := range ts {
		ids = append(ids, f.iri.Article(t.ObjectKey))
	}
	d["orderedItems"] = ids
	f.writeAP(w, r, withContext(d))
}

// handleReplies serves an Article's replies collection, with its first page
// inlined, or page ?page=N: the visible public replies that answer it directly,
// oldest first, because Mastodon 4.5+ backfills threads from it and nothing
// hidden may leak that way (docs/federation.md#mastodon-replies-backfill).
func (f *Federation) handleReplies(w http.ResponseWriter, r *http.Request) {
	t, err := f.publishedArticle(r.Context(), chi.URLParam(r, "key"))
	if err != nil {
		f.error(w, r, err)
		return
	}
	n, ok := pageNumber(r)
	if !ok {
		f.notFound(w, r)
		return
	}
	offset := max(n-1, 0) * repliesPageSize
	ids, total, err := f.store.ArticleReplies(r.Context(), t.ID, repliesPageSize, offset)
	if err != nil {
		f.error(w, r, err)
		return
	}
	more := offset+len(ids) < total
	var v vocab.Type = f.repliesCollection(t.ObjectKey, ids, more)
	if n > 0 {
		v = f.repliesPage(t.ObjectKey, n, ids, more)
	}
	d, err := toDoc(v)
	if err != nil {
		f.error(w, r, err)
		return
	}
	emptyItems(d)
	f.writeAP(w, r, withContext(d))
}

// handleLikes and handleShares serve an Article's counts, with no items,
// as Mastodon's are (docs/federation.md#likes-shares-counts).
func (f *Federation) handleLikes(w http.ResponseWriter, r *http.Request) {
	f.serveCount(w, r, f.iri.Likes, func(c content.Reactions) int { return c.Likes })
}

func (f *Federation) handleShares(w http.ResponseWriter, r *http.Request) {
	f.serveCount(w, r, f.iri.Shares, func(c content.Reactions) int { return c.Shares })
}

func (f *Federation) serveCount(w http.ResponseWriter, r *http.Request, id func(string) string, count func(content.Reactions) int) {
	t, err := f.publishedArticle(r.Context(), chi.URLParam(r, "key"))
	if err != nil {
		f.error(w, r, err)
		return
	}
	c, err := f.store.TranslationReactions(r.Context(), t.ID)
	if err != nil {
		f.error(w, r, err)
		return
	}
	d, err := toDoc(countCollection(id(t.ObjectKey), count(c)))
	if err != nil {
		f.error(w, r, err)
		return
	}
	f.writeAP(w, r, withContext(d))
}

// contextItems bounds the conversation a context collection lists: the Article
// and its first replies, well under the megabyte peers read
// (docs/federation.md#peer-timeouts-and-limits).
const contextItems = 500

// handleContext serves the conversation an Article starts (FEP-7888,
// docs/federation.md#conversation-context): attributed to its actor, holding
// the Article and the replies readers can see under it, nested ones included,
// oldest first. Mastodon echoes this id as every reply's context but does not
// read it; servers that backfill threads by context do.
func (f *Federation) handleContext(w http.ResponseWriter, r *http.Request) {
	t, err := f.publishedArticle(r.Context(), chi.URLParam(r, "key"))
	if err != nil {
		f.error(w, r, err)
		return
	}
	replies, err := f.store.ContextReplies(r.Context(), t.ID, contextItems-1)
	if err != nil {
		f.error(w, r, err)
		return
	}
	c := streams.NewActivityStreamsOrderedCollection()
	c.SetJSONLDId(idProp(f.iri.Context(t.ObjectKey)))
	attributed := streams.NewActivityStreamsAttributedToProperty()
	attributed.AppendIRI(mustURL(f.iri.Actor(t.Lang)))
	c.SetActivityStreamsAttributedTo(attributed)
	c.SetActivityStreamsTotalItems(totalItemsProp(1 + len(replies)))
	items := streams.NewActivityStreamsOrderedItemsProperty()
	items.AppendIRI(mustURL(f.iri.Article(t.ObjectKey)))
	c.SetActivityStreamsOrderedItems(items)
	d, err := toDoc(c)
	if err != nil {
		f.error(w, r, err)
		return
	}
	d["orderedItems"] = append([]string{f.iri.Article(t.ObjectKey)}, replies...)
	f.writeAP(w, r, withContext(d))
}

// emptyItems makes sure a page with no items says "items": [] rather than
// leaving the key out, wherever go-fed dropped the empty property.
func emptyItems(d doc) {
	if first, ok := d["first"].(map[string]any); ok {
		emptyItems(doc(first))
	}
	if t, _ := d["type"].(string); t == "CollectionPage" {
		if _, ok := d["items"]; !ok {
			d["items"] = []string{}
		}
	}
}

// nonNil turns a nil slice into an empty one, which encodes as [] not null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
