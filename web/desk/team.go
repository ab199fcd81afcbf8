package desk

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// teamRoutes registers /desk/team/…, the team page's list, for editors.
func (s *Server) teamRoutes(r chi.Router) {
	r.Use(s.requireRoleMW(roleEditor))
	r.Get("/", s.handleTeam)
	r.Post("/", s.handleTeamSave)
	r.Post("/{id}/remove", s.handleTeamRemove)
}

// teamPage is the data of templates/team.html.
type teamPage struct {
	deskPage
	Members []teamForm
	New     teamForm
	Errors  formErrors
	ErrorID int64 // the member whose form the errors belong to; 0 for the new one
	Pages   []navPageChoice
}

// teamForm is a member as typed, or as saved.
type teamForm struct {
	ID        int64
	Name      string
	Anonymous bool
	Link      string
	Photo     string // media URL of the current photo
	Roles     []navLabel
}

func (s *Server) teamFormOf(m *content.TeamMember) teamForm {
	f := teamForm{ID: m.ID, Name: m.Name, Anonymous: m.Anonymous, Link: m.Link}
	if m.Photo != "" {
		f.Photo = "/media/" + m.Photo
	}
	for _, l := range s.cfg.Languages {
		f.Roles = append(f.Roles, navLabel{Lang: l, Name: serve.LangName(l), Value: m.Roles[l]})
	}
	return f
}

func (s *Server) handleTeam(w http.ResponseWriter, r *http.Request) {
	s.renderTeam(w, r, http.StatusOK, nil, nil)
}

// renderTeam shows the list; typed, when not nil, is a form sent back with
// errs, in place of the member it edits (or of the new one).
func (s *Server) renderTeam(w http.ResponseWriter, r *http.Request, status int, typed *teamForm, errs formErrors) {
	members, err := s.store.TeamMembers(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := teamPage{deskPage: s.deskPage(r, "Team", "team"), Errors: errs}
	p.New = s.teamFormOf(&content.TeamMember{})
	for _, m := range members {
		f := s.teamFormOf(m)
		if typed != nil && typed.ID == m.ID {
			typed.Photo = f.Photo
			f = *typed
		}
		p.Members = append(p.Members, f)
	}
	if typed != nil && typed.ID == 0 {
		p.New = *typed
	}
	if typed != nil {
		p.ErrorID = typed.ID
	}
	s.render(w, r, status, "team.html", p)
}

// handleTeamSave adds a member or changes one (the form's id), with a new
// photo when one is sent: re-encoded as covers are, so nothing but pixels
// is kept. "remove_photo" takes the photo away.
func (s *Server) handleTeamSave(w http.ResponseWriter, r *http.Request) {
	if err := parseDeskBody(w, r); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.deskError(w, r, http.StatusRequestEntityTooLarge, "")
			return
		}
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	m := &content.TeamMember{ID: id, Roles: map[string]string{}}
	if id != 0 {
		members, err := s.store.TeamMembers(r.Context())
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		found := false
		for _, old := range members {
			if old.ID == id {
				*m, found = *old, true
			}
		}
		if !found {
			s.deskError(w, r, http.StatusNotFound, "")
			return
		}
	}
	m.Name, m.Anonymous, m.Link = r.PostFormValue("name"), r.PostFormValue("anonymous") == "yes", r.PostFormValue("link")
	m.Roles = map[string]string{}
	for _, l := range s.cfg.Languages {
		if v := r.PostFormValue("role_" + l); v != "" {
			m.Roles[l] = v
		}
	}
	typed := s.teamFormOf(m)
	typed.Photo = ""
	fail := func(status int, errs formErrors) { s.renderTeam(w, r, status, &typed, errs) }

	if r.PostFormValue("remove_photo") == "yes" {
		m.Photo = ""
	}
	if r.MultipartForm != nil && r.MultipartForm.File["photo"] != nil {
		data, status, msg := readImageFile(r, "photo")
		if msg != "" {
			if status == 0 {
				status = http.StatusUnprocessableEntity
			}
			fail(status, formErrors{"photo": msg})
			return
		}
		out, ext, err := reencodeImage(data)
		if err != nil {
			errs := fieldErrors(err)
			if msg, ok := errs["cover"]; ok {
				errs = formErrors{"photo": msg}
			}
			fail(http.StatusUnprocessableEntity, errs)
			return
		}
		if m.Photo, err = s.saveMedia(r.Context(), out, ext); err != nil {
			s.deskFail(w, r, err)
			return
		}
	}
	if err := s.store.SaveTeamMember(r.Context(), m); err != nil {
		if errs := fieldErrors(err); errs != nil {
			fail(http.StatusUnprocessableEntity, errs)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Saved. The team page shows it now.")
	seeOther(w, r, "/desk/team/")
}

func (s *Server) handleTeamRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	if err := s.store.RemoveTeamMember(r.Context(), id); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The member is off the list.")
	seeOther(w, r, "/desk/team/")
}

// teamFormArgs is what the desk-team-form template needs: the form, its
// errors when the page's errors are its own, and the CSRF token.
type teamFormArgs struct {
	F      teamForm
	Errors formErrors
	CSRF   string
}

func teamArgs(f teamForm, p teamPage) teamFormArgs {
	a := teamFormArgs{F: f, CSRF: p.CSRF}
	if f.ID == p.ErrorID {
		a.Errors = p.Errors
	}
	return a
}
