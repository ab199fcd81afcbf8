package desk

import (
	"fmt"
	"net/http"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

const submissionsPerPage = 50

// submissionListPage is the data of templates/submissions.html.
type submissionListPage struct {
	deskPage
	Archived    bool
	Submissions []submissionRow
	PrevURL     string
	NextURL     string
}

type submissionRow struct {
	ID       int64
	LangName string
	Name     string
	Excerpt  string
	Received string
	Unread   bool
}

// submissionPage is the data of templates/submission.html.
type submissionPage struct {
	deskPage
	Sub      *content.Submission
	LangName string
	Received string
}

// handleSubmissionList lists what readers sent through "Tell your story",
// unread first.
func (s *Server) handleSubmissionList(w http.ResponseWriter, r *http.Request) {
	n := pageParam(r)
	list := s.store.Submissions
	archived := r.URL.Query().Get("archived") == "1"
	if archived {
		list = s.store.ArchivedSubmissions
	}
	subs, err := list(r.Context(), submissionsPerPage+1, (n-1)*submissionsPerPage)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := submissionListPage{deskPage: s.deskPage(r, "Submissions", "submissions"), Archived: archived}
	base := "/desk/submissions?"
	if archived {
		base += "archived=1&"
	}
	if len(subs) > submissionsPerPage {
		subs = subs[:submissionsPerPage]
		p.NextURL = fmt.Sprintf("%spage=%d", base, n+1)
	}
	if n > 1 {
		p.PrevURL = fmt.Sprintf("%spage=%d", base, n-1)
	}
	for _, sub := range subs {
		p.Submissions = append(p.Submissions, submissionRow{
			ID:       sub.ID,
			LangName: serve.LangName(sub.Lang),
			Name:     sub.Name,
			Excerpt:  serve.Shorten(sub.Story, 160),
			Received: deskTime(sub.CreatedAt),
			Unread:   sub.ReadAt.IsZero(),
		})
	}
	s.render(w, r, http.StatusOK, "submissions.html", p)
}

// handleSubmissionView shows one submission and marks it read.
func (s *Server) handleSubmissionView(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	sub, err := s.store.Submission(r.Context(), id)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	if sub.ReadAt.IsZero() {
		if err := s.store.MarkSubmissionRead(r.Context(), id); err != nil {
			s.deskFail(w, r, err)
			return
		}
	}
	title := fmt.Sprintf("Submission %d", sub.ID)
	p := submissionPage{deskPage: s.deskPage(r, title, "submissions"), Sub: sub, LangName: serve.LangName(sub.Lang), Received: deskTime(sub.CreatedAt)}
	s.render(w, r, http.StatusOK, "submission.html", p)
}
