package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// routes registers every route of the website and the desk.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.logRequests, middleware.Recoverer, securityHeaders)
	r.Use(middleware.Compress(5, "text/html", "text/css", "text/plain", "application/atom+xml", "application/xml", "image/svg+xml"))
	r.NotFound(s.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { s.errorStatus(w, r, http.StatusMethodNotAllowed) })

	// Public website: no sessions, no cookies. Every page answers HEAD as
	// it answers GET, without the body (render and writeBody leave it out).
	r.Group(func(r chi.Router) {
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
			get(r, "/s/{id}", s.handleStoryLink)
			get(r, "/tags/{tag}", s.handleTag)
			get(r, "/by/{byline}", s.handleByline)
			get(r, "/feed.atom", s.handleFeed)
			get(r, "/tell", s.handleTellForm)
			r.Post("/tell", s.handleTellSubmit)
			r.Post("/interact", s.handleInteract)
			get(r, "/{page:about|team|stance|privacy}", s.handlePage)
		})
	})

	// The staff desk: sessions, CSRF protection and roles.
	r.Route("/desk", func(r chi.Router) {
		r.Use(deskHeaders, s.sessions.LoadAndSave, s.csrf)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) { s.deskError(w, r, http.StatusNotFound, "") })
		r.Get("/login", s.handleLoginForm)
		r.Post("/login", s.handleLogin)
		r.Group(func(r chi.Router) {
			r.Use(s.requireStaff)
			r.Post("/logout", s.handleLogout)
			r.Get("/", s.handleDeskHome)
			r.Get("/submissions", s.requireRole(roleModeratorOrEditor, s.handleSubmissionList))
			r.Get("/submissions/{id}", s.requireRole(roleModeratorOrEditor, s.handleSubmissionView))
			r.Route("/stories", func(r chi.Router) {
				r.Use(s.requireRoleMW(roleEditor))
				r.Get("/", s.handleStoryList)
				r.Get("/new", s.handleStoryNew)
				r.Post("/", s.handleStoryCreate)
				r.Get("/{id}", s.handleStoryEdit)
				r.Post("/{id}", s.handleStoryUpdate)
				r.Post("/{id}/cover", s.handleCoverUpload)
				r.Post("/{id}/pin", s.handleStoryPin)
				r.Get("/{id}/{lang}", s.handleTranslationEdit)
				r.Post("/{id}/{lang}", s.handleTranslationSave)
				r.Post("/{id}/{lang}/preview", s.handleTranslationPreview)
				r.Post("/{id}/{lang}/state", s.handleTranslationState)
				r.Route("/{id}/{lang}/deliveries", s.deliveryRoutes)
			})
			r.Route("/moderation", s.moderationRoutes)
			r.Route("/staff", func(r chi.Router) {
				r.Use(s.requireRoleMW(roleAdmin))
				r.Get("/", s.handleStaffList)
				r.Post("/", s.handleStaffCreate)
			})
		})
	})
	return r
}
