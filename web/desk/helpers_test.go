package desk

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
	"samizdat/web"
	"samizdat/web/clientaddr"

	"github.com/go-chi/chi/v5"
)

// deskSite is the public site and the desk on their own database, mounted
// on one router as main mounts them, under httptest.NewServer, for tests
// that go through the desk as a browser would.
type deskSite struct {
	t     *testing.T
	store *store.Store
	srv   *Server
	site  *web.Server
	ts    *httptest.Server
}

// deskBaseURL is the site's configured address in desk tests. Plain http, so
// that the test client's cookie jar sends the session cookie to the loopback
// server; TestDesk_SessionCookie checks the https case.
const deskBaseURL = "http://desk.samizdat.test"

// testConfig is the desk's configuration in tests, for a publication in
// English, Russian and French.
func testConfig(t *testing.T, name string) Config {
	base, _ := url.Parse(deskBaseURL)
	return Config{BaseURL: base, Languages: []string{"en", "ru", "fr"}, PublicationName: name}
}

func newDeskSite(t *testing.T) *deskSite {
	t.Helper()
	return startDeskSite(t, storetest.New(t), testConfig(t, "Samizdat Desk Test"))
}

// startDeskSite builds the public site and the desk from cfg and serves
// them; the desk's previews come from the site, as in main.
func startDeskSite(t *testing.T, st *store.Store, cfg Config) *deskSite {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	site, err := web.New(web.Config{
		BaseURL:         cfg.BaseURL,
		Languages:       cfg.Languages,
		PublicationName: cfg.PublicationName,
		Now:             cfg.Now,
	}, st, logger)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	if cfg.Preview == nil {
		cfg.Preview = site.Preview
	}
	if cfg.PagePreview == nil {
		cfg.PagePreview = site.PreviewPage
	}
	srv, err := New(cfg, st, logger)
	if err != nil {
		t.Fatalf("desk.New: %v", err)
	}
	root := chi.NewRouter()
	// The test server is its own trusted proxy, so that a browser can come
	// from an address of its choosing (browser.from).
	root.Use(clientaddr.Middleware([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}))
	srv.Mount(root)
	site.Mount(root)
	ts := httptest.NewServer(root)
	t.Cleanup(ts.Close)
	return &deskSite{t: t, store: st, srv: srv, site: site, ts: ts}
}

// addStaff creates an account. Each costs an argon2id hash (19 MiB), so tests
// make few.
func (d *deskSite) addStaff(email, password string, roles ...content.Role) *content.Staff {
	d.t.Helper()
	hash, err := HashPassword(password)
	if err != nil {
		d.t.Fatalf("HashPassword: %v", err)
	}
	m := &content.Staff{Email: email, DisplayName: strings.Split(email, "@")[0], PasswordHash: hash, Roles: roles}
	if err := d.store.CreateStaff(d.t.Context(), m); err != nil {
		d.t.Fatalf("CreateStaff: %v", err)
	}
	return m
}

// addDraft creates a story with one draft translation through the store.
func (d *deskSite) addDraft(lang, title string) (*content.Story, *content.Translation) {
	d.t.Helper()
	st := &content.Story{BylineKind: content.BylinePublication}
	tr := &content.Translation{Lang: lang, Title: title, Teaser: "Teaser of " + title + ".", BodyMarkdown: "Body of *" + title + "*."}
	if err := d.store.CreateStoryWithTranslation(d.t.Context(), st, tr); err != nil {
		d.t.Fatalf("CreateStoryWithTranslation: %v", err)
	}
	return st, tr
}

func (d *deskSite) story(t *testing.T, id int64) *content.Story {
	t.Helper()
	st, err := d.store.Story(t.Context(), id)
	if err != nil {
		t.Fatalf("Story %d: %v", id, err)
	}
	return st
}

// browser is one person's browser: a cookie jar, and no automatic redirects
// so that tests see each 303.
type browser struct {
	t    *testing.T
	site *deskSite
	c    *http.Client
	csrf string // the token from the last page that had a form
	from string // the client address sent in X-Forwarded-For, if any
}

func (d *deskSite) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, site: d, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// deskResponse is a response with its body read.
type deskResponse struct {
	*http.Response
	Body string
}

var csrfFieldRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (b *browser) do(req *http.Request) deskResponse {
	b.t.Helper()
	if b.from != "" {
		req.Header.Set("X-Forwarded-For", b.from)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("read %s: %v", req.URL.Path, err)
	}
	if m := csrfFieldRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return deskResponse{Response: resp, Body: string(body)}
}

func (b *browser) get(path string) deskResponse {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, b.site.ts.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form with the current CSRF token added, unless the form
// already has a csrf_token (even an empty one).
func (b *browser) post(path string, form url.Values, headers ...string) deskResponse {
	b.t.Helper()
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", b.csrf)
	}
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.site.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// upload sends a multipart form with one file in the field "cover".
func (b *browser) upload(path, filename string, data []byte, fields map[string]string) deskResponse {
	b.t.Helper()
	return b.uploadAs(path, "cover", filename, data, fields)
}

// uploadAs sends a multipart form with one file in field.
func (b *browser) uploadAs(path, field, filename string, data []byte, fields map[string]string) deskResponse {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", b.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.site.ts.URL+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// login signs in through the real form and checks it worked.
func (b *browser) login(email, password string) {
	b.t.Helper()
	b.get("/desk/login")
	resp := b.post("/desk/login", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/desk/" {
		b.t.Fatalf("login as %s: got %d to %q, want 303 to /desk/; body:\n%.1500s", email, resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	// The CSRF token changes on login: read the new one from the desk's
	// first page.
	home := b.get("/desk/")
	wantStatus(b.t, home, http.StatusSeeOther)
	wantStatus(b.t, b.get(home.Header.Get("Location")), http.StatusOK)
}

// sessionCookie returns the desk session cookie the jar holds, or "".
func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.site.ts.URL + "/desk/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "samizdat_desk" {
			return c.Value
		}
	}
	return ""
}

func wantStatus(t *testing.T, resp deskResponse, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body:\n%.3000s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, resp.Body)
	}
}

func wantRedirect(t *testing.T, resp deskResponse, location string) {
	t.Helper()
	wantStatus(t, resp, http.StatusSeeOther)
	if got := resp.Header.Get("Location"); got != location {
		t.Fatalf("%s %s: redirect to %q, want %q", resp.Request.Method, resp.Request.URL.Path, got, location)
	}
}

func wantContains(t *testing.T, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("page lacks %q; body:\n%.4000s", p, body)
		}
	}
}

func remoteAuthor(user, host string) *content.RemoteAuthor {
	return &content.RemoteAuthor{ID: "https://" + host + "/users/" + user, Username: user, Host: host,
		Name: strings.ToUpper(user[:1]) + user[1:], URL: "https://" + host + "/@" + user}
}
