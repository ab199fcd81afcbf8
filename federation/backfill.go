package federation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Readers answer each other without addressing us: such a reply reaches the
// server of the reply it answers, not ours. The backfill finds them the way
// Mastodon 4.5+ fills its threads
// (docs/federation.md#mastodon-replies-backfill): it reads the replies
// collection that each visible reply's own server publishes, fetches what is
// listed there from each item's own server (a listing proves nothing about the
// item, GoToSocial's rule), and passes it through the same checks and
// moderation as a reply that came to the inbox.
//
// It is bounded every way: replies received in the last 14 days, found up
// to 3 levels below a direct answer to a story, at most 200 fetches per run
// and one a second per host, with signed GETs. What it has read is recorded
// on each reply (replies_checked_at), so a restart resumes where it was and
// two processes share the work instead of doing it twice.

// backfillLimits are the backfill's bounds.
type backfillLimits struct {
	interval time.Duration // between runs
	window   time.Duration // how far back replies are looked at
	stale    time.Duration // how soon a collection is read again
	depth    int           // replies at this depth are not looked below
	fetches  int           // fetches per run, pages, items, actors and images included
	claim    int           // replies looked at per run
	pages    int           // collection pages read per reply
	pace     time.Duration // between two fetches from one host
	retries  int           // attempts of a collection that failed, after the run that failed
	retry    time.Duration // the first delay before one; each next one doubles
}

var defaultBackfillLimits = backfillLimits{
	retries:  6,
	retry:    time.Minute,
	interval: 30 * time.Minute,
	window:   14 * 24 * time.Hour,
	stale:    6 * time.Hour,
	depth:    3,
	fetches:  200,
	claim:    50,
	pages:    5,
	pace:     time.Second,
}

// Backfill makes one run and returns how many replies it stored. A
// collection that could not be read is logged as a warning with its
// address and tried again by a job of its own, sooner than the next run
// would (backfill_jobs.go).
func (f *Federation) Backfill(ctx context.Context) (int, error) {
	now := f.now()
	items, err := f.store.ClaimBackfill(ctx, now.Add(-f.bf.window), now.Add(-f.bf.stale), f.bf.depth, f.bf.claim)
	if err != nil {
		return 0, err
	}
	ctx = withBudget(ctx, newFetchBudget(f.bf.fetches, f.bf.pace))
	found := 0
	for _, it := range items {
		n, err := f.backfillReply(ctx, it.ReplyID, it.APID, it.RepliesIRI)
		found += n
		if errors.Is(err, errBudget) || ctx.Err() != nil {
			break
		}
		if err != nil {
			if !errors.Is(err, errFetch) && !errors.Is(err, errRetryLater) {
				return found, err
			}
			log := f.logger.With("url", firstNonEmpty(it.RepliesIRI, it.APID), "activity_id", it.APID, "story_id", it.StoryID, "err", err)
			if !temporary(err) && !errors.Is(err, errRetryLater) {
				// A 4xx, or a document we cannot use: the same fetch
				// would fail the same way in a minute.
				log.Warn("backfill: a replies collection could not be read; not tried again before its next run")
				continue
			}
			log.Warn("backfill: a replies collection could not be read; will try again", "in", f.bf.retryDelay(1))
			if err := f.scheduleBackfillRetry(ctx, it); err != nil {
				return found, err
			}
		}
	}
	return found, nil
}

// backfillReply reads the replies collection of one reply and takes in what
// it lists. The collection, its pages and the reply must all be on the
// reply's own server.
func (f *Federation) backfillReply(ctx context.Context, replyID int64, apID, collection string) (int, error) {
	if collection == "" {
		d, err := f.fetchObject(ctx, apID)
		if err != nil {
			return 0, err
		}
		collection = d.Replies
		if collection == "" || !sameHost(collection, apID) { // Misskey: none (docs/federation.md#misskey-no-replies-collection)
			return 0, nil
		}
		if err := f.store.SetRepliesIRI(ctx, replyID, collection); err != nil {
			return 0, err
		}
	}
	d, err := f.fetchCollection(ctx, collection)
	if err != nil {
		return 0, err
	}
	found := 0
	page := d.First
	if page.ID == "" && page.Obj == nil {
		page = ref{Obj: d} // a collection with its items inline
	}
	for n := 0; n < f.bf.pages && (page.ID != "" || page.Obj != nil); n++ {
		p := page.Obj
		if p == nil { // a page given by its address
			if !sameHost(page.ID, apID) {
				break
			}
			if p, err = f.fetchCollection(ctx, page.ID); err != nil {
				return found, err
			}
		}
		// Ids or objects, each fetched from its own server
		// (docs/federation.md#mastodon-replies-pages).
		for _, item := range p.Items {
			stored, err := f.backfillItem(ctx, item.ID)
			if stored {
				found++
			}
			if err != nil {
				return found, err
			}
		}
		page = p.Next
		if page.ID != "" && !sameHost(page.ID, apID) {
			break
		}
	}
	return found, nil
}

// backfillItem takes in one reply a collection listed, fetched from its
// own server. It reports whether a new reply was stored; only a spent
// budget or a failure of our own is an error.
func (f *Federation) backfillItem(ctx context.Context, id string) (bool, error) {
	if _, err := f.remoteURL(id); err != nil {
		return false, nil
	}
	if _, err := f.store.ReplyByAPID(ctx, id); err == nil {
		return false, nil
	} else if !isNotFound(err) {
		return false, err
	}
	if gone, err := f.store.IsReplyTombstoned(ctx, id); err != nil || gone {
		return false, err
	}
	d, err := f.fetchObject(ctx, id)
	if err != nil {
		if errors.Is(err, errBudget) {
			return false, err
		}
		return false, nil
	}
	n := parseNote(d)
	if !noteTypes[n.Type] {
		return false, nil
	}
	_, created, err := f.ingest(ctx, n, n.AttributedTo, 1)
	switch {
	case errors.Is(err, errBudget):
		return false, err
	case errors.Is(err, errRetryLater):
		return false, nil
	case err != nil:
		return false, err
	}
	return created, nil
}

// errBudget ends a backfill run that has made all the fetches it may.
var errBudget = errors.New("federation: fetch budget spent")

// fetchBudget counts and paces the fetches of one backfill run: at most n
// in all, and one per pace per host.
type fetchBudget struct {
	mu   sync.Mutex
	left int
	pace time.Duration
	next map[string]time.Time // host → earliest next fetch
}

func newFetchBudget(n int, pace time.Duration) *fetchBudget {
	return &fetchBudget{left: n, pace: pace, next: map[string]time.Time{}}
}

type budgetKey struct{}

// withBudget makes every fetch under ctx count against b.
func withBudget(ctx context.Context, b *fetchBudget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// takeBudget waits until a fetch from host is allowed by the budget under
// ctx, if there is one, and counts it. Fetches outside the backfill are
// not limited here.
func takeBudget(ctx context.Context, host string) error {
	b, _ := ctx.Value(budgetKey{}).(*fetchBudget)
	if b == nil {
		return nil
	}
	host = strings.ToLower(host)
	b.mu.Lock()
	if b.left <= 0 {
		b.mu.Unlock()
		return errBudget
	}
	b.left--
	now := time.Now() // the real clock: this is about the peer's load
	at := b.next[host]
	if at.Before(now) {
		at = now
	}
	b.next[host] = at.Add(b.pace)
	b.mu.Unlock()
	if wait := at.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// fetchCollection fetches a collection or one of its pages. Unlike a single
// object, it is taken when the document's id names the same collection
// with another query: GoToSocial answers a fetch of a status's replies
// with an id that adds only_other_accounts, and pages differ from their
// collection only by their paging parameters (see
// docs/federation.md#gotosocial-replies-collection). Same scheme, host and
// path is the same collection on the same server, which is all that a
// listing needs; what it lists is fetched from each item's own server.
func (f *Federation) fetchCollection(ctx context.Context, iri string) (*object, error) {
	d, err := f.fetch(ctx, iri)
	if err != nil {
		return nil, err
	}
	if got := d.ID; !sameCollection(iri, got) {
		return nil, fmt.Errorf("%w: %s served a collection with id %q", errFetch, iri, got)
	}
	return d, nil
}

// sameCollection reports whether two IRIs name the same resource once
// their queries and fragments are set aside.
func sameCollection(asked, got string) bool {
	a, err1 := url.Parse(asked)
	b, err2 := url.Parse(got)
	if err1 != nil || err2 != nil || a.Host == "" {
		return false
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host) && a.EscapedPath() == b.EscapedPath()
}
