package desk

import (
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

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
		for i := range loginPerAccount {
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
		for range loginPerAccount - 1 {
			wantStatus(t, b.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"nope nope"}}), http.StatusUnauthorized)
		}
		b.login("ed@example.org", "correct horse battery")
		b2 := d.browser(t)
		b2.get("/desk/login")
		for range loginPerAccount - 1 {
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
			srv, err := New(Config{BaseURL: base, Languages: []string{"en"}, PublicationName: "T"},
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
			// Under the public pages' "no-referrer", browsers would send
			// "Origin: null" on the desk's own forms.
			if rp := rec.Header().Get("Referrer-Policy"); rp != "same-origin" {
				t.Errorf("Referrer-Policy %q, want same-origin", rp)
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
		"NullOrigin": func() deskResponse { // a sandboxed frame elsewhere
			return b.post("/desk/stories/", withForm(create), "Origin", "null")
		},
		// Browsers since 2023 say where a request comes from in
		// Sec-Fetch-Site; another site's page is refused even with the
		// right token, a sibling subdomain ("same-site") as well.
		"CrossSite": func() deskResponse {
			return b.post("/desk/stories/", withForm(create), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		},
		"SameSiteOtherOrigin": func() deskResponse {
			return b.post("/desk/stories/", withForm(create), "Sec-Fetch-Site", "same-site", "Origin", "http://blog.desk.samizdat.test")
		},
		// A same-origin form that does not carry the token, as one slipped
		// into a public page would be, is refused by the token alone.
		"SameOriginNoToken": func() deskResponse {
			return b.post("/desk/stories/", withForm(create, "csrf_token", ""), "Sec-Fetch-Site", "same-origin", "Origin", b.site.ts.URL)
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

	t.Run("SameOrigin", func(t *testing.T) {
		resp := b.post("/desk/stories/", withForm(create, "title", "Same origin"), "Sec-Fetch-Site", "same-origin", "Origin", b.site.ts.URL)
		wantStatus(t, resp, http.StatusSeeOther)
	})
	t.Run("SameOriginByOriginAlone", func(t *testing.T) { // a browser without Sec-Fetch-Site
		resp := b.post("/desk/stories/", withForm(create, "title", "Origin alone"), "Origin", b.site.ts.URL)
		wantStatus(t, resp, http.StatusSeeOther)
	})
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
