package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"samizdat/content/store"
)

// TestTouchAfterWrites: a request that may write counts as a change on the
// page watch before the first byte of its answer, once, however it
// answers; a reading request does not.
func TestTouchAfterWrites(t *testing.T) {
	for _, c := range []struct {
		method  string
		answer  func(w http.ResponseWriter)
		touches uint64
	}{
		{http.MethodPost, func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) }, 1},
		{http.MethodPost, func(w http.ResponseWriter) { w.Write([]byte("ok")); w.Write([]byte("!")) }, 1},
		{http.MethodPost, func(w http.ResponseWriter) {}, 1}, // net/http answers after the handler
		{http.MethodDelete, func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }, 1},
		{http.MethodGet, func(w http.ResponseWriter) { w.Write([]byte("page")) }, 0},
		{http.MethodHead, func(w http.ResponseWriter) {}, 0},
	} {
		for _, path := range []string{"/inbox", "/desk/stories/1"} { // touched, and synced
			pages := &store.PageWatch{}
			h := touchAfterWrites(pages)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.answer(w) }))
			// The spy stands where the connection is: it sees the count the
			// answer's first byte goes out with.
			var started bool
			var atFirstByte uint64
			spy := &firstByteSpy{ResponseWriter: httptest.NewRecorder(), seen: func() {
				started = true
				atFirstByte, _ = pages.Current()
			}}
			h.ServeHTTP(spy, httptest.NewRequest(c.method, path, nil))
			got, _ := pages.Current()
			if got != c.touches {
				t.Errorf("%s %s: %d touches, want %d", c.method, path, got, c.touches)
			}
			if started && atFirstByte != c.touches {
				t.Errorf("%s %s: the answer started at count %d, want %d", c.method, path, atFirstByte, c.touches)
			}
		}
	}
}

// firstByteSpy calls seen when a handler starts its answer.
type firstByteSpy struct {
	http.ResponseWriter
	seen func()
	done bool
}

func (s *firstByteSpy) WriteHeader(code int) {
	s.once()
	s.ResponseWriter.WriteHeader(code)
}

func (s *firstByteSpy) Write(b []byte) (int, error) {
	s.once()
	return s.ResponseWriter.Write(b)
}

func (s *firstByteSpy) once() {
	if !s.done {
		s.done = true
		s.seen()
	}
}

// A process in the worker role answers the health checks on LISTEN_ADDR
// and nothing else: the site, the inbox and the desk are the web role's.
func TestServe_WorkerRoleServesHealthOnly(t *testing.T) {
	t.Parallel()
	srv := startServer(t, map[string]string{"SAMIZDAT_ROLES": "worker"})
	for path, want := range map[string]int{
		"/healthz": http.StatusOK, "/readyz": http.StatusOK,
		"/": http.StatusNotFound, "/en/": http.StatusNotFound, "/desk/": http.StatusNotFound,
		"/.well-known/webfinger?resource=acct:en@127.0.0.1": http.StatusNotFound,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s on a worker: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
