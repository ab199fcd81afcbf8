package clientaddr

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestParsePrefixes(t *testing.T) {
	got, err := ParsePrefixes(" 10.0.0.0/8, 192.0.2.7 ::ffff:172.16.0.0/108,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "172.16.0.0/12", "fd00::/8"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("prefix %d: got %s, want %s", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy", "10.0.0.1/8/8"} {
		if _, err := ParsePrefixes(bad); err == nil {
			t.Errorf("ParsePrefixes(%q) took it", bad)
		}
	}
	if got, err := ParsePrefixes(""); err != nil || len(got) != 0 {
		t.Errorf("empty: got %v, %v", got, err)
	}
}

func TestMiddleware(t *testing.T) {
	trusted, _ := ParsePrefixes("10.0.0.0/8, 192.0.2.1")
	tests := []struct {
		name   string
		remote string
		xff    []string
		realIP string
		want   string
	}{
		{"untrusted peer keeps its own address", "203.0.113.9:4000", []string{"198.51.100.1"}, "198.51.100.2", "203.0.113.9"},
		{"trusted peer, one hop", "10.1.2.3:4000", []string{"198.51.100.1"}, "", "198.51.100.1"},
		{"rightmost untrusted hop wins over made-up ones", "10.1.2.3:4000", []string{"1.1.1.1, 198.51.100.1"}, "", "198.51.100.1"},
		{"trusted hops are skipped", "10.1.2.3:4000", []string{"198.51.100.1, 10.9.9.9", "192.0.2.1"}, "", "198.51.100.1"},
		{"X-Real-IP when no X-Forwarded-For", "192.0.2.1:80", nil, "198.51.100.7", "198.51.100.7"},
		{"no header: the proxy itself", "10.1.2.3:4000", nil, "", "10.1.2.3"},
		{"unreadable hop stops at the last trusted one", "10.1.2.3:4000", []string{"198.51.100.1, unknown"}, "", "10.1.2.3"},
		{"all hops trusted: the leftmost", "10.1.2.3:4000", []string{"10.0.0.5, 10.0.0.6"}, "", "10.0.0.5"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:4000", []string{"198.51.100.1"}, "", "198.51.100.1"},
		{"IPv6 client", "10.1.2.3:4000", []string{"2001:db8::1"}, "", "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got netip.Addr
			h := Middleware(trusted)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = From(r) }))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tt.realIP != "" {
				r.Header.Set("X-Real-IP", tt.realIP)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got.String() != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFrom_WithoutMiddleware(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "198.51.100.4:1234"
	r.Header.Set("X-Forwarded-For", "1.1.1.1")
	if got := From(r).String(); got != "198.51.100.4" {
		t.Errorf("got %s", got)
	}
}

func TestKey_IPv6Network(t *testing.T) {
	a := httptest.NewRequest("GET", "/", nil)
	a.RemoteAddr = "[2001:db8:1:2:aaaa::1]:1"
	b := httptest.NewRequest("GET", "/", nil)
	b.RemoteAddr = "[2001:db8:1:2:bbbb::2]:1"
	if Key(a) != Key(b) || Key(a) != "2001:db8:1:2::/64" {
		t.Errorf("keys %s and %s, want both 2001:db8:1:2::/64", Key(a), Key(b))
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(3, time.Hour, func() time.Time { return now })
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("request %d refused", i+1)
		}
	}
	if l.Allow("a") {
		t.Error("fourth request in the hour allowed")
	}
	if !l.Allow("b") {
		t.Error("another key held back")
	}
	now = now.Add(20 * time.Minute) // one request's worth
	if !l.Allow("a") || l.Allow("a") {
		t.Error("after a third of the period, want exactly one more request")
	}
	l.Reset("a")
	if !l.Allow("a") {
		t.Error("Reset did not forget the key")
	}

	// Keys whose bucket is full again are forgotten after a period.
	now = now.Add(2 * time.Hour)
	l.Allow("c")
	l.mu.Lock()
	n := len(l.m)
	l.mu.Unlock()
	if n != 1 {
		t.Errorf("after the sweep %d keys are kept, want 1 (c)", n)
	}
}

func TestLimiter_TakeUndo(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(2, time.Hour, func() time.Time { return now })
	for range 5 {
		ok, undo := l.Take("a")
		if !ok {
			t.Fatal("a request given back was still counted")
		}
		now = now.Add(3 * time.Second) // the request's own duration
		undo()
	}
	l.Allow("a")
	l.Allow("a")
	if ok, undo := l.Take("a"); ok {
		t.Error("a third request in the hour allowed")
	} else {
		undo() // harmless on a refusal
	}
	if l.Allow("a") {
		t.Error("undoing a refusal gave a request back")
	}
}
