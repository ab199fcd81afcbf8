package web

import (
	"bytes"
	"compress/gzip"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-chi/chi/v5"

	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// pageCache keeps rendered story pages and lists of stories, compressed and
// not, with their ETags, so that a page is rendered once per change rather than
// once per reader. A story page with fifty replies took some 5 ms of CPU to
// render, compress and hash, a section 3 ms, while
// docs/federation.md#publish-fetch-burst expects every receiving instance to
// fetch a new story within a minute of its publication, and readers come after
// them (docs/benchmarks.md).
//
// An entry is keyed by the page's path and the version of everything the
// page shows: store.TranslationPageVersion for a story page, read in the
// query that finds the translation anyway, and store.CatalogVersion for the
// lists. PostgreSQL triggers change those versions in the same transaction
// as any change to what the pages show (migration 005). An entry is used
// only when the version read now is the one it was rendered at, so a reply
// approved or hidden, by this process, another one, or by hand in psql,
// shows or goes on the very next request: there is nothing to invalidate,
// and nothing can be stale.
//
// Reading the version is most of what serving a kept page costs, so with a
// store.PageWatch listening for version changes, a page whose version was
// read since the watch last counted a change is served without reading it
// again (fresh). Every change is counted: the root router counts this
// process's own before answering the request that made them, so they show
// on the next request as before; PostgreSQL announces those of any other
// connection (another process, psql) at commit, and they show once the
// announcement has arrived, a fraction of a millisecond later.
type pageCache struct {
	mu      sync.Mutex
	max     int // bytes kept at most, raw and compressed together
	size    int
	entries map[string]*cachedPage // by path
}

// cachedPage is one rendered page.
type cachedPage struct {
	version string
	etag    string
	raw     []byte
	gz      []byte
	// checked is the watch's count of changes when version was last read
	// and found current.
	checked atomic.Uint64

	// The values of its response headers, made once and shared by every
	// response that sends the page, so that sending it allocates nothing.
	// They must not be changed, and each has no room beyond its length, so
	// that an append anywhere copies it.
	etagH, vary, rawLen, gzLen []string
	// patterns are the routes that rendered the page, for the metrics of
	// the requests serveKept answers without routing them.
	patterns []string
}

// Header values every kept page shares; never changed.
var (
	htmlType = []string{"text/html; charset=utf-8"}
	gzipName = []string{"gzip"}
	noCache  = []string{"no-cache"}
)

// pageCacheSize bounds the cache: some hundred story pages with their
// dialogues.
const pageCacheSize = 24 << 20

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, entries: map[string]*cachedPage{}}
}

// get returns the page at path rendered at version, if kept.
func (c *pageCache) get(path, version string) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.entries[path]
	if p == nil || p.version != version {
		return nil
	}
	return p
}

// last returns the page kept at path, whatever its version.
func (c *pageCache) last(path string) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[path]
}

// keptWhileDown returns the page kept under key when err says the database
// cannot be reached: its version cannot be checked, and the last page
// rendered is better than an error while PostgreSQL restarts. It returns
// nil otherwise.
func (s *Server) keptWhileDown(key string, err error) *cachedPage {
	if key == "" || !store.Unavailable(err) {
		return nil
	}
	return s.pages.last(key)
}

// countPage tells the metrics whether a page came from the cache.
func (s *Server) countPage(hit bool) {
	if s.cfg.PageCacheResult != nil {
		s.cfg.PageCacheResult(hit)
	}
}

// fresh returns the page at path when its version was read and found
// current at the watch's count gen, with no change counted since: it is
// still current. Only a listening watch's count means that.
func (c *pageCache) fresh(path string, gen uint64) *cachedPage {
	c.mu.Lock()
	p := c.entries[path]
	c.mu.Unlock()
	if p == nil || p.checked.Load() != gen {
		return nil
	}
	return p
}

// newCachedPage compresses and hashes a rendered page once, for every
// reader it will be sent to. vary is the Vary its handler set, if any, and
// patterns the routes that led to it.
func newCachedPage(version string, raw []byte, vary, patterns []string) *cachedPage {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	p := &cachedPage{version: version, etag: serve.ETag(raw), raw: raw, gz: buf.Bytes()}
	p.etagH = []string{p.etag}
	p.vary = slices.Clip(append(slices.Clone(vary), "Accept-Encoding"))
	p.rawLen = []string{strconv.Itoa(len(p.raw))}
	p.gzLen = []string{strconv.Itoa(len(p.gz))}
	p.patterns = slices.Clone(patterns)
	return p
}

// put keeps p for path, replacing the page rendered at an earlier version.
// When the cache is full, other pages go first, in no particular order.
func (c *pageCache) put(path string, p *cachedPage) {
	n := len(p.raw) + len(p.gz)
	if n > c.max/4 {
		return // one page must not push out everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[path]; old != nil {
		c.size -= len(old.raw) + len(old.gz)
		delete(c.entries, path)
	}
	for k, old := range c.entries {
		if c.size+n <= c.max {
			break
		}
		c.size -= len(old.raw) + len(old.gz)
		delete(c.entries, k)
	}
	c.entries[path] = p
	c.size += n
}

// writeCached sends a kept HTML page as render would have sent it: with its
// ETag, 304 for a matching If-None-Match, gzip-compressed for a client that
// accepts it (the compression middleware leaves a response that already
// has a Content-Encoding alone).
func (s *Server) writeCached(w http.ResponseWriter, r *http.Request, p *cachedPage) {
	// By canonical key, with the page's own values (see cachedPage). The
	// Vary is the one its handler set when it was rendered, which the
	// handler sets again on every request that reaches it.
	h := w.Header()
	h["Content-Type"] = htmlType
	h["Cache-Control"] = noCache // see render
	h["Etag"] = p.etagH
	h["Vary"] = p.vary
	if serve.ETagMatch(r.Header.Get("If-None-Match"), p.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, length := p.raw, p.rawLen
	if serve.AcceptsGzip(r.Header["Accept-Encoding"]) {
		h["Content-Encoding"] = gzipName
		body, length = p.gz, p.gzLen
	}
	h["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// renderKept renders a page, keeps it under key at version, read at the
// watch's count gen, and sends it as writeCached does. With no key or no
// version it only renders.
func (s *Server) renderKept(w http.ResponseWriter, r *http.Request, name string, data any, key, version string, gen uint64) {
	if key == "" || version == "" {
		s.render(w, r, http.StatusOK, name, data)
		return
	}
	body, ok := s.renderBytes(w, name, data)
	if !ok {
		return
	}
	s.countPage(false)
	var patterns []string
	if rc := chi.RouteContext(r.Context()); rc != nil {
		patterns = rc.RoutePatterns
	}
	p := newCachedPage(version, body, w.Header()["Vary"], patterns)
	p.checked.Store(gen)
	s.pages.put(key, p)
	s.writeCached(w, r, p)
}

// cachedList answers a list of stories (a section, a tag, a byline) from
// the cache when it holds the page at the catalog's current version.
// Otherwise it returns the key and version to keep the page under once
// rendered; both are "" when the page must not be kept: a query other than
// a plain page number (keys must not multiply with made-up parameters), or
// a version that could not be read.
func (s *Server) cachedList(w http.ResponseWriter, r *http.Request) (key, version string, gen uint64, answered bool) {
	key = listKey(r)
	if key == "" {
		return "", "", 0, false
	}
	p, gen := s.freshPage(key)
	if p != nil {
		s.countPage(true)
		s.writeCached(w, r, p)
		return "", "", 0, true
	}
	version, err := s.store.CatalogVersion(r.Context())
	if p := s.keptWhileDown(key, err); p != nil {
		s.countPage(true)
		s.writeCached(w, r, p)
		return "", "", 0, true
	}
	if err != nil {
		s.logger.Warn("catalog version", "err", err)
		return "", "", 0, false
	}
	if p = s.pages.get(key, version); p != nil {
		s.countPage(true)
		p.checked.Store(gen)
		s.writeCached(w, r, p)
		return "", "", 0, true
	}
	return key, version, gen, false
}

// serveKept answers a request for a kept page that the watch vouches is
// current, as the page's handler would have answered it, and reports
// whether it did: from ServeHTTP before the site's router, and from Kept
// before the program's. The routers, the request id, the compression
// writer and the handler's own steps cost more than sending the kept
// bytes does (docs/benchmarks.md). It leaves to the routers whatever the
// handlers would answer otherwise: methods but GET and HEAD, ActivityPub,
// escaped paths (routers match those by their escaped form, the cache by
// the decoded one), and everything while requests are logged, so that the
// log misses none.
func (s *Server) serveKept(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || r.URL.RawPath != "" {
		return false
	}
	gen, live := s.cfg.PageWatch.Current()
	if !live {
		return false
	}
	key := listKey(r)
	if key == "" {
		return false
	}
	p := s.pages.fresh(key, gen)
	if p == nil || s.cfg.ActivityPub != nil && wantsActivityPub(r) || s.logger.Enabled(r.Context(), slog.LevelDebug) {
		return false
	}
	serve.SetSecurityHeaders(w.Header())
	// Where the router would have named the route for the metrics.
	if rc := chi.RouteContext(r.Context()); rc != nil {
		rc.RoutePatterns = append(rc.RoutePatterns[:0], p.patterns...)
	}
	s.countPage(true)
	s.writeCached(w, r, p)
	return true
}

// freshPage returns the page kept under key when the watch vouches that
// it is current, and otherwise the watch's count, to be read before the
// version (a change counted after it then makes the page be checked again).
func (s *Server) freshPage(key string) (p *cachedPage, gen uint64) {
	gen, live := s.cfg.PageWatch.Current()
	if live {
		p = s.pages.fresh(key, gen)
	}
	return p, gen
}

// listKey is the cache key of a list page: its path, and its page number
// when the query is exactly page=N (N from 2 up, as pageURL writes it);
// "" for any other query.
func listKey(r *http.Request) string {
	q := r.URL.RawQuery
	if q == "" {
		return r.URL.Path
	}
	n, ok := strings.CutPrefix(q, "page=")
	if !ok || n == "" || n[0] < '1' || n[0] > '9' || len(n) > 5 || strings.Trim(n, "0123456789") != "" || n == "1" {
		return ""
	}
	return r.URL.Path + "?" + q
}
