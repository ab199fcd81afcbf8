package web

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-chi/chi/v5"
)

// immutable is the Cache-Control of files whose URL changes with their content.
const immutable = "public, max-age=31536000, immutable"

// handleStatic serves the embedded static files. Their URLs carry a hash of
// their content (staticURL), so they can be cached for a year; a URL with an
// old hash is sent on to the current one, which a page cached before a
// deploy may still ask for.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	hash, name := chi.URLParam(r, "hash"), chi.URLParam(r, "*")
	current, ok := staticHashes[name]
	if !ok {
		s.notFound(w, r)
		return
	}
	if hash != current {
		w.Header().Set("Cache-Control", "no-cache")
		http.Redirect(w, r, staticURL(name), http.StatusFound)
		return
	}
	body, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		s.error(w, r, fmt.Errorf("web: static %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", contentType(name))
	w.Header().Set("Cache-Control", immutable)
	s.writeBody(w, r, http.StatusOK, body)
}

// contentType is the media type of a file by its extension, with a charset
// for text.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".js":
		return "text/javascript; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// mediaName is what a file in the media directory may be called: the desk
// names uploads by a hash of their content, so anything else, and any path,
// is refused before the file system is touched.
var mediaName = regexp.MustCompile(`^[a-f0-9]{1,128}\.(jpg|png|webp)$`)

// handleMedia serves cover images from the media directory.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "file")
	if !mediaName.MatchString(name) || s.cfg.MediaDir == "" {
		s.notFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join(s.cfg.MediaDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.error(w, r, fmt.Errorf("web: media %s: %w", name, err))
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		s.notFound(w, r)
		return
	}
	ext := strings.TrimPrefix(path.Ext(name), ".")
	types := map[string]string{"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
	w.Header().Set("Content-Type", types[ext])
	w.Header().Set("Cache-Control", immutable)
	w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, info.ModTime().UnixNano(), info.Size()))
	// ServeContent answers Range, If-None-Match and If-Modified-Since.
	http.ServeContent(w, r, name, info.ModTime(), f)
}
