package serve

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"samizdat/content"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want int
	}{
		{content.ErrNotFound, http.StatusNotFound},
		{fmt.Errorf("store: story 3: %w", content.ErrNotFound), http.StatusNotFound},
		{content.ErrForbidden, http.StatusForbidden},
		{content.ErrConflict, http.StatusConflict},
		{&content.ValidationError{Fields: map[string]string{"title": "too long"}}, http.StatusBadRequest},
		{errors.New("connection refused"), http.StatusInternalServerError},
	} {
		if got := Status(tc.err); got != tc.want {
			t.Errorf("Status(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestETagMatch(t *testing.T) {
	t.Parallel()
	etag := ETag([]byte("body"))
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{etag, true},
		{strings.TrimPrefix(etag, "W/"), true}, // compared weakly
		{`"other", ` + etag, true},
		{"*", true},
		{`"other"`, false},
	} {
		if got := ETagMatch(tc.header, etag); got != tc.want {
			t.Errorf("ETagMatch(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	a, err := NewAssets(fstest.MapFS{"site.css": {Data: []byte("body{}")}}, "/static/")
	if err != nil {
		t.Fatal(err)
	}
	url := a.URL("site.css")
	hash := strings.Split(url, "/")[2]
	serveFile := func(hash, name, inm string) (*httptest.ResponseRecorder, bool) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/static/"+hash+"/"+name, nil)
		if inm != "" {
			r.Header.Set("If-None-Match", inm)
		}
		ok, err := a.Serve(rec, r, hash, name)
		if err != nil {
			t.Fatal(err)
		}
		return rec, ok
	}

	rec, ok := serveFile(hash, "site.css", "")
	if !ok || rec.Code != http.StatusOK || rec.Body.String() != "body{}" || rec.Header().Get("Cache-Control") != Immutable ||
		rec.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("current hash: ok %v, %d %q, headers %v", ok, rec.Code, rec.Body, rec.Header())
	}
	if rec, _ := serveFile(hash, "site.css", rec.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", rec.Code)
	}
	if rec, ok := serveFile("000000000000", "site.css", ""); !ok || rec.Code != http.StatusFound || rec.Header().Get("Location") != url {
		t.Errorf("old hash: ok %v, %d to %q, want 302 to %q", ok, rec.Code, rec.Header().Get("Location"), url)
	}
	if rec, ok := serveFile(hash, "other.css", ""); ok || rec.Body.Len() != 0 {
		t.Errorf("unknown file: ok %v, body %q; want nothing written", ok, rec.Body)
	}
}

// TestAssets_Gzip checks that a static file is sent compressed to a client
// that accepts gzip, from bytes compressed once, with one ETag for both
// codings and Vary, and plain to one that does not.
func TestAssets_Gzip(t *testing.T) {
	t.Parallel()
	css := strings.Repeat(".story p { margin: 0 0 1em; line-height: 1.5 }\n", 200)
	a, err := NewAssets(fstest.MapFS{"site.css": {Data: []byte(css)}, "tiny.svg": {Data: []byte("<svg/>")}}, "/static/")
	if err != nil {
		t.Fatal(err)
	}
	get := func(name, acceptEncoding string) *httptest.ResponseRecorder {
		t.Helper()
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, a.URL(name), nil)
		if acceptEncoding != "" {
			r.Header.Set("Accept-Encoding", acceptEncoding)
		}
		if ok, err := a.Serve(rec, r, strings.Split(a.URL(name), "/")[2], name); !ok || err != nil {
			t.Fatalf("%s: ok %v, err %v", name, ok, err)
		}
		return rec
	}
	zipped := get("site.css", "br, gzip")
	if zipped.Header().Get("Content-Encoding") != "gzip" || zipped.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip accepted: headers %v", zipped.Header())
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); string(got) != css {
		t.Errorf("gzip body decompresses to %d bytes, want the %d of the file", len(got), len(css))
	}
	if n, _ := strconv.Atoi(zipped.Header().Get("Content-Length")); n >= len(css)/4 {
		t.Errorf("Content-Length %d of %d: not compressed", n, len(css))
	}
	if again := get("site.css", "gzip"); !bytes.Equal(again.Body.Bytes(), a.files["site.css"].gz) {
		t.Error("a second request was not sent the bytes compressed at start")
	}
	plain := get("site.css", "gzip;q=0")
	if plain.Header().Get("Content-Encoding") != "" || plain.Body.String() != css || plain.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("gzip refused: encoding %q, %d bytes, Vary %q", plain.Header().Get("Content-Encoding"), plain.Body.Len(), plain.Header().Get("Vary"))
	}
	if plain.Header().Get("ETag") != zipped.Header().Get("ETag") || !strings.HasPrefix(plain.Header().Get("ETag"), "W/") {
		t.Errorf("ETags %q and %q: want one weak ETag for both codings", plain.Header().Get("ETag"), zipped.Header().Get("ETag"))
	}
	// A file that does not shrink is sent as it is, and varies with nothing.
	if tiny := get("tiny.svg", "gzip"); tiny.Header().Get("Content-Encoding") != "" || tiny.Body.String() != "<svg/>" || tiny.Header().Get("Vary") != "" {
		t.Errorf("tiny file: encoding %q, body %q, Vary %q", tiny.Header().Get("Content-Encoding"), tiny.Body, tiny.Header().Get("Vary"))
	}
}

func TestReplyOf(t *testing.T) {
	t.Parallel()
	r := &content.Reply{
		APID:        "https://masto.example/users/anna/statuses/1",
		URL:         "javascript:alert(1)",
		ContentHTML: "<p>Hello :wave: from Tbilisi</p>",
		Emojis:      []content.Emoji{{Shortcode: ":wave:", Media: "e1.png"}},
		Attachments: []content.Attachment{{Type: "image/png", Media: "a1.png", Alt: "A bakery"}, {Type: "video/mp4", Media: "v.mp4"}},
		AuthorInfo:  &content.RemoteAuthor{ID: "https://masto.example/users/anna", Username: "anna", Host: "masto.example", Name: " Anna ", IconFile: "../etc/passwd"},
	}
	v := ReplyOf(r)
	if v.URL != "" {
		t.Errorf("URL %q: a javascript: address must not be linked", v.URL)
	}
	if v.AuthorName != "Anna" || v.Handle != "@anna@masto.example" || v.ProfileURL != "https://masto.example/users/anna" || v.Avatar != "" {
		t.Errorf("author: %+v", v)
	}
	if !strings.Contains(string(v.ContentHTML), `<img class="emoji" src="/media/remote/e1.png" alt=":wave:"`) {
		t.Errorf("emoji not shown: %s", v.ContentHTML)
	}
	if len(v.Images) != 1 || v.Images[0] != (Image{URL: "/media/remote/a1.png", Alt: "A bakery"}) {
		t.Errorf("images: %+v", v.Images)
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	if got := Excerpt("<p>One</p><p>two <b>three</b></p>", 100); got != "One two three" {
		t.Errorf("Excerpt = %q", got)
	}
	if got := Excerpt("<p>Один два три</p>", 7); got != "Один…" {
		t.Errorf("cut Excerpt = %q", got)
	}
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"two words", 9, "two words"},
		{"two words here", 12, "two words…"},
		{"line one\nline two", 12, "line one…"},
		{"first, second", 10, "first…"},
		{"Unbrokenlongword", 8, "Unbroken…"}, // no space in the second half: cut at n
	} {
		if got := Shorten(tc.s, tc.n); got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestLanguageName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ reader, code, want string }{
		{"en", "ru", "Russian"},
		{"fr", "en", "anglais"},
		{"en", "", ""},
		{"en", "zz-not-a-code", "zz-not-a-code"},
	} {
		if got := LanguageName(tc.reader, tc.code); got != tc.want {
			t.Errorf("LanguageName(%q, %q) = %q, want %q", tc.reader, tc.code, got, tc.want)
		}
	}
}
