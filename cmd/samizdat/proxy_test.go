package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
)

// clientFrom is an HTTP client whose connections leave from the loopback
// address ip (all of 127.0.0.0/8 is local on Linux), so that one test can
// play several readers. It does not follow redirects.
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// tellStory sends "Tell your story" once and returns the status.
func tellStory(t *testing.T, c *http.Client, base, forwardedFor string) int {
	t.Helper()
	f := url.Values{"story": {"We left on the third day with one suitcase."}, "story_lang": {"en"}, "consent": {"yes"}}
	req, err := http.NewRequest(http.MethodPost, base+"/en/tell", strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServe_BehindProxy puts a reverse proxy (net/http/httputil, which
// appends the client's address to X-Forwarded-For as nginx's
// $proxy_add_x_forwarded_for does) in front of the whole program, trusted
// through TRUSTED_PROXIES, and checks that the per-client limit of "Tell
// your story" (5 an hour) counts each reader behind it apart, that nothing
// a client writes in X-Forwarded-For moves it to another count, and that
// no client address reaches the log even at debug level.
func TestServe_BehindProxy(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1/32", "LOG_LEVEL": "debug"})
	target, _ := url.Parse(s.URL)
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
		r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"]
		r.SetXForwarded()
	}})
	defer proxy.Close()

	alice, bob := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.3")
	for i := range 5 {
		if got := tellStory(t, alice, proxy.URL, ""); got != http.StatusSeeOther {
			t.Fatalf("alice's story %d through the proxy: got %d, want 303; logs:\n%s", i+1, got, s.logs)
		}
	}
	if got := tellStory(t, alice, proxy.URL, ""); got != http.StatusTooManyRequests {
		t.Errorf("alice's sixth story: got %d, want 429", got)
	}
	if got := tellStory(t, alice, proxy.URL, "198.51.100.23"); got != http.StatusTooManyRequests {
		t.Errorf("alice's sixth story with a made-up X-Forwarded-For through the proxy: got %d, want 429", got)
	}
	if got := tellStory(t, bob, proxy.URL, ""); got != http.StatusSeeOther {
		t.Errorf("bob behind the same proxy: got %d, want 303 (his own limit)", got)
	}

	// A client that reaches the server directly is not a trusted proxy:
	// its X-Forwarded-For is ignored, whatever it says.
	mallory := clientFrom(t, "127.0.0.4")
	for i := range 5 {
		if got := tellStory(t, mallory, s.URL, "203.0.113."+string(rune('1'+i))); got != http.StatusSeeOther {
			t.Fatalf("mallory's story %d: got %d", i+1, got)
		}
	}
	if got := tellStory(t, mallory, s.URL, "203.0.113.99"); got != http.StatusTooManyRequests {
		t.Errorf("mallory's sixth story under yet another X-Forwarded-For: got %d, want 429", got)
	}

	for _, addr := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "198.51.100.23", "203.0.113."} {
		if strings.Contains(s.logs.String(), addr) {
			t.Errorf("the log holds the client address %s:\n%s", addr, s.logs)
		}
	}
}
