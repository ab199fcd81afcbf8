package serve

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	if got := Excerpt("<p>Один два три</p>", 7); got != "Один дв…" {
		t.Errorf("cut Excerpt = %q", got)
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
