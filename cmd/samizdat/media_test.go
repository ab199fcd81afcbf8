package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"samizdat/content/store/storetest"
)

// TestMedia_Import moves an older MEDIA_DIR into the database: every image
// the desk, the demo or the media proxy wrote is copied under its path,
// anything else is skipped and named, the files stay, a second run copies
// nothing again, and the server then serves the images from the database.
func TestMedia_Import(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hashed := func(b []byte, ext string) string {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:]) + ext
	}
	cover := []byte("\xff\xd8\xff\xe0 a cover")
	avatar := []byte("\x89PNG an avatar")
	files := map[string][]byte{
		hashed(cover, ".jpg"):              cover,
		"remote/" + hashed(avatar, ".png"): avatar,
		".upload-123":                      []byte("half an upload"),
		"notes.txt":                        []byte("not an image"),
		"other/" + hashed(cover, ".jpg"):   cover,
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &testServer{env: map[string]string{"DATABASE_URL": storetest.NewURL(t), "MEDIA_DIR": dir}}
	out := s.command(t, "", "media", "import")
	for _, want := range []string{"2 images copied into the database, 0 there already, 3 files skipped",
		"skipped .upload-123", "skipped notes.txt", "skipped other/", "left in place"} {
		if !strings.Contains(out, want) {
			t.Errorf("first import said:\n%s\nwant %q", out, want)
		}
	}
	if out := s.command(t, "", "media", "import"); !strings.Contains(out, "0 images copied into the database, 2 there already") {
		t.Errorf("second import said:\n%s", out)
	}
	for name := range files {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Errorf("the import removed %s: %v", name, err)
		}
	}

	// The server, on another (empty) MEDIA_DIR, serves both from the database.
	srv := startServer(t, map[string]string{"DATABASE_URL": s.env["DATABASE_URL"], "MEDIA_DIR": t.TempDir()})
	for path, want := range map[string][]byte{
		"/media/" + hashed(cover, ".jpg"):         cover,
		"/media/remote/" + hashed(avatar, ".png"): avatar,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != string(want) {
			t.Errorf("GET %s: %d %q, want the imported file", path, resp.StatusCode, body)
		}
	}
}
