// Package web serves Samizdat's public website: chi routes and
// html/template pages embedded in the binary. The staff desk is package
// web/desk; the two share only web/internal/serve. It never imports
// federation: where a page's URL must also answer ActivityPub, main hands
// it a plain http.Handler (Config.ActivityPub).
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"samizdat/content"
	"samizdat/content/store"
)

// Config is what the web layer needs to know about the publication.
type Config struct {
	BaseURL         *url.URL
	Languages       []string // the first is the default
	PublicationName string

	// ActivityPub, when set, answers requests for public pages whose Accept
	// header asks for ActivityStreams JSON (story pages, language sections).
	ActivityPub http.Handler

	// ArticleIRI, when set, returns the ActivityPub id of the Article with the
	// given object key, for <link rel="alternate"> on story pages
	// (docs/federation.md#pasted-url-resolution).
	ArticleIRI func(objectKey string) string
	// ActorHandle, when set, returns a language actor's handle ("@en@host"),
	// for <meta name="fediverse:creator"> on story pages
	// (docs/federation.md#fediverse-creator).
	ActorHandle func(lang string) string
	// ActorURL, when set, returns a language actor's id, for the rel="me"
	// links that verify the actors' profile links.
	ActorURL func(lang string) string
	// Interact, when set, finds the page on a reader's own instance where they
	// can follow (follow true) or answer target, an actor's or an Article's id;
	// input is the address the reader typed
	// (docs/federation.md#remote-interaction-templates). It returns "" and no
	// error when the instance offers no such page, and a
	// *content.ValidationError when input is not an address. Without it,
	// readers are shown what to paste into their app instead.
	Interact func(ctx context.Context, input, target string, follow bool) (redirectURL string, err error)

	// Subscribe, when set, records a newsletter subscription to langs and
	// mails its confirmation in lang (package mail). It returns a
	// *content.ValidationError for a malformed address; any other error
	// means the mail could not go now. Unset, the form says the newsletter
	// is not open yet.
	Subscribe func(ctx context.Context, address string, langs []string, lang string) error

	// AskClient, when set, reaches readers' instances to sign them in for
	// "Ask"; it must refuse private addresses as federation's clients do.
	AskClient *http.Client
	// ResolveAccount, when set, finds the actor id of a fediverse account
	// "user@host" (WebFinger).
	ResolveAccount func(ctx context.Context, acct string) (actor string, err error)
	// Ask, when set, records a signed-in reader's question (actor is
	// theirs) and sends it to them from the language actor.
	Ask func(ctx context.Context, lang, actor, text string) (*content.Question, error)
	// Withdraw, when set, withdraws a signed-in reader's question (asker is
	// their actor) and retracts what was sent about it; without it the
	// question is only withdrawn here.
	Withdraw func(ctx context.Context, asker string, id int64) error

	// PageWatch, when set and listening, spares kept pages the reading of
	// their version on every request (page_cache.go). Whoever sets it must
	// Touch it before answering any request that may have changed a page.
	PageWatch *store.PageWatch

	// PageCacheResult, when set, is told of each page that could be served
	// from memory whether it was (a hit) or had to be rendered (a miss),
	// for metrics.
	PageCacheResult func(hit bool)

	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// DialoguePage is how many threads a page of a story's dialogue shows;
	// 0 means dialoguePageThreads.
	DialoguePage int
}

// Server holds the web layer's dependencies.
type Server struct {
	cfg    Config
	store  *store.Store
	logger *slog.Logger
	tmpl   *templates
	limits limits
	pages  *pageCache  // rendered story pages and lists of stories (page_cache.go)
	media  *mediaCache // images served most (media.go)
	// readers limits the newsletter and join forms (newsletter.go).
	readers readerRates
	handler http.Handler
}

// New builds the web server. It parses every template once and fails if any
// is broken.
func New(cfg Config, st *store.Store, logger *slog.Logger) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    cfg,
		store:  st,
		logger: logger.With("component", "web"),
		tmpl:   tmpl,
		limits: newLimits(cfg.Now),
		pages:  newPageCache(pageCacheSize),
		media:  newMediaCache(mediaCacheSize),
	}
	s.readers = newReaderRates(cfg.Now)
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.serveKept(w, r) {
		s.handler.ServeHTTP(w, r)
	}
}

// hasLang reports whether lang is a configured language.
func (s *Server) hasLang(lang string) bool {
	for _, l := range s.cfg.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// absURL returns the absolute URL of a path on this site.
func (s *Server) absURL(path string) string {
	u := *s.cfg.BaseURL
	u.Path = path
	return u.String()
}
