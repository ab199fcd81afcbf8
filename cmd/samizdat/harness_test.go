package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"samizdat/content/store/storetest"
)

// lockedBuffer collects the server's log output for failure messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is the whole program, started through run as main starts it,
// on its own database and a free loopback port.
type testServer struct {
	URL  string
	env  map[string]string
	logs *lockedBuffer
	stop func() // stops the server gracefully, once; the test's end calls it too
}

func (s *testServer) getenv(k string) string { return s.env[k] }

// startServer runs `samizdat serve` in-process and stops it (gracefully,
// checking that run returns nil) when the test ends.
func startServer(t *testing.T, extra map[string]string) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if a := extra["LISTEN_ADDR"]; a != "" {
		addr = a // a server started again where another one was
	}
	s := &testServer{
		URL:  "http://" + addr,
		logs: &lockedBuffer{},
		env: map[string]string{
			"DATABASE_URL":             storetest.NewURL(t),
			"BASE_URL":                 "http://" + addr,
			"LISTEN_ADDR":              addr,
			"MEDIA_DIR":                t.TempDir(),
			"FEDERATION_ALLOW_PRIVATE": "true",
			"LOG_LEVEL":                "warn",
			"SHUTDOWN_TIMEOUT":         "5s",
		},
	}
	for k, v := range extra {
		s.env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, s.getenv, nil, s.logs, s.logs) }()
	s.stop = sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after SIGINT-equivalent; logs:\n%s", err, s.logs)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("serve did not stop within 20s")
		}
	})
	t.Cleanup(s.stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v; logs:\n%s", err, s.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not answering at %s: %v; logs:\n%s", s.URL, err, s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// command runs another samizdat subcommand against the same database.
func (s *testServer) command(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errOut lockedBuffer
	if err := run(t.Context(), args, s.getenv, strings.NewReader(stdin), &out, &errOut); err != nil {
		t.Fatalf("samizdat %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// chromiumPath is Debian's Chromium, or $CHROMIUM.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the browser tests need Chromium at %s (make test installs Debian's chromium; or set CHROMIUM): %v", p, err)
	}
	return p
}

// listenOn takes a free port on addr, a loopback address of a fake peer's
// own (127.0.0.x), so that the peer knows its base URL before its handler
// is made; serveOn then serves the handler there until the test ends.
func listenOn(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	return ln
}

// serveOn serves h on ln, a listener from listenOn, until the test ends.
func serveOn(t *testing.T, ln net.Listener, h http.Handler) {
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
}

// newBrowser starts a headless Chromium with its own empty profile and
// records its traffic. Each call is a separate browser: no cookies or cache
// are shared.
func newBrowser(t *testing.T) (context.Context, *traffic) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	tr := &traffic{}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(tr.record))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, tr
}

// browserSteps returns the two helpers every browser test uses on ctx: step
// runs actions and fails the test with what it was doing and the server's
// log; text reads an element's text.
func browserSteps(t *testing.T, ctx context.Context, logs fmt.Stringer) (
	step func(what string, actions ...chromedp.Action[chromedp.Void]), text func(sel string) string) {
	step = func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v\nserver log:\n%s", what, err, logs)
		}
	}
	text = func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	return step, text
}

// traffic records every request a page makes and every Set-Cookie it gets.
type traffic struct {
	mu        sync.Mutex
	requests  []string
	setCookie []string
}

func (tr *traffic) record(ev any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		tr.requests = append(tr.requests, e.Request.URL)
	case *network.EventResponseReceivedExtraInfo:
		for k, v := range e.Headers {
			if strings.EqualFold(k, "Set-Cookie") {
				tr.setCookie = append(tr.setCookie, fmt.Sprint(v))
			}
		}
	}
}

// reset forgets what was recorded so far.
func (tr *traffic) reset() {
	tr.mu.Lock()
	tr.requests, tr.setCookie = nil, nil
	tr.mu.Unlock()
}

// foreignRequests lists requests to any host other than the server's.
func (tr *traffic) foreignRequests(base string) []string {
	b, _ := url.Parse(base)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []string
	for _, r := range tr.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Host != b.Host) {
			out = append(out, r)
		}
	}
	return out
}

// cookies returns the cookies the browser holds for url.
func cookies(ctx context.Context, url string) ([]*network.Cookie, error) {
	return chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
		return res.Cookies, err
	})
}
