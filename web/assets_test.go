package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStatic(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	css := staticURL("style.css")

	rec := s.get(css)
	body := expect(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Errorf("Content-Type: got %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control: got %q", cc)
	}
	want, _ := staticFS.ReadFile("static/style.css")
	if body != string(want) {
		t.Error("style.css differs from the embedded file")
	}
	expect(t, s.get(css, "If-None-Match", rec.Header().Get("ETag")), http.StatusNotModified)
	// Through the whole router, gzip is applied once: the stylesheet
	// compressed at start, left alone by the compression middleware.
	zipped := s.get(css, "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil || zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v, Content-Encoding %q", err, zipped.Header().Get("Content-Encoding"))
	}
	if got, _ := io.ReadAll(zr); string(got) != string(want) {
		t.Error("the gzipped style.css does not decompress to the embedded file")
	}
	if ct := s.get(staticURL("favicon.svg")).Header().Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("favicon Content-Type: got %q", ct)
	}

	old := s.get("/static/000000000000/style.css")
	expect(t, old, http.StatusFound)
	if got := old.Header().Get("Location"); got != css {
		t.Errorf("old hash: Location %q, want %q", got, css)
	}
	for _, path := range []string{"/static/000000000000/nothing.css", "/static/x/../render.go", "/static/" + strings.Split(css, "/")[2] + "/"} {
		expect(t, s.get(path), http.StatusNotFound)
	}
}

// TestStatic_NothingFromElsewhere reads the stylesheet: a url() or @import
// to another host would load something from it.
func TestStatic_NothingFromElsewhere(t *testing.T) {
	t.Parallel()
	css, _ := staticFS.ReadFile("static/style.css")
	for _, bad := range []string{"@import", "http:", "https:", "//fonts"} {
		if strings.Contains(string(css), bad) {
			t.Errorf("style.css holds %q", bad)
		}
	}
}

func TestMedia(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	jpeg := []byte("\xff\xd8\xff\xe0 not really a jpeg")
	for name, b := range map[string][]byte{"0a1b2c.jpg": jpeg, "ff00.png": []byte("\x89PNG"), "remote/secret.jpg": []byte("secret")} {
		if _, err := s.store.PutMedia(t.Context(), name, "image/jpeg", b); err != nil {
			t.Fatal(err)
		}
	}

	rec := s.get("/media/0a1b2c.jpg")
	if body := expect(t, rec, http.StatusOK); body != string(jpeg) {
		t.Errorf("body: got %q", body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("Content-Type: got %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("Cache-Control: got %q", cc)
	}
	if etag := rec.Header().Get("ETag"); etag != `"0a1b2c"` {
		t.Errorf("ETag: got %q, want the hash the name carries", etag)
	}
	expect(t, s.get("/media/0a1b2c.jpg", "If-None-Match", rec.Header().Get("ETag")), http.StatusNotModified)
	// Served again from the process's memory, and the same.
	if body := expect(t, s.get("/media/0a1b2c.jpg"), http.StatusOK); body != string(jpeg) {
		t.Errorf("body from the cache: got %q", body)
	}
	if ct := s.get("/media/ff00.png").Header().Get("Content-Type"); ct != "image/png" {
		t.Errorf("png Content-Type: got %q", ct)
	}

	for _, path := range []string{
		"/media/missing0.jpg",
		"/media/..%2fsecret.jpg",
		"/media/%2e%2e%2fsecret.jpg",
		"/media/../secret.jpg",
		"/media/remote%2Fsecret.jpg",
		"/media/0A1B2C.jpg",
		"/media/0a1b2c.gif",
		"/media/0a1b2c.jpg.exe",
		"/media/.jpg",
		"/media/",
	} {
		rec := s.get(path)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", path, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("%s: served a file by another name", path)
		}
	}
}
