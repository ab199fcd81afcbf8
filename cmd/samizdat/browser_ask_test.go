package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// newOAuthPeer is a Mastodon-shaped peer (mastodonPeer's account, inboxes
// and checks) that also signs its reader in: the apps API, an authorize
// page with a button, the token endpoint (a code works once),
// verify_credentials and WebFinger.
func newOAuthPeer(t *testing.T, addr string) *mastodonPeer {
	t.Helper()
	ln := listenOn(t, addr)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &mastodonPeer{base: "http://" + ln.Addr().String(), key: key, arrived: make(chan struct{}, 100)}
	p.actor = p.base + "/users/olga"
	var mu sync.Mutex
	codes, tokens := map[string]bool{}, map[string]bool{}
	random := func() string { b := make([]byte, 8); rand.Read(b); return hex.EncodeToString(b) }
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/apps", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"client_id": "cid", "client_secret": "csecret"})
	})
	mux.HandleFunc("GET /oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("scope") != "read:accounts" || q.Get("client_id") != "cid" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		code := random()
		codes[code] = false
		mu.Unlock()
		back := q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Authorize</title><h1>Authorize Samizdat to read your account?</h1><a id="approve" href="%s">Authorize</a>`, html.EscapeString(back))
	})
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if used, ok := codes[r.PostFormValue("code")]; !ok || used || r.PostFormValue("client_secret") != "csecret" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		codes[r.PostFormValue("code")] = true
		tok := random()
		tokens[tok] = true
		json.NewEncoder(w).Encode(map[string]string{"access_token": tok, "token_type": "Bearer"})
	})
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ok := tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		mu.Unlock()
		if !ok {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"id": "7", "username": "olga", "acct": "olga"})
	})
	mux.HandleFunc("GET /.well-known/webfinger", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("resource") != "acct:olga@"+strings.TrimPrefix(p.base, "http://") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jrd+json")
		json.NewEncoder(w).Encode(map[string]any{"links": []map[string]string{{"rel": "self", "type": "application/activity+json", "href": p.actor}}})
	})
	mux.HandleFunc("/", p.serve)
	serveOn(t, ln, mux)
	return p
}

// TestBrowser_AskSignIn follows the "Ask" sign-in as a reader in Chromium:
// the page explains its cookie before the reader chooses it, the reader
// authorizes at their instance and comes back signed in, asks, and the
// question reaches their instance as a direct mention from @en. The cookie
// is scoped to the section.
func TestBrowser_AskSignIn(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	p := newOAuthPeer(t, "127.0.0.3")
	ctx, seen := newBrowser(t)
	step, rawText := browserSteps(t, ctx, srv.logs)
	text := func(sel string) string { t.Helper(); return strings.TrimSpace(rawText(sel)) }

	step("open Ask from the footer",
		chromedp.Navigate(srv.URL+"/en/"),
		chromedp.Click(chromedp.CSS(`footer a[href="/en/ask"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/en/ask/signin"]`)),
	)
	if got := text(".privacy-note"); !strings.Contains(got, "one cookie, for this page only") {
		t.Errorf("the cookie is not explained before signing in: %q", got)
	}
	if len(seen.setCookie) > 0 {
		t.Fatalf("a cookie before signing in: %v", seen.setCookie)
	}
	step("sign in at the reader's instance",
		chromedp.SetValue(chromedp.CSS("#handle"), "@olga@"+strings.TrimPrefix(p.base, "http://")),
		chromedp.Click(chromedp.CSS(`form[action="/en/ask/signin"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#approve")),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/en/ask"] textarea`)),
	)
	if got := text("main"); !strings.Contains(got, "Signed in as @olga@127.0.0.3") {
		t.Errorf("after signing in: %q", got)
	}
	step("ask",
		chromedp.SetValue(chromedp.CSS("#question"), "How do you check that a story is true?"),
		chromedp.Click(chromedp.CSS(`form[action="/en/ask"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".my-questions")),
	)
	if got := text(".my-questions"); !strings.Contains(got, "How do you check that a story is true?") || !strings.Contains(got, "waiting for the editors") {
		t.Errorf("the reader's questions: %q", got)
	}
	mention := p.await(t, "Create")
	note, _ := mention["object"].(map[string]any)
	if to, _ := note["to"].([]any); len(to) != 1 || to[0] != p.actor || !strings.Contains(fmt.Sprint(note["content"]), "How do you check that a story is true?") {
		t.Errorf("the direct mention: %v", mention)
	}
	if jar, err := cookies(ctx, srv.URL+"/en/ask"); err != nil || len(jar) != 1 || jar[0].Path != "/en/ask" || !jar[0].HTTPOnly {
		t.Errorf("cookies for /en/ask: %v (err %v)", jar, err)
	}
	if jar, err := cookies(ctx, srv.URL+"/en/"); err != nil || len(jar) != 0 {
		t.Errorf("cookies reach /en/: %v (err %v)", jar, err)
	}
	step("sign out", chromedp.Click(chromedp.CSS(`form[action="/en/ask/signout"] button`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/en/ask/signin"]`)))
	if jar, _ := cookies(ctx, srv.URL+"/en/ask"); len(jar) != 0 {
		t.Errorf("cookies after signing out: %v", jar)
	}
}
