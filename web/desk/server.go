// Package desk serves Samizdat's staff desk under /desk/: signing in,
// writing and publishing stories and their translations, the submissions
// from "Tell your story", moderation of replies and reports, staff accounts
// and the fediverse deliveries of each translation. It is English only.
//
// It shares HTTP plumbing with the public site through web/internal/serve
// and never imports the public site (package web) nor federation: what it
// needs of them (the preview of a story page, retrying deliveries, reporting
// a remote account) main hands it as functions in Config.
package desk

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"

	"samizdat/content"
	"samizdat/content/store"
)

// Config is what the desk needs to know about the publication.
type Config struct {
	BaseURL         *url.URL
	Languages       []string // the first is the default
	PublicationName string

	// Preview, when set, answers a preview of translation t of story st as
	// its public page would show it, or returns an error without answering.
	// Without it the preview button answers 404.
	Preview func(w http.ResponseWriter, r *http.Request, st *content.Story, t *content.Translation) error
	// PagePreview, when set, answers a preview of static page p as its
	// public page would show it. Without it the preview button answers 404.
	PagePreview func(w http.ResponseWriter, r *http.Request, p *content.Page) error
	// RetryDeliveries, when set, queues again the failed deliveries of a
	// translation's activities and says how many (the retry button).
	RetryDeliveries func(ctx context.Context, translationID int64) (int, error)
	// ReportRemote, when set, reports a reply's author to their instance
	// with a Flag from the instance actor, on behalf of the staff member
	// staffID, and logs it. The desk hides the button without it.
	ReportRemote func(ctx context.Context, staffID, replyID int64, comment string) error
	// RevokeQuote, when set, withdraws the authorization of a quote of one
	// of our stories on behalf of staffID, tells the quoting server and
	// logs it. The desk hides the button without it.
	RevokeQuote func(ctx context.Context, staffID, quoteID int64) error

	// SendIssue, when set, queues an issue of the newsletter by hand: a
	// digest of the given translations with an introduction, to the
	// subscribers of lang, on behalf of staffID, logged (package mail).
	// Without it the desk says the newsletter is not open.
	SendIssue func(ctx context.Context, staffID int64, lang, subject, intro string, translationIDs []int64) (issueID int64, err error)

	// AnswerQuestion, when set, publishes the answer (Markdown) to a
	// question on behalf of staffID: on the site and as a reply from the
	// language actor (federation). Without it the desk cannot answer.
	AnswerQuestion func(ctx context.Context, staffID, id int64, markdown string) error

	// SummariesOpen says that mail can be sent, so that members may choose
	// mail summaries of what awaits them (package mail sends them).
	SummariesOpen bool

	// SaveProfile, when set, saves a language actor's profile on behalf of
	// staffID, logged, and sends an Update of the actor to its followers in
	// the same transaction (federation). Without it the profile is only
	// stored.
	SaveProfile func(ctx context.Context, staffID int64, p *content.ActorProfile) error

	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is the staff desk, an http.Handler for the paths under /desk.
type Server struct {
	cfg      Config
	store    *store.Store
	logger   *slog.Logger
	tmpl     *templates
	sessions *scs.SessionManager
	limits   limits
	// crossOrigin is the first layer of CSRF protection (csrf.go).
	crossOrigin *http.CrossOriginProtection
	handler     http.Handler
}

// New builds the desk. It parses every template once and fails if any is
// broken.
func New(cfg Config, st *store.Store, logger *slog.Logger) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	crossOrigin, err := newCrossOriginProtection(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	s := &Server{
		crossOrigin: crossOrigin,
		cfg:         cfg,
		store:       st,
		logger:      logger.With("component", "desk"),
		tmpl:        tmpl,
		limits:      newLimits(cfg.Now),
	}
	s.sessions = scs.New()
	s.sessions.Store = pgxstore.NewWithCleanupInterval(st.Pool(), 30*time.Minute)
	s.sessions.Lifetime = 12 * time.Hour
	s.sessions.IdleTimeout = 2 * time.Hour
	s.sessions.Cookie.Name = "samizdat_desk"
	s.sessions.Cookie.Path = "/desk"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = cfg.BaseURL.Scheme == "https"
	// A session that cannot be read or saved (the database away) gets the
	// desk's error page, 503 with Retry-After then, not scs's bare 500.
	s.sessions.ErrorFunc = s.sessionFail
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP makes the desk an http.Handler. It routes full paths
// ("/desk/login"); Mount registers it on a parent router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// hasLang reports whether lang is a configured language.
func (s *Server) hasLang(lang string) bool {
	for _, l := range s.cfg.Languages {
		if l == lang {
			return true
		}
	}
	return false
}
