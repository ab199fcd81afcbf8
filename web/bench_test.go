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

	"samizdat/content"
	"samizdat/content/store/storetest"
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
