package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// cacheModes are the ways a site learns of changes: by reading versions on
// every request (no watch), or from a store.PageWatch, which counts a
// change made by another process when PostgreSQL announces it, and one
// made by this process when told (Touch), before the next request.
var cacheModes = []struct {
	name           string
	watched, touch bool
}{
	{"no watch", false, false},
	{"watch, change by another process", true, false},
	{"watch, change by this process", true, true},
}

// watchPages gives srv a listening page watch, as main does.
func watchPages(t testing.TB, srv *Server) *store.PageWatch {
	t.Helper()
	w := srv.store.WatchPages(t.Context(), slog.New(slog.DiscardHandler))
	awaitWatch(t, w, func(_ uint64, live bool) bool { return live })
	srv.cfg.PageWatch = w
	return w
}

// awaitWatch waits until cond holds of the watch's count, failing after a
// while.
func awaitWatch(t testing.TB, w *store.PageWatch, cond func(gen uint64, live bool) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if cond(w.Current()) {
			return
		}
		if time.Now().After(deadline) {
			gen, live := w.Current()
			t.Fatalf("page watch: still at %d, listening %v", gen, live)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// changer returns how a test makes a change in the given mode: with a
// watch, it waits for PostgreSQL's announcement of a change made as by
// another process, or Touches the watch for one made by this process.
func changer(t *testing.T, srv *Server, watched, touch bool) func(change func()) {
	if !watched {
		return func(change func()) { change() }
	}
	w := watchPages(t, srv)
	return func(change func()) {
		t.Helper()
		before, _ := w.Current()
		change()
		if touch {
			w.Touch()
			return
		}
		awaitWatch(t, w, func(gen uint64, live bool) bool { return live && gen > before })
	}
}

// TestStoryPage_NeverStale: story pages come from the page cache, and every
// change to what a page shows, made straight in the database as another
// process of the publication would make it, shows on the very next request
// (with a watch: the first request after PostgreSQL announced it, or, for
// a change by this process, the very next).
func TestStoryPage_NeverStale(t *testing.T) {
	t.Parallel()
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			d := newDialogueSite(t)
			testStoryPageNeverStale(t, d, changer(t, d.srv, mode.watched, mode.touch))
		})
	}
}

func testStoryPageNeverStale(t *testing.T, d *dialogueSite, apply func(change func())) {
	ctx := t.Context()
	path := storyURL("en", d.en.Slug)
	page := func() string {
		t.Helper()
		return expect(t, d.get(path), http.StatusOK)
	}
	alice, bob := remoteAuthor("alice", "mastodon.example"), remoteAuthor("bob", "gts.example")
	first := d.reply(alice, d.en, nil, content.Reply{ContentHTML: "<p>first words</p>"})
	held := d.reply(bob, d.en, nil, content.Reply{ContentHTML: "<p>held words</p>", State: content.ReplyPending})

	body := page()
	contains(t, body, "first words")
	lacks(t, body, "held words")
	if again := page(); again != body {
		t.Fatal("the same page twice, with nothing changed, differs")
	}
	if p := d.srv.pages.get(path, cachedVersion(t, d.srv, path)); p == nil {
		t.Fatal("the page was not kept in the cache")
	}
	// With a watch, a page read while no change was announced is vouched
	// for without a query. The announcements of the setup's own writes may
	// still be on their way: read until a read saw none arrive.
	for tries := 0; ; tries++ {
		before, _ := d.srv.cfg.PageWatch.Current()
		page()
		gen, live := d.srv.cfg.PageWatch.Current()
		if !live {
			break
		}
		if gen == before {
			if d.srv.pages.fresh(path, gen) == nil {
				t.Fatal("with a watch, the page read twice is not vouched for")
			}
			break
		}
		if tries == 100 {
			t.Fatal("page watch: announcements keep arriving with nothing changing")
		}
	}

	steps := []struct {
		name         string
		change       func()
		want, unwant string
	}{
		{"approved", func() { d.setReplyState(held, content.ReplyVisible) }, "held words", ""},
		{"hidden", func() { d.setReplyState(first, content.ReplyHidden) }, "held words", "first words"},
		{"unhidden", func() { d.setReplyState(first, content.ReplyVisible) }, "first words", ""},
		{"edited by its author", func() {
			if ok, _, err := d.store.UpdateReply(ctx, first.APID, alice.ID, store.ReplyEdit{ContentHTML: "<p>second thoughts</p>", Updated: d.clock.Add(time.Hour)}); err != nil || !ok {
				t.Fatalf("UpdateReply = %v, %v", ok, err)
			}
		}, "second thoughts", "first words"},
		{"author renamed", func() {
			err := d.store.SaveRemoteActor(ctx, &store.RemoteActor{ID: alice.ID, Host: alice.Host, Inbox: alice.ID + "/inbox", Username: "alice", Name: "Alice Renamed", URL: alice.URL})
			if err != nil {
				t.Fatal(err)
			}
		}, "Alice Renamed", ""},
		{"liked", func() {
			if err := d.store.ImportReaction(ctx, "like", "https://mastodon.example/likes/1", alice.ID, d.en.ID); err != nil {
				t.Fatal(err)
			}
		}, "1 like", ""},
		{"deleted by its author", func() {
			if gone, err := d.store.DeleteReply(ctx, held.APID, bob.ID); err != nil || !gone {
				t.Fatalf("DeleteReply = %v, %v", gone, err)
			}
		}, "second thoughts", "held words"},
		{"title edited", func() {
			tr, err := d.store.Translation(ctx, d.en.ID)
			if err != nil {
				t.Fatal(err)
			}
			tr.Title = "Letters from Tbilisi, revised"
			if err := d.store.SaveTranslation(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}, "Letters from Tbilisi, revised", ""},
		{"other translation edited", func() {
			tr, err := d.store.Translation(ctx, d.ru.ID)
			if err != nil {
				t.Fatal(err)
			}
			tr.Title = "Письма из Тбилиси, вторая редакция"
			if err := d.store.SaveTranslation(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}, "Письма из Тбилиси, вторая редакция", ""},
		{"byline changed", func() {
			st, err := d.store.Story(ctx, d.story.ID)
			if err != nil {
				t.Fatal(err)
			}
			st.BylineName = "Maria L."
			if err := d.store.UpdateStory(ctx, st); err != nil {
				t.Fatal(err)
			}
		}, "Maria L.", "Anna K."},
	}
	for _, step := range steps {
		apply(step.change)
		body := page()
		if !strings.Contains(body, step.want) {
			t.Errorf("%s: the next page lacks %q", step.name, step.want)
		}
		if step.unwant != "" && strings.Contains(body, step.unwant) {
			t.Errorf("%s: the next page still has %q", step.name, step.unwant)
		}
	}

	apply(func() { d.setState(d.en.ID, content.StateWithdrawn) })
	expect(t, d.get(path), http.StatusGone)
}

// TestStoryPage_CachedResponse: a page from the cache is sent as render
// sends it: the same ETag and 304, gzip to clients that take it, the same
// HTML otherwise, headers only for HEAD.
func TestStoryPage_CachedResponse(t *testing.T) {
	t.Parallel()
	d := newDialogueSite(t)
	d.reply(remoteAuthor("alice", "mastodon.example"), d.en, nil, content.Reply{ContentHTML: "<p>kept words</p>"})
	path := storyURL("en", d.en.Slug)

	first := d.get(path)
	plain := expect(t, first, http.StatusOK)
	etag := first.Header().Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("ETag %q", etag)
	}

	gz := d.get(path, "Accept-Encoding", "br, gzip;q=0.8")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") != etag {
		t.Fatalf("gzip response: encoding %q, ETag %q", gz.Header().Get("Content-Encoding"), gz.Header().Get("ETag"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || string(unzipped) != plain {
		t.Errorf("the gzip body is not the page (%v)", err)
	}
	if !strings.Contains(strings.Join(gz.Header().Values("Vary"), ","), "Accept-Encoding") {
		t.Errorf("Vary %q lacks Accept-Encoding", gz.Header().Values("Vary"))
	}

	if rec := d.get(path, "Accept-Encoding", "identity"); rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != plain {
		t.Errorf("no gzip accepted: got encoding %q", rec.Header().Get("Content-Encoding"))
	}
	if rec := d.get(path, "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match: got %d with %d bytes, want 304 and none", rec.Code, rec.Body.Len())
	}
	req, _ := http.NewRequest(http.MethodHead, path, nil)
	if rec := d.do(req); rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
		t.Errorf("HEAD: got %d, %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
}

// TestLists_NeverStale: sections, tags and bylines come from the page
// cache, and a story published, edited or withdrawn shows on the very next
// request.
func TestLists_NeverStale(t *testing.T) {
	t.Parallel()
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			testListsNeverStale(t, s, changer(t, s.srv, mode.watched, mode.touch))
		})
	}
}

func testListsNeverStale(t *testing.T, s *testSite, apply func(change func())) {
	ctx := t.Context()
	first := s.addStory(storySpec{Byline: content.BylineName, BylineName: "Anna K.",
		Translations: []content.Translation{published("en", "Winter in Narva", "border")}})
	for _, path := range []string{"/en/", "/en/tags/border", "/en/by/anna-k"} {
		contains(t, expect(t, s.get(path), http.StatusOK), "Winter in Narva")
		if s.srv.pages.get(path, cachedCatalog(t, s.srv)) == nil {
			t.Errorf("%s was not kept in the cache", path)
		}
	}

	apply(func() {
		s.addStory(storySpec{Byline: content.BylineName, BylineName: "Anna K.",
			Translations: []content.Translation{published("en", "Spring in Tbilisi", "border")}})
	})
	for _, path := range []string{"/en/", "/en/tags/border", "/en/by/anna-k"} {
		contains(t, expect(t, s.get(path), http.StatusOK), "Spring in Tbilisi", "Winter in Narva")
	}

	tr, err := s.store.Translation(ctx, first.Translation("en").ID)
	if err != nil {
		t.Fatal(err)
	}
	tr.Title = "Winter in Narva, revised"
	apply(func() {
		if err := s.store.SaveTranslation(ctx, tr); err != nil {
			t.Fatal(err)
		}
	})
	contains(t, expect(t, s.get("/en/"), http.StatusOK), "Winter in Narva, revised")

	apply(func() { s.setState(tr.ID, content.StateWithdrawn) })
	for _, path := range []string{"/en/", "/en/tags/border", "/en/by/anna-k"} {
		lacks(t, expect(t, s.get(path), http.StatusOK), "Winter in Narva")
	}
}

func TestListKey(t *testing.T) {
	for _, c := range []struct{ target, want string }{
		{"/en/", "/en/"},
		{"/en/?page=2", "/en/?page=2"},
		{"/en/tags/x?page=12", "/en/tags/x?page=12"},
		{"/en/?page=1", ""},
		{"/en/?page=02", ""},
		{"/en/?page=", ""},
		{"/en/?page=2&x=1", ""},
		{"/en/?utm_source=x", ""},
		{"/en/?page=123456", ""},
	} {
		r, _ := http.NewRequest(http.MethodGet, c.target, nil)
		if got := listKey(r); got != c.want {
			t.Errorf("listKey(%s) = %q, want %q", c.target, got, c.want)
		}
	}
}

// cachedCatalog reads the catalog's version.
func cachedCatalog(t *testing.T, s *Server) string {
	t.Helper()
	v, err := s.store.CatalogVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAcceptsGzip(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"br, gzip, deflate", true},
		{"GZIP;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip;q=0, *", false},
		{"*", true},
		{"*;q=0", false},
		{"br, deflate", false},
		{"identity", false},
	} {
		if got := serve.AcceptsGzip([]string{c.header}); got != c.want {
			t.Errorf("serve.AcceptsGzip(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}

func TestPageCache_Bounded(t *testing.T) {
	c := newPageCache(1000)
	big := &cachedPage{version: "1", raw: make([]byte, 300)}
	c.put("/too-big", big) // more than a quarter of the room
	if c.get("/too-big", "1") != nil {
		t.Error("a page over a quarter of the cache was kept")
	}
	for i, p := range []string{"/a", "/b", "/c", "/d", "/e"} {
		c.put(p, &cachedPage{version: "v", raw: make([]byte, 200), gz: make([]byte, 40+i)})
	}
	if c.size > 1000 {
		t.Errorf("%d bytes kept, limit 1000", c.size)
	}
	if c.get("/e", "v") == nil {
		t.Error("the page just kept is gone")
	}
	if c.get("/e", "w") != nil {
		t.Error("a page was served for another version")
	}
	c.put("/e", &cachedPage{version: "w", raw: make([]byte, 10)})
	if c.get("/e", "v") != nil || c.get("/e", "w") == nil {
		t.Error("a newer version did not replace the older one")
	}
}

// cachedVersion reads the version the store gives for a story page's path.
func cachedVersion(t *testing.T, s *Server, path string) string {
	t.Helper()
	parts := strings.Split(strings.Trim(path, "/"), "/")
	pv, err := s.store.TranslationPageVersion(t.Context(), parts[0], parts[2])
	if err != nil {
		t.Fatal(err)
	}
	return pv.Version
}

// setReplyState moves a reply as a moderator would.
func (d *dialogueSite) setReplyState(r *content.Reply, state content.ReplyState) {
	d.t.Helper()
	if _, err := d.store.SetReplyState(d.t.Context(), 0, []int64{r.ID}, state, "off topic"); err != nil {
		d.t.Fatalf("SetReplyState: %v", err)
	}
}
