package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"

	"samizdat/content"
	"samizdat/web/desk"
)

// moderator is a moderator at the desk, without a browser: a cookie jar
// and the CSRF token the desk's forms carry. The freshness check acts
// through it, as moderators do.
type moderator struct {
	base  string
	c     *http.Client
	token string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// newModerator adds a moderator to the database and logs them in.
func newModerator(ctx context.Context, db *database, base string) (*moderator, error) {
	password := desk.GeneratePassword()
	hash, err := desk.HashPassword(password)
	if err != nil {
		return nil, err
	}
	email := "moderator@bench.invalid"
	err = db.Store.CreateStaff(ctx, &content.Staff{Email: email, DisplayName: "Bench moderator", PasswordHash: hash, Roles: []content.Role{content.RoleModerator}})
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	m := &moderator{base: base, c: &http.Client{Jar: jar}}
	if err := m.readToken(ctx, "/desk/login"); err != nil {
		return nil, err
	}
	if at, err := m.post(ctx, "/desk/login", url.Values{"email": {email}, "password": {password}}); err != nil {
		return nil, err
	} else if strings.Contains(at, "/login") {
		return nil, fmt.Errorf("desk: the bench moderator could not log in")
	}
	return m, m.readToken(ctx, "/desk/moderation/")
}

// readToken reads the CSRF token of the form at path.
func (m *moderator) readToken(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := m.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	match := csrfField.FindSubmatch(b)
	if match == nil {
		return fmt.Errorf("desk: no CSRF token on %s (%d)", path, resp.StatusCode)
	}
	m.token = string(match[1])
	return nil
}

// post submits a desk form and returns the path its redirect led to.
func (m *moderator) post(ctx context.Context, path string, form url.Values) (string, error) {
	form.Set("csrf_token", m.token)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := m.c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 400 {
		return "", fmt.Errorf("desk: POST %s: %s", path, resp.Status)
	}
	return resp.Request.URL.Path, nil
}

// act approves, hides or unhides a reply, as the moderation queue's
// buttons do.
func (m *moderator) act(ctx context.Context, action string, replyID int64) error {
	id := fmt.Sprint(replyID)
	_, err := m.post(ctx, "/desk/moderation/replies", url.Values{
		"item": {action + ":" + id}, "reason-" + id: {"off topic"}, "back": {"/desk/moderation/"},
	})
	return err
}
