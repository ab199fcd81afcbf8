package web

import (
	"bytes"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestServeKept_AsRouted: a kept page the watch vouches for, answered
// before any routing (serveKept), is the response the router and the
// page's handler give: the same status, body and headers (security
// headers, Vary, ETag, gzip or not, 304, HEAD), and the same route for
// the metrics. ActivityPub still reaches federation, and a request
// while requests are logged is routed and logged.
func TestServeKept_AsRouted(t *testing.T) {
	t.Parallel()
	var level slog.LevelVar
	var log bytes.Buffer
	d := newDialogueSite(t)
	d.srv.logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: &level}))
	d.srv.handler = d.srv.routes() // with that logger
	watchPages(t, d.srv)
	// Counts the requests that reach the site's router.
	routedCount := 0
	router := d.srv.handler
	d.srv.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		routedCount++
		router.ServeHTTP(w, r)
	})
	// As main mounts the site: a root router, whose route a metrics
	// middleware reads when the request has been answered, and Kept
	// first after it.
	var route string
	root := chi.NewRouter()
	root.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			route = chi.RouteContext(r.Context()).RoutePattern()
		})
	})
	root.Use(d.srv.Kept)
	d.srv.Mount(root)
	do := func(method, path string, headers ...string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		w := httptest.NewRecorder()
		root.ServeHTTP(w, r)
		return w
	}

	for _, tc := range []struct{ path, route string }{
		{storyURL("en", d.en.Slug), "/{lang}/stories/{slug}"},
		{"/en/", "/{lang}"},
		{"/en/tags/exile", "/{lang}/tags/{tag}"},
		{"/en/by/anna-k", "/{lang}/by/{byline}"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			variants := [][]string{
				{"Accept-Encoding", "gzip"},
				{"Accept-Encoding", "identity"},
				{"Accept", "text/html", "Accept-Encoding", "br, gzip;q=0.5"},
			}
			// Routed: rendered first, then answered by the handler
			// from the cache before the watch vouched for it.
			d.srv.pages = newPageCache(pageCacheSize)
			var routed []*httptest.ResponseRecorder
			for _, h := range variants {
				routed = append(routed, do(http.MethodGet, tc.path, h...))
				if route != tc.route {
					t.Errorf("routed: route %q, want %q", route, tc.route)
				}
			}
			etag := routed[0].Header().Get("ETag")
			routed = append(routed, do(http.MethodGet, tc.path, "If-None-Match", etag), do(http.MethodHead, tc.path, "Accept-Encoding", "gzip"))
			variants = append(variants, []string{"If-None-Match", etag}, nil)

			// The announcements of the setup's writes may still be on
			// their way: read until the watch vouches for the page.
			awaitKept(t, d.srv, listKey(httptest.NewRequest(http.MethodGet, tc.path, nil)), func() { do(http.MethodGet, tc.path) })
			routedCount = 0
			for i, h := range variants {
				method := http.MethodGet
				if h == nil {
					method = http.MethodHead
					h = []string{"Accept-Encoding", "gzip"}
				}
				route = ""
				kept := do(method, tc.path, h...)
				if route != tc.route {
					t.Errorf("kept: route %q, want %q", route, tc.route)
				}
				want := routed[i]
				if kept.Code != want.Code || kept.Body.String() != want.Body.String() {
					t.Errorf("%s %v: kept %d (%d bytes), routed %d (%d bytes)", method, h, kept.Code, kept.Body.Len(), want.Code, want.Body.Len())
				}
				if !maps.EqualFunc(kept.Header(), want.Header(), slices.Equal) {
					t.Errorf("%s %v: headers\nkept   %v\nrouted %v", method, h, kept.Header(), want.Header())
				}
			}
			if routedCount != 0 {
				t.Errorf("%d requests for the kept page were routed, want none", routedCount)
			}
		})
	}

	// ActivityPub on a kept story page goes to federation.
	path := storyURL("en", d.en.Slug)
	awaitKept(t, d.srv, path, func() { do(http.MethodGet, path) })
	if rec := do(http.MethodGet, path, "Accept", "application/activity+json"); rec.Header().Get("Content-Type") != "application/activity+json" {
		t.Errorf("ActivityPub on a kept page: Content-Type %q", rec.Header().Get("Content-Type"))
	}

	// While requests are logged, every one is routed, and logged.
	level.Set(slog.LevelDebug)
	routedCount = 0
	expect(t, do(http.MethodGet, path), http.StatusOK)
	if routedCount != 1 || !strings.Contains(log.String(), "path="+path) {
		t.Errorf("with debug logging: %d routed, log %q", routedCount, log.String())
	}
}

// awaitKept requests a page (get) until the watch vouches for the page
// kept under key, failing after a while.
func awaitKept(t *testing.T, srv *Server, key string, get func()) {
	t.Helper()
	for tries := 0; ; tries++ {
		get()
		gen, _ := srv.cfg.PageWatch.Current()
		if srv.pages.fresh(key, gen) != nil {
			return
		}
		if tries == 200 {
			t.Fatalf("%s: the watch never vouched for the kept page", key)
		}
	}
}

// TestHTML_NoCache: every HTML page, kept or rendered, found or not, says
// no-cache, so that a CDN or a browser that keeps it asks again (with its
// ETag) before showing it; a page its handler marked otherwise keeps that.
func TestHTML_NoCache(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	twoLanguageStory(s)
	for _, path := range []string{"/", "/en/", "/en/stories/letters-from-tbilisi", "/en/tags/exile", "/en/by/anna-k",
		"/en/tell", "/en/no-such-page", "/en/stories/no-such-story"} {
		for range 2 { // rendered, then kept
			if cc := s.get(path, "Accept-Encoding", "gzip").Header().Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-cache" {
				t.Errorf("%s: Cache-Control %q, want no-cache", path, cc)
			}
		}
	}
	if cc := s.get("/en/ask").Header().Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("/en/ask: Cache-Control %q", cc)
	}
}
