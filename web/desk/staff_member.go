package desk

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
)

// memberPage is the data of staff_member.html: one account, as an admin
// manages it.
type memberPage struct {
	deskPage
	Member      staffRow
	ID          int64
	Self        bool
	Disabled    bool
	HasTOTP     bool
	Sessions    []sessionRow
	NewPassword string // shown once, right after a reset
}

// member reads the staff member of the URL's {id}, answering 404 itself.
func (s *Server) member(w http.ResponseWriter, r *http.Request) (*content.Staff, bool) {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	m, err := s.store.StaffMember(r.Context(), id)
	if errors.Is(err, content.ErrNotFound) {
		s.deskError(w, r, http.StatusNotFound, "There is no such account.")
		return nil, false
	}
	if err != nil {
		s.deskFail(w, r, err)
		return nil, false
	}
	return m, true
}

func (s *Server) handleMember(w http.ResponseWriter, r *http.Request) {
	if m, ok := s.member(w, r); ok {
		s.renderMember(w, r, http.StatusOK, m, "")
	}
}

func (s *Server) renderMember(w http.ResponseWriter, r *http.Request, status int, m *content.Staff, password string) {
	sessions, err := s.sessionRows(r.Context(), m.ID)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := memberPage{
		deskPage: s.deskPage(r, m.DisplayName, "staff"),
		Member:   staffRowOf(m), ID: m.ID, Self: m.ID == staffFrom(r.Context()).ID,
		Disabled: m.Disabled(), HasTOTP: m.HasTOTP(), Sessions: sessions, NewPassword: password,
	}
	s.render(w, r, status, "staff_member.html", p)
}

func staffRowOf(m *content.Staff) staffRow {
	roles := make([]string, len(m.Roles))
	for i, role := range m.Roles {
		roles[i] = string(role)
	}
	return staffRow{ID: m.ID, DisplayName: m.DisplayName, Email: m.Email, Roles: strings.Join(roles, ", "),
		Since: deskTime(m.CreatedAt), Disabled: m.Disabled(), HasTOTP: m.HasTOTP()}
}

// handleMemberPassword resets another member's password to a generated one,
// shown once on the page this request answers with (never through the
// session), and ends their sessions.
func (s *Server) handleMemberPassword(w http.ResponseWriter, r *http.Request) {
	m, ok := s.member(w, r)
	if !ok {
		return
	}
	if m.ID == staffFrom(r.Context()).ID {
		s.deskError(w, r, http.StatusBadRequest, "Change your own password on your account page, with your current one.")
		return
	}
	password := GeneratePassword()
	hash, err := HashPassword(password)
	if err == nil {
		err = s.store.SetStaffPassword(r.Context(), m.ID, hash, "")
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.renderMember(w, r, http.StatusOK, m, password)
}

// lastAdmin reports whether taking m's account away would leave the
// publication without an admin who can sign in.
func (s *Server) lastAdmin(r *http.Request, m *content.Staff) (bool, error) {
	if !m.Has(content.RoleAdmin) || m.Disabled() {
		return false, nil
	}
	n, err := s.store.ActiveAdmins(r.Context())
	return n <= 1, err
}

// handleMemberDisable disables an account (its sessions end at once) or
// enables it again.
func (s *Server) handleMemberDisable(w http.ResponseWriter, r *http.Request) {
	m, ok := s.member(w, r)
	if !ok {
		return
	}
	disable := r.PostFormValue("disabled") == "on"
	if disable {
		if m.ID == staffFrom(r.Context()).ID {
			s.deskError(w, r, http.StatusBadRequest, "You cannot disable your own account.")
			return
		}
		if last, err := s.lastAdmin(r, m); err != nil || last {
			s.refuseLastAdmin(w, r, err)
			return
		}
	}
	if err := s.store.SetStaffDisabled(r.Context(), m.ID, disable); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if disable {
		s.flash(r, "The account of "+m.DisplayName+" is disabled, and signed out everywhere.")
	} else {
		s.flash(r, "The account of "+m.DisplayName+" may sign in again.")
	}
	seeOther(w, r, "/desk/staff/"+strconv.FormatInt(m.ID, 10))
}

func (s *Server) refuseLastAdmin(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.deskError(w, r, http.StatusConflict, "This is the last admin who can sign in. Make someone else an admin first.")
}

// handleMemberDelete deletes an account, once confirmed. The audit log
// keeps what it did, under its name.
func (s *Server) handleMemberDelete(w http.ResponseWriter, r *http.Request) {
	m, ok := s.member(w, r)
	if !ok {
		return
	}
	if m.ID == staffFrom(r.Context()).ID {
		s.deskError(w, r, http.StatusBadRequest, "You cannot delete your own account.")
		return
	}
	if r.PostFormValue("confirm") != "on" {
		s.deskError(w, r, http.StatusBadRequest, "Tick the box to confirm that the account should be deleted.")
		return
	}
	if last, err := s.lastAdmin(r, m); err != nil || last {
		s.refuseLastAdmin(w, r, err)
		return
	}
	if err := s.store.DeleteStaff(r.Context(), m.ID); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The account of "+m.DisplayName+" is deleted.")
	seeOther(w, r, "/desk/staff/")
}

// handleMemberTOTPDisable turns off a member's second factor, for someone
// who lost their phone and their recovery codes.
func (s *Server) handleMemberTOTPDisable(w http.ResponseWriter, r *http.Request) {
	m, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := s.store.DisableTOTP(r.Context(), m.ID); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Two-factor sign-in of "+m.DisplayName+" is off. They will be asked to set it up again if the publication requires it.")
	seeOther(w, r, "/desk/staff/"+strconv.FormatInt(m.ID, 10))
}

// handleMemberSessionEnd ends one of a member's sessions.
func (s *Server) handleMemberSessionEnd(w http.ResponseWriter, r *http.Request) {
	m, ok := s.member(w, r)
	if !ok {
		return
	}
	sid, _ := strconv.ParseInt(chi.URLParam(r, "sid"), 10, 64)
	err := s.store.EndStaffSession(r.Context(), m.ID, sid)
	if err != nil && !errors.Is(err, content.ErrNotFound) {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The session has ended.")
	seeOther(w, r, "/desk/staff/"+strconv.FormatInt(m.ID, 10))
}

// handleStaffSettings saves whether every staff member must sign in with a
// second factor.
func (s *Server) handleStaffSettings(w http.ResponseWriter, r *http.Request) {
	v := "off"
	if r.PostFormValue("require_totp") == "on" {
		v = "on"
	}
	if err := s.store.SetSetting(r.Context(), settingRequireTOTP, v); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if v == "on" {
		s.flash(r, "Two-factor sign-in is now required: staff without it are asked to set it up on their next page.")
	} else {
		s.flash(r, "Two-factor sign-in is now each member's choice.")
	}
	seeOther(w, r, "/desk/staff/")
}
