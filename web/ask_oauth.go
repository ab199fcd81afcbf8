package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"samizdat/content"
	"samizdat/content/store"
)

// Signing in for "Ask" at the reader's own instance
// (docs/federation.md#ask-questions): Mastodon's OAuth apps API with the
// read:accounts scope only, or Misskey's MiAuth where that API is missing.
// The access token is used once, to learn who signed in, and forgotten;
// nothing is ever posted on the reader's behalf.

const askScope = "read:accounts"

// errInstance says the reader's instance could not be used for signing in.
var errInstance = errors.New("web: ask: instance")

// parseHandle reads "@user@host", "user@host", "host" or an https URL into
// a host (and port), lowercased.
func parseHandle(input string) (string, bool) {
	s := strings.TrimSpace(input)
	if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		s = u.Host
	}
	s = strings.TrimPrefix(s, "@")
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.ToLower(strings.TrimSuffix(s, "/"))
	if s == "" || len(s) > 253 || strings.ContainsAny(s, " /?#\\") {
		return "", false
	}
	name := s
	if h, _, err := net.SplitHostPort(s); err == nil {
		name = h
	}
	if _, err := netip.ParseAddr(name); err != nil && !strings.Contains(name, ".") {
		return "", false
	}
	return s, true
}

// instanceBase is an instance's address: https, or http for a loopback
// host (development and tests), as federation's remote interaction does.
func instanceBase(host string) string {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if a, err := netip.ParseAddr(name); (err == nil && a.IsLoopback()) || name == "localhost" {
		return "http://" + host
	}
	return "https://" + host
}

// callbackURL is where an instance sends the reader back, in lang.
func (s *Server) callbackURL(lang string) string { return s.absURL("/" + lang + "/ask/callback") }

// askApp returns the application registered at host, registering it on
// first use: a Mastodon-compatible one, or a MiAuth marker when the
// instance has no apps API.
func (s *Server) askApp(ctx context.Context, host string) (*store.AskApp, error) {
	app, err := s.store.AskApp(ctx, host)
	if err == nil || !errors.Is(err, content.ErrNotFound) {
		return app, err
	}
	var uris []string
	for _, l := range s.cfg.Languages {
		uris = append(uris, s.callbackURL(l))
	}
	form := url.Values{
		"client_name":   {s.cfg.PublicationName},
		"redirect_uris": {strings.Join(uris, "\n")},
		"scopes":        {askScope},
		"website":       {s.absURL("/")},
	}
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	status, err := s.askCall(ctx, http.MethodPost, instanceBase(host)+"/api/v1/apps", form, "", &reg)
	switch {
	case err == nil && reg.ClientID != "" && reg.ClientSecret != "":
		return s.store.SaveAskApp(ctx, &store.AskApp{Instance: host, Kind: "mastodon", ClientID: reg.ClientID, ClientSecret: reg.ClientSecret})
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		// No apps API: Misskey and its forks, which speak MiAuth.
		if _, err := s.askCall(ctx, http.MethodPost, instanceBase(host)+"/api/meta", url.Values{}, "", &struct{}{}); err != nil {
			return nil, fmt.Errorf("%w: %s has neither the apps API nor MiAuth: %w", errInstance, host, err)
		}
		return s.store.SaveAskApp(ctx, &store.AskApp{Instance: host, Kind: "misskey"})
	case err != nil:
		return nil, err
	}
	return nil, fmt.Errorf("%w: %s registered no client", errInstance, host)
}

// authorizeURL is where the reader is sent to sign in; state is the
// value the callback must bring back (MiAuth's session id for Misskey).
func (s *Server) authorizeURL(app *store.AskApp, lang, state string) string {
	base := instanceBase(app.Instance)
	if app.Kind == "misskey" {
		return base + "/miauth/" + url.PathEscape(state) + "?" + url.Values{
			"name": {s.cfg.PublicationName}, "callback": {s.callbackURL(lang)}, "permission": {"read:account"},
		}.Encode()
	}
	return base + "/oauth/authorize?" + url.Values{
		"client_id": {app.ClientID}, "redirect_uri": {s.callbackURL(lang)}, "response_type": {"code"},
		"scope": {askScope}, "state": {state},
	}.Encode()
}

// askAccount is who signed in.
type askAccount struct {
	Acct string // user@host
}

// exchange turns the callback's code (or MiAuth session) into the account
// that signed in.
func (s *Server) exchange(ctx context.Context, app *store.AskApp, lang, code string) (*askAccount, error) {
	base := instanceBase(app.Instance)
	host := app.Instance // with its port, which only development instances have
	if app.Kind == "misskey" {
		var res struct {
			OK    bool   `json:"ok"`
			Token string `json:"token"`
			User  struct {
				Username string `json:"username"`
			} `json:"user"`
		}
		if _, err := s.askCall(ctx, http.MethodPost, base+"/api/miauth/"+url.PathEscape(code)+"/check", url.Values{}, "", &res); err != nil {
			return nil, err
		}
		if !res.OK || res.User.Username == "" {
			return nil, fmt.Errorf("%w: MiAuth session not granted", errInstance)
		}
		return &askAccount{Acct: res.User.Username + "@" + host}, nil
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_, err := s.askCall(ctx, http.MethodPost, base+"/oauth/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "redirect_uri": {s.callbackURL(lang)}, "scope": {askScope},
	}, "", &tok)
	if err != nil {
		return nil, err
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("%w: no access token", errInstance)
	}
	var acct struct {
		Username string `json:"username"`
		Acct     string `json:"acct"`
	}
	if _, err := s.askCall(ctx, http.MethodGet, base+"/api/v1/accounts/verify_credentials", nil, tok.AccessToken, &acct); err != nil {
		return nil, err
	}
	user := acct.Username
	if user == "" || strings.Contains(acct.Acct, "@") {
		return nil, fmt.Errorf("%w: verify_credentials named no local account", errInstance)
	}
	return &askAccount{Acct: user + "@" + host}, nil
}

// askCall sends a request to an instance and decodes its JSON answer into
// out. form is sent as the body of a POST (Misskey wants JSON: an empty
// object). It returns the answer's status.
func (s *Server) askCall(ctx context.Context, method, u string, form url.Values, token string, out any) (int, error) {
	var body io.Reader
	ct := ""
	if method == http.MethodPost {
		if strings.Contains(u, "/api/miauth/") || strings.HasSuffix(u, "/api/meta") {
			body, ct = strings.NewReader("{}"), "application/json"
		} else {
			body, ct = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errInstance, err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.cfg.AskClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errInstance, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%w: %w", errInstance, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%w: %s %s: status %d", errInstance, method, u, resp.StatusCode)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return resp.StatusCode, fmt.Errorf("%w: %s: %w", errInstance, u, err)
	}
	return resp.StatusCode, nil
}
