package desk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/clientaddr"
)

// Sign-in throttling (throttle.go). Failures are counted per client and per
// account from one client, never per account alone: whoever hammers an
// account slows down only their own attempts, and its owner signs in from
// anywhere else as usual. A newsroom may share one address, hence the larger
// allowance per client. The per-client limit also guards the password hash's
// cost (argon2id, 19 MiB a try).
const (
	loginPerAccount = 5                // failures from one client before the delays grow
	loginPerClient  = 20               // failures from one client, over every account
	loginBase       = 30 * time.Second // the first delay, doubling with each failure
	loginMost       = time.Hour        // the longest delay
	maxEmailLen     = 254
	maxPasswordLen  = 1024
	maxCodeLen      = 64
	loginFailed     = "The email address, the password or the code is not right."
	loginDisabled   = "This account is disabled. Ask an admin if you should still have one."
)

// limits are the sign-in's throttles, keyed by client as clientaddr finds
// it behind trusted proxies.
type limits struct {
	account *throttle // by account and client
	client  *throttle // by client
}

func newLimits(now func() time.Time) limits {
	return limits{
		account: newThrottle(loginPerAccount, loginBase, loginMost, now),
		client:  newThrottle(loginPerClient, loginBase/2, loginMost, now),
	}
}

// deskRole is what a group of desk routes requires.
type deskRole int

const (
	roleAdmin             deskRole = iota // staff accounts
	roleEditor                            // stories: write, publish, withdraw
	roleModeratorOrEditor                 // submissions from "Tell your story"
	roleEditorOrAdmin                     // the language actors' profiles
)

// allows reports whether a staff member holds what role requires. Roles do
// not imply one another: an admin who should also publish is given the
// editor role too.
func (role deskRole) allows(m *content.Staff) bool {
	switch role {
	case roleAdmin:
		return m.Has(content.RoleAdmin)
	case roleEditor:
		return m.Has(content.RoleEditor)
	case roleModeratorOrEditor:
		return m.Has(content.RoleModerator) || m.Has(content.RoleEditor)
	case roleEditorOrAdmin:
		return m.Has(content.RoleEditor) || m.Has(content.RoleAdmin)
	}
	return false
}

type staffKey struct{}

// staffFrom returns the signed-in staff member that requireStaff put in ctx,
// or nil.
func staffFrom(ctx context.Context) *content.Staff {
	m, _ := ctx.Value(staffKey{}).(*content.Staff)
	return m
}

// requireStaff lets through only requests from a signed-in staff member,
// whom it loads afresh on every request so that a removed account or a
// changed role takes effect at once. Others are sent to the login form.
func (s *Server) requireStaff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := s.sessions.GetInt64(ctx, sessionStaffID)
		if id == 0 {
			s.toLogin(w, r)
			return
		}
		m, err := s.sessionStaff(ctx, id)
		if errors.Is(err, content.ErrNotFound) {
			if err := s.sessions.Destroy(ctx); err != nil {
				s.deskFail(w, r, err)
				return
			}
			s.toLogin(w, r)
			return
		}
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		if !m.HasTOTP() && !enrolmentPath(r.URL.Path) {
			required, err := s.totpRequired(ctx)
			if err != nil {
				s.deskFail(w, r, err)
				return
			}
			if required {
				s.flash(r, "Set up two-factor sign-in to go on: the publication asks it of all staff.")
				http.Redirect(w, r, "/desk/account/totp", http.StatusSeeOther)
				return
			}
		}
		// The store logs the writes done under this context as m's.
		ctx = store.WithStaff(context.WithValue(ctx, staffKey{}, m), m.ID)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// toLogin sends a visitor without a session to the login form, remembering
// the page they asked for when it is one they could simply load again.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.deskError(w, r, http.StatusForbidden, "You are not signed in, or your session has ended. Sign in again.")
		return
	}
	http.Redirect(w, r, "/desk/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// requireRole wraps one handler so that only staff holding role reach it.
func (s *Server) requireRole(role deskRole, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if m := staffFrom(r.Context()); m == nil || !role.allows(m) {
			s.deskError(w, r, http.StatusForbidden, "")
			return
		}
		h(w, r)
	}
}

// requireRoleMW is requireRole as middleware for a group of routes.
func (s *Server) requireRoleMW(role deskRole) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return s.requireRole(role, next.ServeHTTP)
	}
}

// loginPage is the data of templates/login.html.
type loginPage struct {
	deskPage
	Email string
	Next  string
	Error string
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if s.sessions.GetInt64(r.Context(), sessionStaffID) != 0 {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	p := loginPage{deskPage: s.deskPage(r, "Sign in", ""), Next: next}
	s.render(w, r, http.StatusOK, "login.html", p)
}

// dummyHash is checked against when nobody has the email given, so that an
// unknown address takes about as long to refuse as a wrong password and the
// response time does not tell which addresses have accounts.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(GeneratePassword())
	if err != nil {
		panic("web: cannot hash a password: " + err.Error())
	}
	return h
})

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	code := strings.TrimSpace(r.PostFormValue("code"))
	next := safeNext(r.PostFormValue("next"))
	p := loginPage{deskPage: s.deskPage(r, "Sign in", ""), Email: email, Next: next}
	if len(email) > maxEmailLen {
		email = email[:maxEmailLen]
	}
	if len(code) > maxCodeLen {
		code = ""
	}

	client := clientaddr.Key(r)
	if d := s.limits.client.wait(client); d > 0 {
		s.loginTooMany(w, r, p, d)
		return
	}
	m, err := s.store.StaffByEmail(ctx, email)
	if errors.Is(err, content.ErrNotFound) {
		m, err = nil, nil
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	// A valid second factor lets its holder past the throttle of their
	// account from this client: it is checked first, cheaply, and a wrong
	// code goes through the throttle like any other attempt.
	var step int64
	secondOK := false
	if m != nil && m.HasTOTP() && code != "" {
		step, secondOK = checkTOTP(m.TOTPSecret, code, s.cfg.Now())
	}
	account := strings.ToLower(email) + "\x00" + client
	if !secondOK {
		if d := s.limits.account.wait(account); d > 0 {
			s.loginTooMany(w, r, p, d)
			return
		}
	}

	ok, detail, err := s.checkLogin(ctx, m, password, code, step, secondOK)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	if !ok {
		s.limits.account.fail(account)
		s.limits.client.fail(client)
		p.Error = loginFailed
		s.render(w, r, http.StatusUnauthorized, "login.html", p)
		return
	}
	s.limits.account.reset(account)
	if m.Disabled() {
		p.Error = loginDisabled
		s.render(w, r, http.StatusForbidden, "login.html", p)
		return
	}

	// A new token on every privilege change stops session fixation; the CSRF
	// token of the anonymous session is replaced with it.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessionStaffID, m.ID)
	s.sessions.Put(ctx, sessionCSRF, newCSRFToken())
	if err := s.store.AddStaffSession(ctx, m.ID, s.sessions.Token(ctx)); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if err := s.store.LogStaff(ctx, nil, m.ID, store.ActionLogin, "", detail); err != nil {
		s.deskFail(w, r, err)
		return
	}
	seeOther(w, r, next)
}

// loginTooMany answers a throttled sign-in with how long to wait.
func (s *Server) loginTooMany(w http.ResponseWriter, r *http.Request, p loginPage, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(int((d+time.Second-1)/time.Second), 1)))
	p.Error = "Too many failed sign-in attempts from here. Wait " + waitText(d) + ", then try again."
	s.render(w, r, http.StatusTooManyRequests, "login.html", p)
}

// waitText says d in words, rounded up to a whole second or minute.
func waitText(d time.Duration) string {
	if d <= time.Minute {
		n := max(int((d+time.Second-1)/time.Second), 1)
		if n == 1 {
			return "a second"
		}
		return strconv.Itoa(n) + " seconds"
	}
	return strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + " minutes"
}

// checkLogin checks password against m's hash, and for a member with a
// second factor, the code: a TOTP code of step already checked (secondOK),
// or else a recovery code. Unknown addresses and wrong passwords both give
// ok false after one argon2id computation. detail says how the second
// factor was given, for the audit log.
func (s *Server) checkLogin(ctx context.Context, m *content.Staff, password, code string, step int64, secondOK bool) (ok bool, detail string, err error) {
	if m == nil || len(password) > maxPasswordLen {
		CheckPassword(dummyHash(), password[:min(len(password), maxPasswordLen)]) //nolint:errcheck // only spends the time
		return false, "", nil
	}
	ok, err = CheckPassword(m.PasswordHash, password)
	if err != nil {
		// A broken hash in the database is ours to fix; the person only
		// learns that the login failed.
		s.logger.Error("staff password hash unreadable", "err", err, "staff_id", m.ID)
		return false, "", nil
	}
	if !ok || !m.HasTOTP() {
		return ok, "", nil
	}
	switch {
	case secondOK:
		ok, err = s.store.UseTOTPStep(ctx, m.ID, step)
		return ok, "with a code", err
	case looksLikeRecoveryCode(code):
		ok, err = s.store.UseRecoveryCode(ctx, m.ID, recoveryHash(code))
		return ok, "with a recovery code", err
	}
	return false, "", nil
}

// handleLogout ends the session. It is a POST, so it carries a CSRF token
// and no other site can sign a staff member out.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.store.LogStaff(r.Context(), nil, staffFrom(r.Context()).ID, store.ActionLogout, "", ""); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if err := s.store.ForgetStaffSession(r.Context(), s.sessions.Token(r.Context())); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "You are signed out.")
	seeOther(w, r, "/desk/login")
}

// handleDeskHome sends staff to the page their roles make most useful.
func (s *Server) handleDeskHome(w http.ResponseWriter, r *http.Request) {
	m := staffFrom(r.Context())
	switch {
	case roleEditor.allows(m):
		http.Redirect(w, r, "/desk/stories/", http.StatusSeeOther)
	case roleModeratorOrEditor.allows(m):
		http.Redirect(w, r, "/desk/submissions", http.StatusSeeOther)
	case roleAdmin.allows(m):
		http.Redirect(w, r, "/desk/staff/", http.StatusSeeOther)
	default:
		s.deskError(w, r, http.StatusForbidden, "Your account has no role yet. Ask an admin to give you one.")
	}
}

// safeNext returns where to go after signing in: a desk path from the login
// form's next parameter, or the desk's home. Anything else (another host, a
// scheme-relative "//host" or a backslash trick) is ignored, so the login
// form cannot be used as an open redirect.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/desk/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") || strings.HasPrefix(next, "/desk/login") {
		return "/desk/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/desk/"
	}
	return next
}
