package transport

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestIsPublic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", false},
		{"127.0.0.2", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"fd12:3456::1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"100.127.255.254", false},
		{"192.0.2.7", false},
		{"198.18.0.1", false},
		{"255.255.255.255", false},
		{"64:ff9b::a00:1", false},   // NAT64 of 10.0.0.1
		{"2002:c0a8:101::1", false}, // 6to4 of 192.168.1.1
		{"2001:db8::1", false},
		{"8.8.8.8", true},
		{"172.32.0.1", true},
		{"100.128.0.1", true},
		{"2606:4700::6810:84e5", true},
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
	}
	for _, tc := range tests {
		if got := isPublic(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("isPublic(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

// listen starts srv on its own loopback address 127.0.0.n.
func listen(t *testing.T, n int, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", n))
	if err != nil {
		t.Fatalf("listen on 127.0.0.%d: %v", n, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func ok(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }

func TestNew_RefusesNonPublic(t *testing.T) {
	t.Parallel()
	srv := listen(t, 1, http.HandlerFunc(ok))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	// Loopback targets are dialled for real: the refusal must come from
	// the check, not from a closed port, so a server listens on 127.0.0.1.
	for _, target := range []string{
		srv.URL,
		"http://localhost:" + port + "/",
		"http://[::1]:" + port + "/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
	} {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			c := New(Options{})
			resp, err := c.Get(target)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s succeeded", target)
			}
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("GET %s: got %v, want ErrForbiddenAddress", target, err)
			}
		})
	}

	// Other private targets must never see a packet from the tests, even if
	// the check were broken: a second hook, after the check, stops any dial
	// that passes it and records it.
	for _, target := range []string{
		"http://10.0.0.1/",
		"http://192.168.0.1/",
		"http://169.254.169.254/latest/meta-data/",
		"http://100.64.0.1/",
		"http://[fd00::1]/",
		"http://[fe80::1]/",
		"http://0.0.0.0/",
	} {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			var passed atomic.Bool
			stop := func(netip.Addr) error { passed.Store(true); return errors.New("test: dial stopped") }
			c := newClient(Options{}, publicOnly, stop)
			resp, err := c.Get(target)
			if err == nil {
				resp.Body.Close()
			}
			if passed.Load() || !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("GET %s: got %v (passed the check: %v), want ErrForbiddenAddress", target, err, passed.Load())
			}
		})
	}
}

func TestNew_AllowPrivate(t *testing.T) {
	t.Parallel()
	var ua atomic.Value
	srv := listen(t, 1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		io.WriteString(w, "ok")
	}))
	want := UserAgent("0.3.0", "https://samizdat.example/")
	c := New(Options{AllowPrivate: true, UserAgent: want})
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadBody(resp, MaxBody)
	if err != nil || string(b) != "ok" {
		t.Fatalf("body %q, %v", b, err)
	}
	if got := ua.Load(); got != "Samizdat/0.3.0 (+https://samizdat.example/)" {
		t.Errorf("User-Agent = %q", got)
	}
}

// TestNew_Redirects checks the limit of three redirects, and that the target
// of a redirect meets the address check again.
func TestNew_Redirects(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	var sawSignature atomic.Bool
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Signature") != "" && r.PathValue("n") != "3" {
			sawSignature.Store(true)
		}
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			io.WriteString(w, "landed")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	srv := listen(t, 2, mux)
	c := New(Options{AllowPrivate: true})

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/hop/3", nil)
	req.Header.Set("Signature", `keyId="k",signature="s"`)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("three redirects: %v", err)
	}
	if b, _ := ReadBody(resp, MaxBody); string(b) != "landed" {
		t.Errorf("body %q", b)
	}
	if sawSignature.Load() {
		t.Error("a redirected request kept the stale Signature")
	}
	if resp, err := c.Get(srv.URL + "/hop/4"); err == nil {
		resp.Body.Close()
		t.Error("four redirects were followed")
	}

	// 127.0.0.2 is allowed, 127.0.0.3 is not: a redirect from one to the
	// other must fail at the dial.
	other := listen(t, 3, http.HandlerFunc(ok))
	bounce := listen(t, 2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusFound)
	}))
	only2 := func(a netip.Addr) error {
		if a == netip.MustParseAddr("127.0.0.2") {
			return nil
		}
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, a)
	}
	resp, err = newClient(Options{}, only2, nil).Get(bounce.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("redirect to a refused address was followed")
	}
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("got %v, want ErrForbiddenAddress", err)
	}
}

func TestNew_Timeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := listen(t, 4, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	c := New(Options{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	start := time.Now()
	resp, err := c.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("a hanging server did not time out")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timed out after %s", d)
	}
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	srv := listen(t, 5, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.URL.Query().Get("n"), &n)
		if r.URL.Query().Get("chunked") != "" {
			w.(http.Flusher).Flush() // no Content-Length
		}
		io.WriteString(w, strings.Repeat("a", n))
	}))
	c := New(Options{AllowPrivate: true})
	tests := []struct {
		query   string
		wantErr bool
	}{
		{"n=10", false},
		{fmt.Sprintf("n=%d", MaxBody), false},
		{fmt.Sprintf("n=%d", MaxBody+1), true},
		{fmt.Sprintf("n=%d&chunked=1", MaxBody+1), true},
		{fmt.Sprintf("n=%d&chunked=1", MaxBody), false},
	}
	for _, tc := range tests {
		resp, err := c.Get(srv.URL + "/?" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ReadBody(resp, MaxBody)
		if tc.wantErr != errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: got %d bytes, %v; want too large: %v", tc.query, len(b), err, tc.wantErr)
		}
	}
}

func TestReserved(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"example":               true,
		"harbour.example":       true,
		"Harbour.EXAMPLE:443":   true,
		"a.b.example.":          true,
		"nowhere.invalid":       true,
		"example.org":           false,
		"example.com:8080":      false,
		"mastodon.social":       false,
		"notexample":            false,
		"samizdat.test":         false,
		"127.0.0.1:8080":        false,
		"[::1]:443":             false,
		"exampleexample.social": false,
	} {
		if got := Reserved(host); got != want {
			t.Errorf("Reserved(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestNew_RefusesReservedHosts: a request to a .example host, directly or
// through a redirect, fails before any name is resolved or address
// dialled, even in a client that may reach private addresses.
func TestNew_RefusesReservedHosts(t *testing.T) {
	t.Parallel()
	redirect := listen(t, 1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://harbour.example/users/sam", http.StatusFound)
	}))
	for _, target := range []string{"https://harbour.example/inbox", "http://quai.example:8080/users/lea", redirect.URL} {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			var dialled atomic.Int32
			count := func(a netip.Addr) error {
				if !a.IsLoopback() {
					dialled.Add(1)
					return errors.New("test: dial stopped")
				}
				return nil
			}
			c := newClient(Options{AllowPrivate: true}, func(netip.Addr) error { return nil }, count)
			resp, err := c.Post(target, "application/activity+json", strings.NewReader("{}"))
			if err == nil {
				resp.Body.Close()
				t.Fatalf("POST %s succeeded", target)
			}
			if !errors.Is(err, ErrReservedHost) || !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("POST %s: got %v, want ErrReservedHost", target, err)
			}
			if n := dialled.Load(); n != 0 {
				t.Errorf("%d dials to other hosts", n)
			}
		})
	}
}

// TestNew_KeepsConnections checks that a second round of requests to more
// hosts than net/http keeps idle by default (100) reuses every connection
// of the first: each instance of a fan-out is dialled once, not once per
// delivery. The servers count the connections they accept.
func TestNew_KeepsConnections(t *testing.T) {
	t.Parallel()
	const hosts = 150
	var conns atomic.Int64
	srvs := make([]*httptest.Server, hosts)
	for i := range srvs {
		srvs[i] = httptest.NewUnstartedServer(http.HandlerFunc(ok))
		srvs[i].Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srvs[i].Start()
		t.Cleanup(srvs[i].Close)
	}
	c := New(Options{AllowPrivate: true})
	for round := 1; round <= 2; round++ {
		for _, srv := range srvs {
			resp, err := c.Post(srv.URL+"/inbox", "application/activity+json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ReadBody(resp, MaxBody); err != nil {
				t.Fatal(err)
			}
		}
		if got := conns.Load(); got != hosts {
			t.Fatalf("round %d: %d connections for %d hosts, want %d", round, got, hosts, hosts)
		}
	}
}
