package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/content/store/storetest"
	"samizdat/web/clientaddr"
)

// BenchmarkStoryPage serves a story page with 50 replies: Rendered builds
// and renders it as on a cache miss (the queries, the templates, gzip, the
// ETag), Cached is what every later request costs until something on the
// page changes (the version query and the kept bytes). make bench
// measures the same over HTTP under load (docs/benchmarks.md).
func BenchmarkStoryPage(b *testing.B) {
	st := storetest.New(b)
	ctx := b.Context()
	base, _ := url.Parse(testBase)
	srv, err := New(Config{BaseURL: base, Languages: []string{"en", "ru", "fr"}, PublicationName: "Samizdat",
		ArticleIRI: func(key string) string { return testBase + "/ap/articles/" + key }}, st, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	story := &content.Story{BylineKind: content.BylinePseudonym, BylineName: "Anna K."}
	md := ""
	for range 12 {
		md += "We crossed the bridge at dawn, when the guards change and nobody looks twice at a woman with a bag of apples.\n\n"
	}
	tr := &content.Translation{Lang: "en", Title: "The bridge at dawn", Teaser: "Two sisters and a border.", BodyMarkdown: md, Tags: []string{"border"}}
	if err := st.CreateStoryWithTranslation(ctx, story, tr); err != nil {
		b.Fatal(err)
	}
	if tr, err = st.SetTranslationState(ctx, tr.ID, content.StatePublished, time.Time{}); err != nil {
		b.Fatal(err)
	}
	when := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := range 50 {
		a := &content.RemoteAuthor{ID: fmt.Sprintf("https://m%d.example/users/u%d", i%10, i%20), Username: fmt.Sprintf("u%d", i%20),
			Host: fmt.Sprintf("m%d.example", i%10), Name: fmt.Sprintf("Reader %d", i%20)}
		r := &content.Reply{APID: fmt.Sprintf("%s/statuses/%d", a.ID, i), StoryID: story.ID, TranslationID: tr.ID,
			InReplyTo: testBase + "/ap/articles/" + tr.ObjectKey, Lang: "en", State: content.ReplyVisible,
			ContentHTML: "<p>My family lived through the same winter, and I recognise every street you name.</p>",
			Published:   when.Add(time.Duration(i) * time.Minute)}
		if err := st.ImportReply(ctx, r, a); err != nil {
			b.Fatal(err)
		}
	}
	path := storyURL("en", tr.Slug)
	get := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Accept-Encoding", "gzip")
		return r
	}

	b.Run("Rendered", func(b *testing.B) {
		for b.Loop() {
			srv.pages = newPageCache(pageCacheSize) // every request a miss
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, get())
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
	// Kept is what a reader's request for the unchanged page costs in the
	// server as main wires it: a root router with Kept and the client
	// address middleware mounting the site, and a listening page watch, so that no
	// version is read. Bare sends the same headers and bytes from a plain
	// handler: the difference is what routing, middleware and the cache
	// cost per request. Both write to a writer that, as net/http's does,
	// starts each request with a new header map.
	b.Run("Kept", func(b *testing.B) {
		watchPages(b, srv)
		defer func() { srv.cfg.PageWatch = nil }()
		root := chi.NewRouter()
		root.Use(srv.Kept, clientaddr.Middleware(nil))
		srv.Mount(root)
		r := get()
		root.ServeHTTP(&discardWriter{}, r)
		b.ReportAllocs()
		for b.Loop() {
			w := &discardWriter{}
			root.ServeHTTP(w, r)
			if w.code != http.StatusOK || w.h.Get("Content-Encoding") != "gzip" {
				b.Fatalf("status %d, %v", w.code, w.h)
			}
		}
	})
	b.Run("Bare", func(b *testing.B) {
		w := &discardWriter{}
		srv.ServeHTTP(w, get())
		header, body := w.h, w.body
		bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for k, v := range header {
				h[k] = v
			}
			w.WriteHeader(http.StatusOK)
			w.Write(body)
		})
		r := get()
		b.ReportAllocs()
		for b.Loop() {
			bare.ServeHTTP(&discardWriter{}, r)
		}
	})
	b.Run("Cached", func(b *testing.B) {
		srv.ServeHTTP(httptest.NewRecorder(), get())
		for b.Loop() {
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, get())
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
			io.Copy(io.Discard, w.Body)
		}
	})
}

// discardWriter is a ResponseWriter that keeps the status and the last
// body written, and begins with a new header map, as net/http's does.
type discardWriter struct {
	h    http.Header
	code int
	body []byte
}

func (w *discardWriter) Header() http.Header {
	if w.h == nil {
		w.h = make(http.Header)
	}
	return w.h
}

func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = b
	return len(b), nil
}
