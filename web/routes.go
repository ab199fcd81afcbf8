package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"samizdat/web/internal/serve"
)

// Mount registers the public site on r for every path no other package
// claims: the site answers whatever the desk and federation do not.
func (s *Server) Mount(r chi.Router) {
	r.Handle("/*", serve.Detach(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) })))
}

// Kept is middleware for the router the site is mounted on, first in
// line: it answers a request for a kept page the page watch vouches for
// before any routing, other middleware or handler, and passes on every
// other request (serveKept). Most of a reader's requests are for such
// pages.
func (s *Server) Kept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.serveKept(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// routes registers every route of the public website. It has no sessions
// and sets no cookies. Every page answers HEAD as it answers GET, without
// the body (render and writeBody leave it out).
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, serve.LogRequests(s.logger), middleware.Recoverer, serve.SecurityHeaders)
	r.Use(serve.Compress)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { s.errorStatus(w, r, http.StatusMethodNotAllowed) })

	get := func(r chi.Router, pattern string, h http.HandlerFunc) {
		r.Get(pattern, h)
		r.Head(pattern, h)
	}
	get(r, "/", s.handleHome)
	get(r, "/robots.txt", s.handleRobots)
	get(r, "/sitemap.xml", s.handleSitemap)
	get(r, "/static/{hash}/*", s.handleStatic)
	get(r, "/media/{file}", s.handleMedia)
	get(r, "/media/remote/{file}", s.handleRemoteMedia)
	r.Route("/{lang}", func(r chi.Router) {
		r.Use(s.requireLang)
		get(r, "/", s.handleSection)
		get(r, "/stories/{slug}", s.handleStory)
		get(r, "/stories/{slug}/", s.redirectNoSlash)
		get(r, "/s/{id}", s.handleStoryLink)
		get(r, "/tags/{tag}", s.handleTag)
		get(r, "/tags/{tag}/", s.redirectNoSlash)
		get(r, "/by/{byline}", s.handleByline)
		get(r, "/by/{byline}/", s.redirectNoSlash)
		get(r, "/feed.atom", s.handleFeed)
		get(r, "/search", s.handleSearch)
		get(r, "/tell", s.handleTellForm)
		r.Post("/tell", s.handleTellSubmit)
		get(r, "/ask", s.handleAsk)
		get(r, "/ask/callback", s.handleAskCallback)
		r.Post("/ask", s.handleAskSubmit)
		r.Post("/ask/signin", s.handleAskSignIn)
		r.Post("/ask/withdraw", s.handleAskWithdraw)
		r.Post("/ask/signout", s.handleAskSignOut)
		get(r, "/join", s.handleJoinForm)
		r.Post("/join", s.handleJoinSubmit)
		get(r, "/newsletter", s.handleNewsletterForm)
		r.Post("/newsletter", s.handleNewsletterSubscribe)
		get(r, "/newsletter/confirm", s.handleNewsletterConfirmPage)
		r.Post("/newsletter/confirm", s.handleNewsletterConfirm)
		get(r, "/newsletter/unsubscribe", s.handleNewsletterUnsubscribePage)
		r.Post("/newsletter/unsubscribe", s.handleNewsletterUnsubscribe)
		r.Post("/interact", s.handleInteract)
		get(r, "/{page}", s.handlePage)
		get(r, "/{page}/", s.redirectNoSlash)
	})
	return r
}
