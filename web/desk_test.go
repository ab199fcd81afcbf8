package web

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// deskSite is a web server on its own database under httptest.NewServer,
// for tests that go through the desk as a browser would.
type deskSite struct {
	t     *testing.T
	store *store.Store
	srv   *Server
	ts    *httptest.Server
	media string
}

// deskBaseURL is the site's configured address in desk tests. Plain http, so
// that the test client's cookie jar sends the session cookie to the loopback
// server; TestDesk_SessionCookie checks the https case.
const deskBaseURL = "http://desk.samizdat.test"

func newDeskSite(t *testing.T) *deskSite {
	t.Helper()
	st := storetest.New(t)
	base, _ := url.Parse(deskBaseURL)
	media := t.TempDir()
	srv, err := New(Config{
		BaseURL:         base,
		Languages:       []string{"en", "ru", "fr"},
		PublicationName: "Samizdat Desk Test",
		MediaDir:        media,
	}, st, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &deskSite{t: t, store: st, srv: srv, ts: ts, media: media}
}

// addStaff creates an account. Each costs an argon2id hash (64 MiB), so tests
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
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", b.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("cover", filename)
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

func TestDesk_Login(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)

	t.Run("RedirectsToLogin", func(t *testing.T) {
		b := d.browser(t)
		resp := b.get("/desk/stories/")
		wantRedirect(t, resp, "/desk/login?next=%2Fdesk%2Fstories%2F")
	})

	t.Run("OK", func(t *testing.T) {
		b := d.browser(t)
		b.get("/desk/login")
		before := b.sessionCookie()
		if before == "" {
			t.Fatal("the login form set no session cookie for its CSRF token")
		}
		resp := b.post("/desk/login", url.Values{"email": {"ED@example.org"}, "password": {"correct horse battery"}, "next": {"/desk/stories/?state=draft"}})
		wantRedirect(t, resp, "/desk/stories/?state=draft")
		if after := b.sessionCookie(); after == before || after == "" {
			t.Errorf("session token not renewed on login (fixation): before %q, after %q", before, after)
		}
		wantStatus(t, b.get("/desk/stories/"), http.StatusOK)
		wantRedirect(t, b.get("/desk/"), "/desk/stories/")

		// Signing out is a POST with the CSRF token, and ends the session.
		wantStatus(t, b.post("/desk/logout", url.Values{"csrf_token": {""}}), http.StatusForbidden)
		wantStatus(t, b.get("/desk/stories/"), http.StatusOK)
		wantRedirect(t, b.post("/desk/logout", url.Values{}), "/desk/login")
		wantContains(t, b.get("/desk/login").Body, "You are signed out.")
		wantRedirect(t, b.get("/desk/stories/"), "/desk/login?next=%2Fdesk%2Fstories%2F")
	})

	t.Run("OpenRedirectIgnored", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example/desk/", "/\\evil.example", "/desk/\\evil", "/public", "/desk/login"} {
			if got := safeNext(next); got != "/desk/" {
				t.Errorf("safeNext(%q) = %q, want /desk/", next, got)
			}
		}
		if got := safeNext("/desk/stories/?state=draft"); got != "/desk/stories/?state=draft" {
			t.Errorf("safeNext dropped a desk path: %q", got)
		}
	})

	t.Run("SameMessageForWrongPasswordAndUnknownEmail", func(t *testing.T) {
		b := d.browser(t)
		b.get("/desk/login")
		wrong := b.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"not the password"}})
		wantStatus(t, wrong, http.StatusUnauthorized)
		wantContains(t, wrong.Body, html.EscapeString(loginFailed), `value="ed@example.org"`)
		unknown := b.post("/desk/login", url.Values{"email": {"nobody@example.org"}, "password": {"whatever it is"}})
		wantStatus(t, unknown, http.StatusUnauthorized)
		wantContains(t, unknown.Body, html.EscapeString(loginFailed))
		if b.sessionCookie() == "" {
			t.Fatal("no session cookie")
		}
		wantRedirect(t, b.get("/desk/stories/"), "/desk/login?next=%2Fdesk%2Fstories%2F")
	})

	t.Run("RateLimited", func(t *testing.T) {
		d := newDeskSite(t)
		d.addStaff("mo@example.org", "moderate the replies", content.RoleModerator)
		b := d.browser(t)
		b.get("/desk/login")
		for i := range loginPerEmail {
			resp := b.post("/desk/login", url.Values{"email": {"mo@example.org"}, "password": {fmt.Sprintf("guess %d", i)}})
			wantStatus(t, resp, http.StatusUnauthorized)
		}
		// Even the right password is refused now, with a clear message.
		resp := b.post("/desk/login", url.Values{"email": {"Mo@Example.org"}, "password": {"moderate the replies"}})
		wantStatus(t, resp, http.StatusTooManyRequests)
		wantContains(t, resp.Body, "Too many failed sign-in attempts")
		if resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		wantRedirect(t, b.get("/desk/submissions"), "/desk/login?next=%2Fdesk%2Fsubmissions")
	})

	t.Run("SuccessResetsCount", func(t *testing.T) {
		b := d.browser(t)
		b.login("ed@example.org", "correct horse battery")
		for range loginPerEmail - 1 {
			wantStatus(t, b.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"nope nope"}}), http.StatusUnauthorized)
		}
		b.login("ed@example.org", "correct horse battery")
		b2 := d.browser(t)
		b2.get("/desk/login")
		for range loginPerEmail - 1 {
			wantStatus(t, b2.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"nope nope"}}), http.StatusUnauthorized)
		}
		b2.login("ed@example.org", "correct horse battery")
	})
}

func TestDesk_SessionCookie(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		base   string
		secure bool
	}{{"https://samizdat.test", true}, {"http://localhost:8080", false}} {
		t.Run(tc.base, func(t *testing.T) {
			t.Parallel()
			base, _ := url.Parse(tc.base)
			srv, err := New(Config{BaseURL: base, Languages: []string{"en"}, PublicationName: "T", MediaDir: t.TempDir()},
				storetest.New(t), slog.New(slog.NewTextHandler(t.Output(), nil)))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/desk/login", nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			cookies := rec.Result().Cookies()
			if len(cookies) != 1 || cookies[0].Name != "samizdat_desk" {
				t.Fatalf("cookies: %v", rec.Header().Values("Set-Cookie"))
			}
			c := cookies[0]
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tc.secure || c.Path != "/desk" {
				t.Errorf("cookie %q: HttpOnly %v, SameSite %v, Secure %v (want %v), Path %q",
					rec.Header().Get("Set-Cookie"), c.HttpOnly, c.SameSite, c.Secure, tc.secure, c.Path)
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
		})
	}
}

func TestDesk_CSRF(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)

	t.Run("LoginNeedsToken", func(t *testing.T) {
		b := d.browser(t)
		b.get("/desk/login")
		resp := b.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"correct horse battery"}, "csrf_token": {""}})
		wantStatus(t, resp, http.StatusForbidden)
		wantRedirect(t, b.get("/desk/stories/"), "/desk/login?next=%2Fdesk%2Fstories%2F")
	})

	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	st, _ := d.addDraft("en", "Standing story")
	create := url.Values{"byline_kind": {"publication"}, "lang": {"en"}, "title": {"Forged"}, "teaser": {"A forged request."}}

	for name, resp := range map[string]func() deskResponse{
		"NoToken":    func() deskResponse { return b.post("/desk/stories/", withForm(create, "csrf_token", "")) },
		"WrongToken": func() deskResponse { return b.post("/desk/stories/", withForm(create, "csrf_token", b.csrf+"x")) },
		"OtherOrigin": func() deskResponse {
			return b.post("/desk/stories/", withForm(create), "Origin", "https://evil.example")
		},
		"PublishNoToken": func() deskResponse {
			return b.post(fmt.Sprintf("/desk/stories/%d/en/state", st.ID), url.Values{"action": {"publish"}, "csrf_token": {""}})
		},
		"LogoutNoToken": func() deskResponse { return b.post("/desk/logout", url.Values{"csrf_token": {""}}) },
	} {
		t.Run(name, func(t *testing.T) {
			r := resp()
			wantStatus(t, r, http.StatusForbidden)
			wantContains(t, r.Body, "nothing was changed")
		})
	}
	stories, err := d.store.Stories(t.Context(), store.StoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 1 {
		t.Errorf("refused requests created stories: %d stories, want 1", len(stories))
	}
	if got := d.story(t, st.ID).Translation("en").State; got != content.StateDraft {
		t.Errorf("refused publish changed the state to %s", got)
	}

	t.Run("HeaderTokenAndOwnOrigin", func(t *testing.T) {
		tok := b.csrf
		resp := b.post("/desk/stories/", withForm(create, "csrf_token", ""), "X-CSRF-Token", tok, "Origin", deskBaseURL)
		wantStatus(t, resp, http.StatusSeeOther)
	})
}

// withForm copies a form and sets key/value pairs on the copy.
func withForm(f url.Values, kv ...string) url.Values {
	c := url.Values{}
	for k, v := range f {
		c[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i], kv[i+1])
	}
	return c
}

func TestDesk_Roles(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	d.addStaff("mo@example.org", "moderate the replies", content.RoleModerator)
	st, _ := d.addDraft("en", "Pending story")
	sub := &content.Submission{Lang: "ru", Story: "Меня зовут Анна, и вот что случилось в нашем городе прошлой весной.", Name: "Анна"}
	if err := d.store.CreateSubmission(t.Context(), sub); err != nil {
		t.Fatal(err)
	}

	mod := d.browser(t)
	mod.login("mo@example.org", "moderate the replies")
	ed := d.browser(t)
	ed.login("ed@example.org", "correct horse battery")

	t.Run("ModeratorCannotPublish", func(t *testing.T) {
		wantRedirect(t, mod.get("/desk/"), "/desk/submissions")
		wantStatus(t, mod.get("/desk/stories/"), http.StatusForbidden)
		wantStatus(t, mod.get(fmt.Sprintf("/desk/stories/%d/en", st.ID)), http.StatusForbidden)
		mod.get("/desk/submissions") // a page with a valid token
		resp := mod.post(fmt.Sprintf("/desk/stories/%d/en/state", st.ID), url.Values{"action": {"publish"}})
		wantStatus(t, resp, http.StatusForbidden)
		if got := d.story(t, st.ID).Translation("en").State; got != content.StateDraft {
			t.Errorf("state after a moderator's publish: %s, want draft", got)
		}
	})

	t.Run("EditorCannotManageStaff", func(t *testing.T) {
		wantStatus(t, ed.get("/desk/staff/"), http.StatusForbidden)
		ed.get("/desk/stories/")
		resp := ed.post("/desk/staff/", url.Values{"email": {"new@example.org"}, "display_name": {"New"}, "roles": {"admin"}, "password": {"a long enough password"}})
		wantStatus(t, resp, http.StatusForbidden)
		if _, err := d.store.StaffByEmail(t.Context(), "new@example.org"); err == nil {
			t.Error("an editor created a staff account")
		}
		if strings.Contains(ed.get("/desk/stories/").Body, `href="/desk/staff/"`) {
			t.Error("the editor's navigation links to staff")
		}
	})

	t.Run("Submissions", func(t *testing.T) {
		list := mod.get("/desk/submissions")
		wantStatus(t, list, http.StatusOK)
		wantContains(t, list.Body, "Анна", "unread", fmt.Sprintf(`href="/desk/submissions/%d"`, sub.ID))
		view := mod.get(fmt.Sprintf("/desk/submissions/%d", sub.ID))
		wantStatus(t, view, http.StatusOK)
		wantContains(t, view.Body, "вот что случилось в нашем городе")
		got, err := d.store.Submission(t.Context(), sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ReadAt.IsZero() {
			t.Error("viewing did not mark the submission read")
		}
		wantStatus(t, ed.get("/desk/submissions"), http.StatusOK) // editors read them too
		wantStatus(t, mod.get("/desk/submissions/999999"), http.StatusNotFound)
	})
}

func TestDesk_Staff(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("admin@example.org", "administrate this", content.RoleAdmin)
	b := d.browser(t)
	b.login("admin@example.org", "administrate this")
	wantRedirect(t, b.get("/desk/"), "/desk/staff/")

	t.Run("InvalidKeepsInput", func(t *testing.T) {
		b.get("/desk/staff/")
		resp := b.post("/desk/staff/", url.Values{"email": {"not an address"}, "display_name": {"Vera"}, "roles": {"editor"}, "password": {"short"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp.Body, `value="not an address"`, `value="Vera"`, "Give a valid email address.",
			`id="email-error"`, "Use at least 10 characters", `aria-describedby="email-error"`)
		if strings.Contains(resp.Body, "short") {
			t.Error("the password was sent back into the form")
		}
	})

	t.Run("GeneratedPasswordShownOnce", func(t *testing.T) {
		b.get("/desk/staff/")
		resp := b.post("/desk/staff/", url.Values{"email": {"vera@example.org"}, "display_name": {"Vera"}, "roles": {"editor", "moderator"}})
		wantStatus(t, resp, http.StatusCreated)
		m := regexp.MustCompile(`<code class="secret">([^<]+)</code>`).FindStringSubmatch(resp.Body)
		if m == nil {
			t.Fatalf("no generated password on the page:\n%.3000s", resp.Body)
		}
		if strings.Contains(b.get("/desk/staff/").Body, m[1]) {
			t.Error("the generated password is shown again")
		}
		vera := d.browser(t)
		vera.login("vera@example.org", m[1])
		wantRedirect(t, vera.get("/desk/"), "/desk/stories/")
	})

	t.Run("DuplicateEmail", func(t *testing.T) {
		b.get("/desk/staff/")
		resp := b.post("/desk/staff/", url.Values{"email": {"Admin@example.org"}, "display_name": {"Again"}, "roles": {"editor"}, "password": {"long enough password"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp.Body, "already has this email address")
	})
}

func TestDesk_StoryFlow(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")

	wantStatus(t, b.get("/desk/stories/new"), http.StatusOK)
	resp := b.post("/desk/stories/", url.Values{
		"byline_kind": {"pseudonym"}, "byline_name": {"Nadia K."},
		"lang": {"en"}, "title": {"The river crossing"}, "teaser": {"How a family left at night."},
		"body": {"It was *cold*.\r\n\r\n| a | b |\r\n|---|---|\r\n| 1 | 2 |"}, "slug": {""}, "tags": {"exile, #Family"},
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d; body:\n%.3000s", resp.StatusCode, resp.Body)
	}
	var id int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/desk/stories/%d/en", &id); err != nil {
		t.Fatalf("create redirected to %q", resp.Header.Get("Location"))
	}
	st := d.story(t, id)
	en := st.Translation("en")
	if st.BylineKind != content.BylinePseudonym || st.BylineName != "Nadia K." || en == nil ||
		en.State != content.StateDraft || en.Slug != "the-river-crossing" || strings.Join(en.Tags, ",") != "exile,family" ||
		en.BodyMarkdown != "It was *cold*.\n\n| a | b |\n|---|---|\n| 1 | 2 |" {
		t.Fatalf("stored story %+v, translation %+v", st, en)
	}
	wantContains(t, b.get(resp.Header.Get("Location")).Body, "The story is created as a draft in English.", "Publish now")

	// The Russian translation, with the English beside it.
	ru := b.get(fmt.Sprintf("/desk/stories/%d/ru", id))
	wantStatus(t, ru, http.StatusOK)
	wantContains(t, ru.Body, "New Русский translation", `class="original"`, "The river crossing", "How a family left at night.", "<em>cold</em>", "<table>")
	resp = b.post(fmt.Sprintf("/desk/stories/%d/ru", id), url.Values{
		"title": {"Переправа"}, "teaser": {"Как семья ушла ночью."}, "body": {"Было *холодно*."}, "slug": {"pereprava"}, "tags": {"изгнание"},
	})
	wantRedirect(t, resp, fmt.Sprintf("/desk/stories/%d/ru", id))
	if got := d.story(t, id).Translation("ru"); got == nil || got.Title != "Переправа" || got.State != content.StateDraft {
		t.Fatalf("ru translation: %+v", got)
	}

	// Publish the English now.
	b.get(fmt.Sprintf("/desk/stories/%d/en", id))
	wantRedirect(t, b.post(fmt.Sprintf("/desk/stories/%d/en/state", id), url.Values{"action": {"publish"}}), fmt.Sprintf("/desk/stories/%d/en", id))
	if en := d.story(t, id).Translation("en"); en.State != content.StatePublished || en.PublishedAt.IsZero() {
		t.Fatalf("after publish: %s at %v", en.State, en.PublishedAt)
	}
	list := b.get("/desk/stories/?state=published")
	wantContains(t, list.Body, "The river crossing", `<abbr title="English">en</abbr> published`, `<abbr title="Русский">ru</abbr> draft`)
	if strings.Contains(b.get("/desk/stories/?state=withdrawn").Body, "The river crossing") {
		t.Error("the withdrawn tab lists a story without withdrawn translations")
	}

	// Schedule the Russian in UTC, then take it back.
	at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	resp = b.post(fmt.Sprintf("/desk/stories/%d/ru/state", id), url.Values{"action": {"schedule"}, "publish_at": {at.Format("2006-01-02T15:04")}})
	wantStatus(t, resp, http.StatusSeeOther)
	if ru := d.story(t, id).Translation("ru"); ru.State != content.StateScheduled || !ru.PublishAt.Equal(at) {
		t.Fatalf("after schedule: %s at %v, want scheduled at %v", ru.State, ru.PublishAt, at)
	}
	page := b.get(fmt.Sprintf("/desk/stories/%d/ru", id))
	wantContains(t, page.Body, `value="`+at.Format("2006-01-02T15:04")+`"`, "(UTC)", "Unschedule")
	wantStatus(t, b.post(fmt.Sprintf("/desk/stories/%d/ru/state", id), url.Values{"action": {"unschedule"}}), http.StatusSeeOther)
	if ru := d.story(t, id).Translation("ru"); ru.State != content.StateDraft {
		t.Fatalf("after unschedule: %s", ru.State)
	}

	// A past time and a move the state machine refuses come back on the editor.
	resp = b.post(fmt.Sprintf("/desk/stories/%d/ru/state", id), url.Values{"action": {"schedule"}, "publish_at": {"2001-01-01T10:00"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "Choose a time in the future.", `id="publish_at-error"`, `value="2001-01-01T10:00"`)
	resp = b.post(fmt.Sprintf("/desk/stories/%d/ru/state", id), url.Values{"action": {"withdraw"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "A draft translation cannot become withdrawn.")
	if ru := d.story(t, id).Translation("ru"); ru.State != content.StateDraft {
		t.Fatalf("after refused moves: %s", ru.State)
	}

	// Withdraw the English; edit the byline.
	wantStatus(t, b.post(fmt.Sprintf("/desk/stories/%d/en/state", id), url.Values{"action": {"withdraw"}}), http.StatusSeeOther)
	if en := d.story(t, id).Translation("en"); en.State != content.StateWithdrawn {
		t.Fatalf("after withdraw: %s", en.State)
	}
	wantRedirect(t, b.post(fmt.Sprintf("/desk/stories/%d", id), url.Values{"byline_kind": {"name"}, "byline_name": {"Nadia Karimova"}}), fmt.Sprintf("/desk/stories/%d", id))
	if st := d.story(t, id); st.BylineKind != content.BylineName || st.BylineName != "Nadia Karimova" {
		t.Errorf("byline: %s %q", st.BylineKind, st.BylineName)
	}
	resp = b.post(fmt.Sprintf("/desk/stories/%d", id), url.Values{"byline_kind": {"name"}, "byline_name": {"  "}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "Give the name or pseudonym to credit.", `id="byline_name-error"`)

	wantStatus(t, b.get("/desk/stories/999999"), http.StatusNotFound)
	wantStatus(t, b.get(fmt.Sprintf("/desk/stories/%d/xx", id)), http.StatusNotFound)
}

func TestDesk_ValidationKeepsInput(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	b.get("/desk/stories/new")

	long := strings.Repeat("слово ", 100) // 600 characters
	body := "A body I typed with care, & <b>markup</b>."
	resp := b.post("/desk/stories/", url.Values{
		"byline_kind": {"name"}, "byline_name": {"Ivan"}, "lang": {"ru"},
		"title": {""}, "teaser": {long}, "body": {body}, "slug": {"Bad Slug!"}, "tags": {"one, two"},
	})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body,
		`<p class="field-error" id="title-error">A title is required.</p>`,
		`aria-invalid="true" aria-describedby="title-error"`,
		`id="teaser-error">Keep the teaser to 500 characters at most.`,
		`aria-describedby="teaser-hint teaser-error"`,
		`id="slug-error"`, `value="Bad Slug!"`,
		html.EscapeString(body), strings.TrimSpace(long), `value="one, two"`, `value="Ivan"`,
		`<option value="ru" selected>`, `class="error-summary"`, `href="#title"`)
	stories, err := d.store.Stories(t.Context(), store.StoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 0 {
		t.Errorf("an invalid form stored %d stories", len(stories))
	}

	// The same on an existing translation's editor; the saved text stays.
	st, tr := d.addDraft("en", "Kept title")
	resp = b.post(fmt.Sprintf("/desk/stories/%d/en", st.ID), url.Values{"title": {"New title"}, "teaser": {"<script>"}, "body": {"Typed body"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "The teaser is plain text: leave out &lt; and &gt;.", `value="New title"`, "Typed body")
	if got := d.story(t, st.ID).Translation("en"); got.Title != tr.Title || got.BodyMarkdown != tr.BodyMarkdown {
		t.Errorf("a refused save changed the translation: %q / %q", got.Title, got.BodyMarkdown)
	}

	// A slug taken by another story in the same language.
	resp = b.post("/desk/stories/", url.Values{"byline_kind": {"publication"}, "lang": {"en"}, "title": {"Another"}, "teaser": {"T."}, "slug": {"kept-title"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantContains(t, resp.Body, "Another story in this language already uses this slug.", `value="Another"`)
	if stories, _ := d.store.Stories(t.Context(), store.StoryFilter{}); len(stories) != 1 {
		t.Errorf("a refused slug left %d stories, want 1", len(stories))
	}
}

func TestDesk_Preview(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	st, tr := d.addDraft("en", "Saved title")
	b.get(fmt.Sprintf("/desk/stories/%d/en", st.ID))

	form := url.Values{"title": {"Unsaved title"}, "teaser": {"Unsaved teaser."}, "body": {"An **unsaved** body.\n\n<script>alert(1)</script>"}, "tags": {"draft_tag"}}
	resp := b.post(fmt.Sprintf("/desk/stories/%d/en/preview", st.ID), form)
	wantStatus(t, resp, http.StatusOK)
	wantContains(t, resp.Body, `<html lang="en">`, `<article class="story">`, "Unsaved title", "Unsaved teaser.", "<strong>unsaved</strong>", "#draft_tag", `class="preview-banner"`)
	if strings.Contains(resp.Body, "<script>alert(1)</script>") {
		t.Error("the preview passed raw HTML through")
	}
	if got := d.story(t, st.ID).Translation("en"); got.Title != tr.Title || got.BodyMarkdown != tr.BodyMarkdown || got.State != content.StateDraft {
		t.Errorf("preview changed the translation: %+v", got)
	}

	// A language not yet translated previews too, and is not created.
	resp = b.post(fmt.Sprintf("/desk/stories/%d/fr/preview", st.ID), url.Values{"title": {"Titre provisoire"}, "teaser": {"Chapô."}, "body": {"Texte."}})
	wantStatus(t, resp, http.StatusOK)
	wantContains(t, resp.Body, `<html lang="fr">`, "Titre provisoire")
	if d.story(t, st.ID).Translation("fr") != nil {
		t.Error("preview created a French translation")
	}
}
