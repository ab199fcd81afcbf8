package federation

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// mounted are the paths under which routes registers its routes, for Mount.
// TestMount checks that they cover every route.
var mounted = []string{"/.well-known/*", "/nodeinfo/*", "/actor", "/actor/*", "/actors/*", "/inbox", "/ap/*"}

// Mount registers federation's ActivityPub and discovery routes on r, so
// that the program serves them without repeating their paths.
func (f *Federation) Mount(r chi.Router) {
	h := f.Handler()
	for _, pattern := range mounted {
		r.Handle(pattern, h)
	}
}

// routes registers every ActivityPub and discovery route. GET routes answer
// HEAD too: Mastodon's rel="me" check sends HEAD to the actor URL
// (docs/federation.md#profile-link-verification).
func (f *Federation) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, f.logRequests, middleware.Recoverer)
	r.NotFound(f.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	})
	get := func(r chi.Router, pattern string, h http.HandlerFunc) {
		r.Get(pattern, h)
		r.Head(pattern, h)
	}

	// With authorized fetch on, the documents wrapped in gated answer only
	// signed GETs; the actors answer unsigned ones with a stub
	// (docs/federation.md#authorized-fetch).
	r.Route("/.well-known", func(r chi.Router) {
		r.Use(cors)
		get(r, "/webfinger", f.handleWebFinger)
		get(r, "/host-meta", f.handleHostMeta)
		get(r, "/nodeinfo", f.handleNodeInfoLinks)
	})
	get(r, "/nodeinfo/{version:2\\.[01]}", f.handleNodeInfo)

	get(r, "/actor", f.handleInstanceActor)
	r.Post("/actor/inbox", f.countInbox)
	r.Post("/inbox", f.countInbox)
	r.Route("/actors/{lang}", func(r chi.Router) {
		get(r, "/", f.handleActor)
		get(r, "/{image:icon|header}.png", f.handleActorImage)
		r.Post("/inbox", f.countInbox)
		get(r, "/outbox", f.gated(false, f.handleOutbox))
		get(r, "/followers", f.gated(false, f.handleFollowers))
		get(r, "/following", f.gated(false, f.handleFollowing))
		get(r, "/featured", f.gated(false, f.handleFeatured))
	})
	r.Route("/ap/articles/{key}", func(r chi.Router) {
		get(r, "/", f.gated(true, f.handleArticle))
		get(r, "/replies", f.gated(false, f.handleReplies))
		get(r, "/likes", f.gated(false, f.handleLikes))
		get(r, "/shares", f.gated(false, f.handleShares))
		get(r, "/context", f.gated(false, f.handleContext))
	})
	get(r, "/ap/quotes/{key}", f.gated(false, f.handleQuoteAuthorization))
	get(r, "/ap/answers/{id}", f.gated(false, f.handleAnswer))
	return r
}

// pageRoutes are the website URLs that also answer ActivityPub.
func (f *Federation) pageRoutes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.NotFound(f.notFound)
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r.Method(m, "/{lang}", http.HandlerFunc(f.handleSectionAP))
		r.Method(m, "/{lang}/", http.HandlerFunc(f.handleSectionAP))
		r.Method(m, "/{lang}/stories/{slug}", f.gated(false, f.handleStoryAP))
	}
	return r
}

// detach gives our router a routing context of its own, so that it matches
// the full path instead of joining the parent's route; the patterns it
// matched are handed back to the parent's context, where the program's
// metrics read the route.
func detach(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner := chi.NewRouteContext()
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, inner)))
		if parent := chi.RouteContext(r.Context()); parent != nil {
			parent.RoutePatterns = append([]string(nil), inner.RoutePatterns...)
		}
	})
}

// cors lets browsers read discovery documents from other origins, as Mastodon
// and Misskey allow (docs/federation.md#webfinger-lookup, #well-known-cors):
// remote-interaction pages look up the reader's own server from the browser.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		next.ServeHTTP(w, r)
	})
}

// logRequests logs each request at debug level, and failures at info.
func (f *Federation) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := f.now()
		next.ServeHTTP(ww, r)
		level := slog.LevelDebug
		if ww.Status() >= 400 && ww.Status() != http.StatusNotFound {
			level = slog.LevelInfo
		}
		f.logger.Log(r.Context(), level, "request", "request_id", middleware.GetReqID(r.Context()),
			slog.Group("request", "method", r.Method, "path", r.URL.Path, "status", ww.Status(),
				"duration", f.now().Sub(start)))
	})
}
