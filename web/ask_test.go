package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

// fakeInstance is a Mastodon-compatible server's OAuth side, on 127.0.0.1:
// apps, authorize, token and verify_credentials. A code works once.
type fakeInstance struct {
	*httptest.Server
	mu       sync.Mutex
	apps     int
	scopes   []string
	redirect []string
	codes    map[string]bool // code → used
	tokens   map[string]bool
}

func newFakeInstance(t *testing.T) *fakeInstance {
	f := &fakeInstance{codes: map[string]bool{}, tokens: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/apps", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.apps++
		f.scopes = append(f.scopes, r.PostFormValue("scopes"))
		f.redirect = strings.Split(r.PostFormValue("redirect_uris"), "\n")
		f.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]string{"client_id": "cid", "client_secret": "csecret"})
	})
	mux.HandleFunc("GET /oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f.mu.Lock()
		ok := q.Get("client_id") == "cid" && q.Get("scope") == "read:accounts" && q.Get("response_type") == "code" && contains1(f.redirect, q.Get("redirect_uri"))
		code := randomHex()
		f.codes[code] = false
		f.mu.Unlock()
		if !ok {
			http.Error(w, "bad authorize request", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		used, known := f.codes[r.PostFormValue("code")]
		if !known || used || r.PostFormValue("client_secret") != "csecret" || r.PostFormValue("grant_type") != "authorization_code" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		f.codes[r.PostFormValue("code")] = true
		tok := randomHex()
		f.tokens[tok] = true
		json.NewEncoder(w).Encode(map[string]string{"access_token": tok, "token_type": "Bearer", "scope": "read:accounts"})
	})
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		f.mu.Unlock()
		if !ok {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"id": "1", "username": "olena", "acct": "olena"})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func contains1(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// askBrowser is a cookie-keeping client that does not follow redirects.
type askBrowser struct {
	t *testing.T
	c *http.Client
}

func (b askBrowser) do(method, u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequestWithContext(b.t.Context(), method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	s, _ := io.ReadAll(resp.Body)
	return resp, string(s)
}

// TestAsk_SignInMastodon signs a reader in at a Mastodon-compatible
// instance: the app is registered once with read:accounts only, a wrong
// state and a replayed code are refused, and the one cookie is scoped to
// the section.
func TestAsk_SignInMastodon(t *testing.T) {
	t.Parallel()
	inst := newFakeInstance(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	var asked []string
	s := newSite(t, withFederation, func(c *Config) {
		c.BaseURL, _ = url.Parse(base)
		c.AskClient = &http.Client{}
		c.ResolveAccount = func(_ context.Context, acct string) (string, error) {
			user, host, _ := strings.Cut(acct, "@")
			return "http://" + host + "/users/" + user, nil
		}
		c.Ask = nil
	})
	s.srv.cfg.Ask = func(ctx context.Context, lang, actor, text string) (*content.Question, error) {
		asked = append(asked, lang+" "+actor+" "+text)
		q := &content.Question{Lang: lang, Source: content.QuestionFromSite, APID: base + "/ap/questions/x", Asker: actor, AskerHandle: "@olena@x", BodyHTML: "<p>" + text + "</p>"}
		_, err := s.store.CreateQuestion(ctx, q, nil)
		return q, err
	}
	ts := httptest.NewUnstartedServer(s.srv)
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	b := askBrowser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	instHost := strings.TrimPrefix(inst.URL, "http://")

	pub := &content.Question{Lang: "en", Source: content.QuestionFromFediverse, APID: "https://example.social/notes/9",
		Asker: "https://example.social/users/boris", AskerHandle: "@boris@example.social", BodyHTML: "<p>Is it safe to write to you?</p>"}
	if _, err := s.store.CreateQuestion(t.Context(), pub, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.AnswerQuestion(t.Context(), 0, pub.ID, "Yes.", "<p>We keep <em>nothing</em> about you.</p>", nil); err != nil {
		t.Fatal(err)
	}
	resp, page := b.do("GET", base+"/en/ask", nil)
	if resp.StatusCode != 200 || len(resp.Cookies()) != 0 || !strings.Contains(page, "one cookie, for this page only") || !strings.Contains(page, `action="/en/ask/signin"`) ||
		!strings.Contains(page, "<p>Is it safe to write to you?</p>") || !strings.Contains(page, "<p>We keep <em>nothing</em> about you.</p>") {
		t.Fatalf("the section before signing in: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	signIn := func() (authorize string) {
		t.Helper()
		resp, _ := b.do("POST", base+"/en/ask/signin", url.Values{"handle": {"@olena@" + instHost}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), inst.URL+"/oauth/authorize?") {
			t.Fatalf("sign-in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, c := range resp.Cookies() {
			if c.Name != askCookie || c.Path != "/en/ask" || !c.HttpOnly {
				t.Errorf("cookie %+v; want %s for /en/ask only, HttpOnly", c, askCookie)
			}
		}
		return resp.Header.Get("Location")
	}
	// The reader comes back from the instance with a code and the state.
	back := func(authorize string) *url.URL {
		t.Helper()
		resp, _ := b.do("GET", authorize, nil)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("authorize: %d", resp.StatusCode)
		}
		u, _ := url.Parse(resp.Header.Get("Location"))
		if u.Path != "/en/ask/callback" {
			t.Fatalf("the instance sent the reader to %s", u)
		}
		return u
	}

	t.Run("ErrWrongState", func(t *testing.T) {
		cb := back(signIn())
		q := cb.Query()
		q.Set("state", "forged")
		if resp, _ := b.do("GET", base+cb.Path+"?"+q.Encode(), nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a wrong state answered %d, want 400", resp.StatusCode)
		}
	})
	cb := back(signIn())
	resp, _ = b.do("GET", base+cb.Path+"?"+cb.RawQuery, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/en/ask" {
		t.Fatalf("callback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = b.do("GET", base+"/en/ask", nil)
	if !strings.Contains(page, "@olena@"+instHost) || !strings.Contains(page, `<textarea id="question"`) {
		t.Fatalf("signed in, the page lacks the account or the form:\n%s", page)
	}
	// Another section of the site gets no cookie from the browser.
	if u, _ := url.Parse(base + "/en/"); len(jar.Cookies(u)) != 0 {
		t.Errorf("the cookie reaches /en/: %v", jar.Cookies(u))
	}
	if resp, _ := b.do("POST", base+"/en/ask", url.Values{"question": {"Why do you publish under pseudonyms?"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("question: %d", resp.StatusCode)
	}
	if len(asked) != 1 || asked[0] != "en "+inst.URL+"/users/olena Why do you publish under pseudonyms?" {
		t.Errorf("asked %q", asked)
	}
	_, page = b.do("GET", base+"/en/ask", nil)
	if !strings.Contains(page, "Why do you publish under pseudonyms?") || !strings.Contains(page, "waiting for the editors") {
		t.Errorf("the reader's question is not listed:\n%s", page)
	}
	qs, _ := s.store.Questions(t.Context(), storeFilterAsker(inst.URL+"/users/olena"))
	if resp, _ := b.do("POST", base+"/en/ask/withdraw", url.Values{"id": {itoa(qs[0].ID)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("withdraw: %d", resp.StatusCode)
	}
	if q, _ := s.store.Question(t.Context(), qs[0].ID); q.State != content.QuestionWithdrawn {
		t.Errorf("after withdrawing: %s", q.State)
	}

	t.Run("ErrReplayedCode", func(t *testing.T) {
		b.do("POST", base+"/en/ask/signout", url.Values{})
		fresh := back(signIn())
		q := fresh.Query()
		q.Set("code", cb.Query().Get("code")) // the code already exchanged
		if resp, _ := b.do("GET", base+fresh.Path+"?"+q.Encode(), nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a replayed code answered %d, want 400", resp.StatusCode)
		}
		if _, page := b.do("GET", base+"/en/ask", nil); strings.Contains(page, `<textarea id="question"`) {
			t.Error("signed in with a replayed code")
		}
	})
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.apps != 1 || inst.scopes[0] != "read:accounts" || len(inst.redirect) != 3 {
		t.Errorf("apps registered %d times with scopes %v and redirects %v; want once, read:accounts, one per language", inst.apps, inst.scopes, inst.redirect)
	}
}

func storeFilterAsker(actor string) store.QuestionFilter { return store.QuestionFilter{Asker: actor} }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAsk_SignInMisskey signs a reader in through MiAuth at an instance
// without the apps API, as Misskey is.
func TestAsk_SignInMisskey(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	granted := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/meta", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"name":"misskey"}`) })
	mux.HandleFunc("GET /miauth/{session}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("permission") != "read:account" {
			http.Error(w, "bad permission", http.StatusBadRequest)
			return
		}
		mu.Lock()
		granted[r.PathValue("session")] = true
		mu.Unlock()
		http.Redirect(w, r, r.URL.Query().Get("callback")+"?session="+url.QueryEscape(r.PathValue("session")), http.StatusFound)
	})
	mux.HandleFunc("POST /api/miauth/{session}/check", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ok := granted[r.PathValue("session")]
		delete(granted, r.PathValue("session"))
		mu.Unlock()
		if !ok {
			io.WriteString(w, `{"ok":false}`)
			return
		}
		io.WriteString(w, `{"ok":true,"token":"t","user":{"id":"9x","username":"mika"}}`)
	})
	inst := httptest.NewServer(mux) // no /api/v1/apps: 404
	t.Cleanup(inst.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	s := newSite(t, withFederation, func(c *Config) {
		c.BaseURL, _ = url.Parse(base)
		c.AskClient = &http.Client{}
		c.ResolveAccount = func(_ context.Context, acct string) (string, error) { return "http://x.example/users/" + acct, nil }
		c.Ask = func(context.Context, string, string, string) (*content.Question, error) { return nil, nil }
	})
	ts := httptest.NewUnstartedServer(s.srv)
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	b := askBrowser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	host := strings.TrimPrefix(inst.URL, "http://")
	resp, _ := b.do("POST", base+"/fr/ask/signin", url.Values{"handle": {"mika@" + host}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, inst.URL+"/miauth/") {
		t.Fatalf("sign-in: %d to %q", resp.StatusCode, loc)
	}
	resp, _ = b.do("GET", loc, nil)
	cb, _ := url.Parse(resp.Header.Get("Location"))
	if cb.Path != "/fr/ask/callback" {
		t.Fatalf("MiAuth sent the reader to %s", cb)
	}
	// Another session id than the one this browser started is refused.
	if resp, _ := b.do("GET", base+cb.Path+"?session=forged", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a forged session answered %d", resp.StatusCode)
	}
	resp, _ = b.do("POST", base+"/fr/ask/signin", url.Values{"handle": {"mika@" + host}})
	resp, _ = b.do("GET", resp.Header.Get("Location"), nil)
	cb, _ = url.Parse(resp.Header.Get("Location"))
	if resp, _ := b.do("GET", base+cb.Path+"?"+cb.RawQuery, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d", resp.StatusCode)
	}
	if _, page := b.do("GET", base+"/fr/ask", nil); !strings.Contains(page, "@mika@"+host) {
		t.Errorf("not signed in as mika")
	}
	if app, err := s.store.AskApp(t.Context(), host); err != nil || app.Kind != "misskey" {
		t.Errorf("app %+v, %v", app, err)
	}
}
