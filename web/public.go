package web

import "net/http"

// Stubs: the public site's handlers are written in public_*.go files as they come.

func (s *Server) requireLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
}
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
func (s *Server) handleRobots(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request)    { s.notFound(w, r) }
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request)      { s.notFound(w, r) }
func (s *Server) handleSection(w http.ResponseWriter, r *http.Request)    { s.notFound(w, r) }
func (s *Server) handleStory(w http.ResponseWriter, r *http.Request)      { s.notFound(w, r) }
func (s *Server) handleStoryLink(w http.ResponseWriter, r *http.Request)  { s.notFound(w, r) }
func (s *Server) handleTag(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) handleByline(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
func (s *Server) handleTellForm(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) handleTellSubmit(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
