package web

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-chi/chi/v5"

	"samizdat/web/internal/serve"
)

// handleStatic serves the embedded static files under their content-hashed
// URLs (serve.Assets).
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	ok, err := assets.Serve(w, r, chi.URLParam(r, "hash"), chi.URLParam(r, "*"))
	switch {
	case err != nil:
		s.error(w, r, err)
	case !ok:
		s.notFound(w, r)
	}
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
	w.Header().Set("Cache-Control", serve.Immutable)
	w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, info.ModTime().UnixNano(), info.Size()))
	// ServeContent answers Range, If-None-Match and If-Modified-Since.
	http.ServeContent(w, r, name, info.ModTime(), f)
}
