package web

import "net/http"

// Stubs: the desk's handlers are written in desk_*.go files as they come.

type deskRole int

const (
	roleAdmin deskRole = iota
	roleEditor
	roleModeratorOrEditor
)

func (s *Server) csrf(next http.Handler) http.Handler         { return next }
func (s *Server) requireStaff(next http.Handler) http.Handler { return next }
func (s *Server) requireRole(role deskRole, h http.HandlerFunc) http.HandlerFunc {
	return h
}
func (s *Server) requireRoleMW(role deskRole) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return next }
}
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request)          { s.notFound(w, r) }
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request)              { s.notFound(w, r) }
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request)             { s.notFound(w, r) }
func (s *Server) handleDeskHome(w http.ResponseWriter, r *http.Request)           { s.notFound(w, r) }
func (s *Server) handleSubmissionList(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) handleSubmissionView(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) handleStoryList(w http.ResponseWriter, r *http.Request)          { s.notFound(w, r) }
func (s *Server) handleStoryNew(w http.ResponseWriter, r *http.Request)           { s.notFound(w, r) }
func (s *Server) handleStoryCreate(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) handleStoryEdit(w http.ResponseWriter, r *http.Request)          { s.notFound(w, r) }
func (s *Server) handleStoryUpdate(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) handleCoverUpload(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) handleTranslationEdit(w http.ResponseWriter, r *http.Request)    { s.notFound(w, r) }
func (s *Server) handleTranslationSave(w http.ResponseWriter, r *http.Request)    { s.notFound(w, r) }
func (s *Server) handleTranslationPreview(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) handleTranslationState(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) handleStaffList(w http.ResponseWriter, r *http.Request)          { s.notFound(w, r) }
func (s *Server) handleStaffCreate(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
