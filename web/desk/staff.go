package desk

import (
	"errors"
	"net/http"
	"slices"
	"unicode/utf8"

	"samizdat/content"
)

// minPasswordLen is the shortest password an admin may set for someone.
const minPasswordLen = 10

// staffListPage is the data of templates/staff.html: the staff, and the form to
// add someone.
type staffListPage struct {
	deskPage
	Members []staffRow
	Form    staffForm
	Roles   []roleChoice
	Errors  formErrors
	Created *createdAccount // shown once, right after an account is made
	// RequireTOTP is whether every member must sign in with a second factor.
	RequireTOTP bool
}

type staffRow struct {
	ID          int64
	DisplayName string
	Email       string
	Roles       string
	Since       string
	Disabled    bool
	HasTOTP     bool
}

// staffForm is the new-account form as typed. The password is never sent
// back into the form.
type staffForm struct {
	Email       string
	DisplayName string
	Roles       []string
}

type roleChoice struct {
	Role    content.Role
	Label   string
	Hint    string
	Checked bool
}

// createdAccount is the account just made, with the password when it was
// generated: the only time anyone sees it.
type createdAccount struct {
	DisplayName string
	Email       string
	Password    string
}

var roleHints = map[content.Role]string{
	content.RoleAdmin:     "manages staff accounts",
	content.RoleEditor:    "writes, publishes and withdraws stories",
	content.RoleModerator: "curates replies and reads submissions",
}

func (s *Server) handleStaffList(w http.ResponseWriter, r *http.Request) {
	s.renderStaff(w, r, http.StatusOK, staffForm{Roles: []string{string(content.RoleEditor)}}, nil, nil)
}

func (s *Server) renderStaff(w http.ResponseWriter, r *http.Request, status int, f staffForm, errs map[string]string, created *createdAccount) {
	members, err := s.store.StaffList(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := staffListPage{deskPage: s.deskPage(r, "Staff", "staff"), Form: f, Errors: errs, Created: created}
	for _, m := range members {
		p.Members = append(p.Members, staffRowOf(m))
	}
	if p.RequireTOTP, err = s.totpRequired(r.Context()); err != nil {
		s.deskFail(w, r, err)
		return
	}
	for _, role := range content.Roles {
		p.Roles = append(p.Roles, roleChoice{Role: role, Label: capitalize(string(role)), Hint: roleHints[role], Checked: slices.Contains(f.Roles, string(role))})
	}
	s.render(w, r, status, "staff.html", p)
}

// handleStaffCreate adds a staff account. With the password left empty, one
// is generated and shown on the page this request answers with, not through
// a redirect and a flash message, so it is never written to the session
// store.
func (s *Server) handleStaffCreate(w http.ResponseWriter, r *http.Request) {
	f := staffForm{Email: r.PostFormValue("email"), DisplayName: r.PostFormValue("display_name"), Roles: r.PostForm["roles"]}
	password := r.PostFormValue("password")
	m := &content.Staff{Email: f.Email, DisplayName: f.DisplayName}
	for _, role := range f.Roles {
		m.Roles = append(m.Roles, content.Role(role))
	}

	var v content.ValidationError
	for field, msg := range fieldErrors(m.Validate()) {
		v.Add(field, msg)
	}
	generated := password == ""
	switch {
	case generated:
		password = GeneratePassword()
	case utf8.RuneCountInString(password) < minPasswordLen:
		v.Add("password", "Use at least 10 characters, or leave it empty to have one generated.")
	case len(password) > maxPasswordLen:
		v.Add("password", "Use at most 1024 characters.")
	}
	if v.Err() != nil {
		s.renderStaff(w, r, http.StatusUnprocessableEntity, f, v.Fields, nil)
		return
	}

	hash, err := HashPassword(password)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	m.PasswordHash = hash
	if err := s.store.CreateStaff(r.Context(), m); err != nil {
		if errors.Is(err, content.ErrConflict) {
			s.renderStaff(w, r, http.StatusUnprocessableEntity, f, map[string]string{"email": "Someone on the staff already has this email address."}, nil)
			return
		}
		if errs := fieldErrors(err); errs != nil {
			s.renderStaff(w, r, http.StatusUnprocessableEntity, f, errs, nil)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	if !generated {
		s.flash(r, "The account of "+m.DisplayName+" is created.")
		seeOther(w, r, "/desk/staff/")
		return
	}
	created := &createdAccount{DisplayName: m.DisplayName, Email: m.Email, Password: password}
	s.renderStaff(w, r, http.StatusCreated, staffForm{Roles: []string{string(content.RoleEditor)}}, nil, created)
}
