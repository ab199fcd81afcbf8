package federation

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/federation/delivery"
)

// Config is what federation needs to know about the publication.
type Config struct {
	BaseURL         *url.URL // scheme and host (with port) of every local IRI
	Languages       []string // one actor per language
	PublicationName string
	// Version is the software version NodeInfo reports.
	Version string
	// AllowPrivate lets remote fetches reach loopback and private addresses,
	// for tests and local development only (FEDERATION_ALLOW_PRIVATE).
	AllowPrivate bool
	// AuthorizedFetch makes Articles, collections and the actors' full
	// documents answer only signed GETs from servers that are not blocked
	// (AUTHORIZED_FETCH, docs/federation.md#authorized-fetch).
	AuthorizedFetch bool
	// CopyMedia keeps copies of remote avatars, emoji and images in the
	// media table (media.go). False keeps no copies, and replies show
	// without them.
	CopyMedia bool
	// BackfillInterval is how often the backfill looks for answers between
	// readers (a River periodic job, once across all processes); 30 minutes
	// if zero.
	BackfillInterval time.Duration
	// InboxResult, when set, is told how each POST to an inbox ended, for
	// metrics: accepted, bad_request, unauthorized, too_large, unavailable…
	InboxResult func(outcome string)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Federation serves Samizdat's ActivityPub endpoints and turns changes to
// translations into activities.
type Federation struct {
	cfg     Config
	iri     iris
	store   *store.Store
	queue   *delivery.Deliverer
	logger  *slog.Logger
	client  *http.Client
	keys    *Keys
	images  map[string]*actorImages // by language; read-only after New
	refetch *refetchLimiter
	// keyCache holds remote actors' keys for the inbox (keycache.go).
	keyCache *keyCache
	bf       backfillLimits
	// actorFlood and instanceFlood count replies for the flood limits (flood.go).
	actorFlood, instanceFlood *floodMeter
	// fetchTimeout bounds the fetches one activity causes (reply.go).
	fetchTimeout time.Duration
	handler      http.Handler
	pages        http.Handler
}

// New builds the federation side of the publication: the handlers, and the
// change hook that turns publications, edits and withdrawals into
// activities queued on queue. keys must come from LoadKeys with the same
// configuration.
func New(cfg Config, st *store.Store, keys *Keys, queue *delivery.Deliverer, logger *slog.Logger) (*Federation, error) {
	if cfg.BaseURL == nil || cfg.BaseURL.Host == "" {
		return nil, errors.New("federation: BaseURL must be an absolute URL")
	}
	if len(cfg.Languages) == 0 {
		return nil, errors.New("federation: no languages")
	}
	if keys == nil || queue == nil {
		return nil, errors.New("federation: New needs the keys and the delivery queue")
	}
	for _, name := range append([]string{instanceActor}, cfg.Languages...) {
		if name != instanceActor && !usernameRE.MatchString(name) {
			return nil, fmt.Errorf("federation: %q cannot be an actor's user name", name)
		}
		if keys.get(name) == nil {
			return nil, fmt.Errorf("federation: no key for actor %q: load the keys with the same configuration", name)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Version == "" {
		cfg.Version = "0.1.0"
	}
	f := &Federation{
		cfg:      cfg,
		iri:      newIRIs(cfg.BaseURL),
		store:    st,
		keys:     keys,
		queue:    queue,
		logger:   logger.With("component", "federation"),
		images:   map[string]*actorImages{},
		refetch:  newRefetchLimiter(time.Minute),
		keyCache: newKeyCache(keyCacheTTL, keyCacheSize),
		bf:       defaultBackfillLimits,

		actorFlood:    newFloodMeter(),
		instanceFlood: newFloodMeter(),

		fetchTimeout: defaultFetchTimeout,
	}
	if cfg.BackfillInterval > 0 {
		f.bf.interval = cfg.BackfillInterval
	}
	f.client = f.newClient()
	for _, l := range cfg.Languages {
		f.images[l] = &actorImages{lang: l}
	}
	if err := queue.AddWork(f.backgroundWork()); err != nil {
		return nil, err
	}
	f.handler = f.routes()
	f.pages = f.pageRoutes()
	st.OnChange(f.onChange)
	return f, nil
}

// Handler serves /.well-known/*, /nodeinfo/*, /actor, /actors/*, /inbox and
// /ap/*. It routes on the full path, so the program can hand it those
// prefixes from its own router.
func (f *Federation) Handler() http.Handler { return detach(f.handler) }

// ActivityPubPages answers the website's own URLs for clients that asked for
// ActivityStreams JSON: a story page gives its Article and a language section
// its actor (docs/federation.md#activitypub-accept-headers,
// #activitypub-content-type, #pasted-url-resolution). It is
// web.Config.ActivityPub.
func (f *Federation) ActivityPubPages() http.Handler { return detach(f.pages) }

// ArticleIRI returns the id of the Article with the given object key.
func (f *Federation) ArticleIRI(objectKey string) string { return f.iri.Article(objectKey) }

// ActorHandle returns a language actor's handle, "@en@host".
func (f *Federation) ActorHandle(lang string) string { return f.iri.Handle(lang) }

// ActorURL returns a language actor's id.
func (f *Federation) ActorURL(lang string) string { return f.iri.Actor(lang) }

// hasLang reports whether lang is a configured language.
func (f *Federation) hasLang(lang string) bool { return slices.Contains(f.cfg.Languages, lang) }

// now is the federation clock.
func (f *Federation) now() time.Time { return f.cfg.Now() }

// isNotFound reports whether err is the store's not-found kind.
func isNotFound(err error) bool { return errors.Is(err, content.ErrNotFound) }
