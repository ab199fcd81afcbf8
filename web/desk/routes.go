package desk

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// Mount registers the desk on r under /desk.
func (s *Server) Mount(r chi.Router) {
	h := serve.Detach(s)
	r.Handle("/desk", h)
	r.Handle("/desk/*", h)
}

// routes registers every route of the desk: its static files, then pages
// behind sessions, CSRF protection and roles.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, serve.LogRequests(s.logger), middleware.Recoverer, serve.SecurityHeaders)
	r.Use(serve.Compress)
	// Only /desk and what is under it reach the desk (Mount); a request for
	// anything else comes from a test or a mistake, and gets a plain 404.
	r.NotFound(http.NotFound)

	r.Route("/desk", func(r chi.Router) {
		r.Use(deskHeaders, guardSessionErrors, s.sessions.LoadAndSave, s.csrf)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) { s.deskError(w, r, http.StatusNotFound, "") })
		r.Get("/static/{hash}/*", s.handleStatic)
		r.Get("/login", s.handleLoginForm)
		r.Post("/login", s.handleLogin)
		r.Group(func(r chi.Router) {
			r.Use(s.requireStaff)
			r.Post("/logout", s.handleLogout)
			r.Get("/", s.handleDeskHome)
			r.Get("/submissions", s.requireRole(roleModeratorOrEditor, s.handleSubmissionList))
			r.Get("/submissions/{id}", s.requireRole(roleModeratorOrEditor, s.handleSubmissionView))
			r.Post("/submissions/{id}", s.requireRole(roleModeratorOrEditor, s.intakeAction(store.IntakeSubmission, "/desk/submissions")))
			r.Get("/volunteers", s.requireRole(roleModeratorOrEditor, s.handleVolunteerList))
			r.Get("/volunteers/{id}", s.requireRole(roleModeratorOrEditor, s.handleVolunteerView))
			r.Post("/volunteers/{id}", s.requireRole(roleModeratorOrEditor, s.intakeAction(store.IntakeVolunteer, "/desk/volunteers")))
			r.Post("/retention", s.requireRole(roleModeratorOrEditor, s.handleRetentionSave))
			r.Route("/questions", func(r chi.Router) {
				r.Use(s.requireRoleMW(roleEditor))
				r.Get("/", s.handleQuestionList)
				r.Post("/{id}", s.handleQuestionAction)
			})
			r.Route("/newsletter", func(r chi.Router) {
				r.Use(s.requireRoleMW(roleEditor))
				r.Get("/", s.handleNewsletter)
				r.Post("/", s.handleNewsletterSend)
			})
			r.Route("/stories", s.storyRoutes)
			r.Route("/pages", s.pageRoutes)
			r.Route("/navigation", s.navRoutes)
			r.Route("/team", s.teamRoutes)
			r.Post("/autosave", s.requireRole(roleEditor, s.handleAutosave))
			r.Post("/autosave/discard", s.requireRole(roleEditor, s.handleAutosaveDiscard))
			r.Route("/profiles", s.profileRoutes)
			r.Route("/moderation", s.moderationRoutes)
			r.Get("/audit", s.requireRole(roleAdmin, s.handleAuditLog))
			r.Route("/account", func(r chi.Router) {
				r.Get("/", s.handleAccount)
				r.Post("/password", s.handlePasswordChange)
				r.Post("/summary", s.handleSummaryChoice)
				r.Post("/sessions/{id}/end", s.handleSessionEnd)
				r.Get("/totp", s.handleTOTPForm)
				r.Get("/totp/qr.png", s.handleTOTPQR)
				r.Post("/totp", s.handleTOTPConfirm)
				r.Post("/totp/disable", s.handleTOTPDisable)
			})
			r.Route("/staff", func(r chi.Router) {
				r.Use(s.requireRoleMW(roleAdmin))
				r.Get("/", s.handleStaffList)
				r.Post("/", s.handleStaffCreate)
				r.Post("/settings", s.handleStaffSettings)
				r.Get("/{id}", s.handleMember)
				r.Post("/{id}/password", s.handleMemberPassword)
				r.Post("/{id}/disable", s.handleMemberDisable)
				r.Post("/{id}/delete", s.handleMemberDelete)
				r.Post("/{id}/totp/disable", s.handleMemberTOTPDisable)
				r.Post("/{id}/sessions/{sid}/end", s.handleMemberSessionEnd)
			})
		})
	})
	return r
}

// storyRoutes registers /desk/stories/…, for editors.
func (s *Server) storyRoutes(r chi.Router) {
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
	r.Get("/{id}/{lang}/withdraw", s.handleWithdrawConfirm)
	r.Post("/{id}/{lang}/images", s.handleTextImage)
	r.Get("/{id}/{lang}/revisions", s.handleRevisions)
	r.Get("/{id}/{lang}/revisions/{rev}", s.handleRevision)
	r.Post("/{id}/{lang}/revisions/{rev}/restore", s.handleRevisionRestore)
	r.Post("/{id}/{lang}/outdated/dismiss", s.handleOutdatedDismiss)
	r.Route("/{id}/{lang}/deliveries", func(r chi.Router) {
		r.Get("/", s.handleDeliveries)
		r.Post("/retry", s.handleDeliveriesRetry)
	})
}

// pageRoutes registers /desk/pages/…, the publication's static pages, for
// editors.
func (s *Server) pageRoutes(r chi.Router) {
	r.Use(s.requireRoleMW(roleEditor))
	r.Get("/", s.handlePageList)
	r.Get("/new", s.handlePageNew)
	r.Post("/", s.handlePageCreate)
	r.Get("/{id}/delete", s.handlePageDeleteConfirm)
	r.Post("/{id}/delete", s.handlePageDelete)
	r.Post("/{id}/team", s.handlePageTeam)
	r.Get("/{id}/{lang}", s.handlePageEdit)
	r.Post("/{id}/{lang}", s.handlePageSave)
	r.Post("/{id}/{lang}/preview", s.handlePagePreview)
	r.Post("/{id}/{lang}/state", s.handlePageState)
}

// moderationRoutes registers /desk/moderation/…, for moderators.
func (s *Server) moderationRoutes(r chi.Router) {
	r.Use(s.requireModerator)
	r.Get("/", s.handleModerationQueue)
	r.Post("/replies", s.handleReplyAction)
	r.Get("/replies/{id}/report", s.handleReportAuthorForm)
	r.Post("/replies/{id}/report", s.handleReportAuthor)
	r.Get("/policy", s.handlePolicyForm)
	r.Post("/policy", s.handlePolicySave)
	r.Post("/quote-policy", s.handleQuotePolicySave)
	r.Get("/quotes", s.handleQuotes)
	r.Post("/quotes/{id}/revoke", s.handleQuoteRevoke)
	r.Get("/blocks", s.handleBlocks)
	r.Post("/blocks", s.handleBlockAdd)
	r.Post("/blocks/lift", s.handleBlockLift)
	r.Get("/blocks/export.csv", s.handleBlocklistExport)
	r.Post("/blocks/import", s.handleBlocklistImport)
	r.Get("/flood", s.handleFlood)
	r.Post("/flood", s.handleFloodSave)
	r.Post("/flood/surge", s.handleSurge)
	r.Get("/reports", s.handleReports)
	r.Post("/reports/{id}/resolve", s.handleReportResolve)
	r.Get("/keywords", s.handleKeywords)
	r.Post("/keywords", s.handleKeywordAdd)
	r.Post("/keywords/{id}/remove", s.handleKeywordRemove)
	r.Get("/log", s.handleModerationLog)
}
