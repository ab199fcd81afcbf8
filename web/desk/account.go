package desk

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/pquerna/otp"

	"samizdat/content"
)

// Session keys of the account pages.
const sessionTOTPPending = "totp_pending" // the otpauth:// address being set up

// settingRequireTOTP is the setting by which admins ask every staff member
// to sign in with a second factor ("on" or "off").
const settingRequireTOTP = "staff_require_totp"

// sessionStaff returns the staff member whose session this is, noting the
// session's use. An ended session, or a disabled account, is
// content.ErrNotFound: it is signed out at once.
func (s *Server) sessionStaff(ctx context.Context, id int64) (*content.Staff, error) {
	owner, err := s.store.TouchStaffSession(ctx, s.sessions.Token(ctx))
	if err != nil {
		return nil, err
	}
	if owner != id {
		return nil, content.ErrNotFound
	}
	m, err := s.store.StaffMember(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Disabled() {
		return nil, content.ErrNotFound
	}
	return m, nil
}

// enrolmentPath reports whether a signed-in member without a second factor
// may reach path while the publication requires one.
func enrolmentPath(path string) bool {
	return strings.HasPrefix(path, "/desk/account/totp") || path == "/desk/logout"
}

// totpRequired reports whether admins require a second factor of all staff.
func (s *Server) totpRequired(ctx context.Context) (bool, error) {
	v, err := s.store.Setting(ctx, settingRequireTOTP, "off")
	return v == "on", err
}

// accountPage is the data of account.html: one's own password, second
// factor and sessions.
type accountPage struct {
	deskPage
	HasTOTP       bool
	TOTPRequired  bool
	RecoveryLeft  int
	Sessions      []sessionRow
	Errors        formErrors
	RecoveryCodes []string // shown once, right after setting up the second factor
	// Summaries: whether mail summaries can be sent (SMTP is set) and
	// whether this member chose them (summary.go).
	SummariesOpen, SummaryOn bool
}

type sessionRow struct {
	ID       int64
	Created  string
	LastSeen string
	Current  bool
}

func (s *Server) sessionRows(ctx context.Context, staffID int64) ([]sessionRow, error) {
	list, err := s.store.StaffSessions(ctx, staffID)
	if err != nil {
		return nil, err
	}
	current := s.sessions.Token(ctx)
	var out []sessionRow
	for _, x := range list {
		out = append(out, sessionRow{ID: x.ID, Created: deskTime(x.CreatedAt), LastSeen: deskTime(x.LastSeenAt), Current: x.Token == current})
	}
	return out, nil
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, errs formErrors, codes []string) {
	ctx := r.Context()
	m := staffFrom(ctx)
	p := accountPage{deskPage: s.deskPage(r, "Your account", "account"), HasTOTP: m.HasTOTP(), Errors: errs, RecoveryCodes: codes}
	var err error
	if p.TOTPRequired, err = s.totpRequired(ctx); err == nil {
		if p.RecoveryLeft, err = s.store.RecoveryCodesLeft(ctx, m.ID); err == nil {
			p.Sessions, err = s.sessionRows(ctx, m.ID)
		}
	}
	if err == nil {
		p.SummariesOpen = s.cfg.SummariesOpen
		p.SummaryOn, err = s.store.StaffSummaryOn(ctx, m.ID)
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.render(w, r, status, "account.html", p)
}

// checkNewPassword says what is wrong with a password someone chose, if
// anything.
func checkNewPassword(v *content.ValidationError, field, password, confirm string) {
	switch {
	case utf8.RuneCountInString(password) < minPasswordLen:
		v.Add(field, "Use at least 10 characters.")
	case len(password) > maxPasswordLen:
		v.Add(field, "Use at most 1024 characters.")
	case password != confirm:
		v.Add("confirm", "The two new passwords are not the same.")
	}
}

// reauth checks the current password a signed-in member typed to confirm
// a change, throttled as sign-ins are, so that a session left open is no
// way to guess the password. It answers 429 itself and returns ok false
// when the member must wait.
func (s *Server) reauth(w http.ResponseWriter, r *http.Request, password string) (right, ok bool) {
	m := staffFrom(r.Context())
	key := "reauth\x00" + strconv.FormatInt(m.ID, 10)
	if d := s.limits.account.wait(key); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(max(int((d+time.Second-1)/time.Second), 1)))
		s.deskError(w, r, http.StatusTooManyRequests, "Too many wrong passwords. Wait "+waitText(d)+", then try again.")
		return false, false
	}
	right, _ = CheckPassword(m.PasswordHash, password)
	if right {
		s.limits.account.reset(key)
	} else {
		s.limits.account.fail(key)
	}
	return right, true
}

// handlePasswordChange changes one's own password: the current one is
// asked for, so that a session left open is not enough to take the account
// over. The member's other sessions end.
func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := staffFrom(ctx)
	var v content.ValidationError
	right, ok := s.reauth(w, r, r.PostFormValue("current"))
	if !ok {
		return
	}
	if !right {
		v.Add("current", "This is not your current password.")
	}
	password := r.PostFormValue("password")
	checkNewPassword(&v, "password", password, r.PostFormValue("confirm"))
	if v.Err() != nil {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, v.Fields, nil)
		return
	}
	hash, err := HashPassword(password)
	if err == nil {
		err = s.store.SetStaffPassword(ctx, m.ID, hash, s.sessions.Token(ctx))
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Your password is changed. Your other sessions have ended.")
	seeOther(w, r, "/desk/account/")
}

// handleSessionEnd ends one of one's own sessions.
func (s *Server) handleSessionEnd(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	err := s.store.EndStaffSession(r.Context(), staffFrom(r.Context()).ID, id)
	if errors.Is(err, content.ErrNotFound) {
		s.deskError(w, r, http.StatusNotFound, "This session has ended already.")
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The session has ended.")
	seeOther(w, r, "/desk/account/")
}

// totpPage is the data of totp.html: setting up the second factor.
type totpPage struct {
	deskPage
	Secret string // for typing into an app that cannot scan
	Error  string
}

// pendingKey returns the second factor being set up in this session,
// making a new one when there is none yet or fresh is true.
func (s *Server) pendingKey(r *http.Request, fresh bool) (*otp.Key, error) {
	ctx := r.Context()
	if u := s.sessions.GetString(ctx, sessionTOTPPending); u != "" && !fresh {
		return otp.NewKeyFromURL(u)
	}
	m := staffFrom(ctx)
	key, err := newTOTPKey(cmpOr(s.cfg.PublicationName, s.cfg.BaseURL.Host), m.Email)
	if err != nil {
		return nil, err
	}
	s.sessions.Put(ctx, sessionTOTPPending, key.URL())
	return key, nil
}

func (s *Server) handleTOTPForm(w http.ResponseWriter, r *http.Request) {
	key, err := s.pendingKey(r, true)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "totp.html", totpPage{deskPage: s.deskPage(r, "Two-factor sign-in", "account"), Secret: key.Secret()})
}

// handleTOTPQR serves the QR code of the second factor being set up, from
// the desk itself (never through another host: it holds the secret).
func (s *Server) handleTOTPQR(w http.ResponseWriter, r *http.Request) {
	if s.sessions.GetString(r.Context(), sessionTOTPPending) == "" {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	key, err := s.pendingKey(r, false)
	var png []byte
	if err == nil {
		png, err = totpQR(key)
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

// handleTOTPConfirm turns the second factor on once the member has typed a
// code their app shows, and shows their recovery codes, once.
func (s *Server) handleTOTPConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := staffFrom(ctx)
	if s.sessions.GetString(ctx, sessionTOTPPending) == "" {
		seeOther(w, r, "/desk/account/totp")
		return
	}
	key, err := s.pendingKey(r, false)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	step, ok := checkTOTP(key.Secret(), r.PostFormValue("code"), s.cfg.Now())
	if !ok {
		p := totpPage{deskPage: s.deskPage(r, "Two-factor sign-in", "account"), Secret: key.Secret(),
			Error: "This code is not right. Check your device's clock, and type the code the app shows now."}
		s.render(w, r, http.StatusUnprocessableEntity, "totp.html", p)
		return
	}
	codes, hashes := newRecoveryCodes()
	if err := s.store.EnableTOTP(ctx, m.ID, key.Secret(), step, hashes); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.sessions.Remove(ctx, sessionTOTPPending)
	m.TOTPSecret = key.Secret()
	s.renderAccount(w, r, http.StatusOK, nil, codes)
}

// handleTOTPDisable turns one's own second factor off, with the password,
// unless the publication requires it.
func (s *Server) handleTOTPDisable(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := staffFrom(ctx)
	required, err := s.totpRequired(ctx)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	if required {
		s.deskError(w, r, http.StatusForbidden, "The publication requires two-factor sign-in of all staff, so it stays on.")
		return
	}
	right, ok := s.reauth(w, r, r.PostFormValue("current"))
	if !ok {
		return
	}
	if !right {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, formErrors{"totp_current": "This is not your current password."}, nil)
		return
	}
	if err := s.store.DisableTOTP(ctx, m.ID); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Two-factor sign-in is off.")
	seeOther(w, r, "/desk/account/")
}
