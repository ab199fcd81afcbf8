package desk

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// What readers send from the site's forms ("Tell your story", "Join the
// team") is archived or deleted here, and deleted anyway once older than
// the retention period set on the volunteers page.

const volunteersPerPage = 50

// volunteerListPage is the data of templates/volunteers.html.
type volunteerListPage struct {
	deskPage
	Archived      bool
	Volunteers    []volunteerRow
	RetentionDays int
	PrevURL       string
	NextURL       string
}

type volunteerRow struct {
	ID       int64
	Roles    string
	Contact  string
	Excerpt  string
	Received string
	Unread   bool
}

// volunteerPage is the data of templates/volunteer.html.
type volunteerPage struct {
	deskPage
	V        *content.Volunteer
	Roles    string
	LangName string
	Received string
}

// roleNames are the desk's names of the roles volunteers offer.
var roleNames = map[string]string{
	"writer": "writing", "editor": "editing", "translator": "translating",
	"social": "social media", "fundraising": "fundraising", "other": "something else",
}

func rolesText(roles []string) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = roleNames[r]
	}
	return strings.Join(names, ", ")
}

// handleVolunteerList lists offers from "Join the team", unread first.
func (s *Server) handleVolunteerList(w http.ResponseWriter, r *http.Request) {
	n := pageParam(r)
	archived := r.URL.Query().Get("archived") == "1"
	vs, err := s.store.Volunteers(r.Context(), archived, volunteersPerPage+1, (n-1)*volunteersPerPage)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	days, err := s.store.RetentionDays(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := volunteerListPage{deskPage: s.deskPage(r, "Volunteers", "volunteers"), Archived: archived, RetentionDays: days}
	base := "/desk/volunteers?"
	if archived {
		base += "archived=1&"
	}
	if len(vs) > volunteersPerPage {
		vs = vs[:volunteersPerPage]
		p.NextURL = fmt.Sprintf("%spage=%d", base, n+1)
	}
	if n > 1 {
		p.PrevURL = fmt.Sprintf("%spage=%d", base, n-1)
	}
	for _, v := range vs {
		p.Volunteers = append(p.Volunteers, volunteerRow{
			ID: v.ID, Roles: rolesText(v.Roles), Contact: v.Contact, Excerpt: serve.Shorten(v.Message, 120),
			Received: deskTime(v.CreatedAt), Unread: v.ReadAt.IsZero(),
		})
	}
	s.render(w, r, http.StatusOK, "volunteers.html", p)
}

// handleVolunteerView shows one offer and marks it read.
func (s *Server) handleVolunteerView(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	v, err := s.store.Volunteer(r.Context(), id)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	if v.ReadAt.IsZero() {
		if err := s.store.MarkVolunteerRead(r.Context(), id); err != nil {
			s.deskFail(w, r, err)
			return
		}
	}
	p := volunteerPage{deskPage: s.deskPage(r, fmt.Sprintf("Offer %d", v.ID), "volunteers"), V: v,
		Roles: rolesText(v.Roles), LangName: serve.LangName(v.Lang), Received: deskTime(v.CreatedAt)}
	s.render(w, r, http.StatusOK, "volunteer.html", p)
}

// intakeAction archives, brings back or deletes a submission or an offer,
// logged as the signed-in member's action.
func (s *Server) intakeAction(kind store.IntakeKind, list string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := idParam(r, "id")
		if !ok {
			s.deskError(w, r, http.StatusNotFound, "")
			return
		}
		action := r.PostFormValue("action")
		err := s.store.SetIntake(r.Context(), staffFrom(r.Context()).ID, kind, id, action)
		var ve *content.ValidationError
		if errors.As(err, &ve) {
			s.deskError(w, r, http.StatusBadRequest, "")
			return
		}
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		done := map[string]string{"archive": "archived", "unarchive": "brought back from the archive", "delete": "deleted"}[action]
		s.flash(r, fmt.Sprintf("%s %d %s.", strings.ToUpper(string(kind[:1]))+string(kind[1:]), id, done))
		seeOther(w, r, list)
	}
}

// handleRetentionSave sets how long submissions and offers are kept.
func (s *Server) handleRetentionSave(w http.ResponseWriter, r *http.Request) {
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("retention_days")))
	if err == nil {
		err = s.store.SetRetentionDays(r.Context(), staffFrom(r.Context()).ID, days)
	}
	var ve *content.ValidationError
	if err != nil && (errors.As(err, &ve) || errors.Is(err, strconv.ErrSyntax) || errors.Is(err, strconv.ErrRange)) {
		s.deskError(w, r, http.StatusBadRequest, "The retention period is a number of days between 1 and 3650.")
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, fmt.Sprintf("Submissions and offers are now kept for %d days.", days))
	seeOther(w, r, "/desk/volunteers")
}
