package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestWire: the answers' statuses are read, whatever way their bodies end
// (a length, chunks, the connection's end), and a connection carries the
// next request unless the answer closed it.
func TestWire(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Signature") != "sig" || r.ContentLength != 2 {
			http.Error(w, "not the request sent", http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/empty":
			w.WriteHeader(http.StatusAccepted)
		case "/length":
			http.Error(w, "gone", http.StatusGone)
		case "/chunked":
			for i := range 3 {
				fmt.Fprintf(w, "part %d %s\n", i, strings.Repeat("x", 100))
				w.(http.Flusher).Flush()
			}
		case "/close":
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	w := newWire(strings.TrimPrefix(srv.URL, "http://"), 1)
	defer w.close()
	req := func(path string) signedRequest {
		return wireRequest(strings.TrimPrefix(srv.URL, "http://"), path, []byte("{}"), http.Header{"Signature": {"sig"}})
	}
	for _, c := range []struct {
		path  string
		want  int
		conns int64 // opened so far
	}{
		{"/empty", http.StatusAccepted, 1},
		{"/length", http.StatusGone, 1},
		{"/chunked", http.StatusOK, 1},
		{"/empty", http.StatusAccepted, 1},
		{"/close", http.StatusServiceUnavailable, 1},
		{"/empty", http.StatusAccepted, 2},
	} {
		got, err := w.do(req(c.path))
		if err != nil || got != c.want || conns.Load() != c.conns {
			t.Errorf("%s: status %d, %v, after %d connections; want %d after %d", c.path, got, err, conns.Load(), c.want, c.conns)
		}
	}
}
