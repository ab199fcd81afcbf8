package web

import (
	"bytes"
	"container/list"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// Images live in PostgreSQL (the media table), so that every process of the
// publication serves every image and one pg_dump holds them all. Their
// names carry the SHA-256 of their content: a URL never changes meaning, so
// browsers and CDNs may keep an image for a year, and each process keeps
// the images asked for most in a bounded cache of its own.

// mediaName is what an upload may be called: the desk names uploads by a
// hash of their content, with their size and a variant's width after it
// (package picture), so anything else is refused before the database is
// asked.
var mediaName = regexp.MustCompile(`^[a-f0-9]{1,128}(-[0-9]{1,5}x[0-9]{1,5}(-[0-9]{1,5})?)?\.(jpg|png|webp)$`)

// mediaTypes are the image types served, by extension. SVG is not among
// them: it can carry scripts.
var mediaTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".webp": "image/webp", ".gif": "image/gif", ".avif": "image/avif",
}

// mediaCacheSize bounds the images a process keeps in memory: the covers of
// a front page and the avatars of a few busy dialogues.
const mediaCacheSize = 32 << 20

// handleMedia serves uploads: covers, images in stories, the actors'
// avatars and headers.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "file")
	if !mediaName.MatchString(name) {
		s.notFound(w, r)
		return
	}
	s.serveMedia(w, r, name)
}

// handleRemoteMedia serves our copies of remote avatars, emoji and
// attached images.
func (s *Server) handleRemoteMedia(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "file")
	if !serve.IsRemoteFile(name) {
		s.notFound(w, r)
		return
	}
	s.serveMedia(w, r, "remote/"+name)
}

// serveMedia answers with the image kept under name, from memory when it
// can. The ETag is the content's hash the name carries; ServeContent
// answers If-None-Match and Range with it.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request, name string) {
	m := s.media.get(name)
	if m == nil {
		var err error
		m, err = s.store.Media(r.Context(), name)
		if errors.Is(err, content.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		if err != nil {
			s.error(w, r, fmt.Errorf("web: media %s: %w", name, err))
			return
		}
		s.media.put(m)
	}
	ct := mediaTypes[strings.ToLower(path.Ext(name))]
	if ct == "" {
		ct = m.ContentType
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", serve.Immutable)
	w.Header().Set("ETag", `"`+strings.TrimSuffix(path.Base(name), path.Ext(name))+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", m.CreatedAt, bytes.NewReader(m.Content))
}

// mediaCache keeps recently served images, least recently used out first,
// at most max bytes of content in all. Images never change under their
// name, so nothing kept is ever stale.
type mediaCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List               // of *store.Media, most recent first
	byKey map[string]*list.Element // by name
}

func newMediaCache(max int) *mediaCache {
	return &mediaCache{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

// get returns the image kept under name, or nil.
func (c *mediaCache) get(name string) *store.Media {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.byKey[name]
	if e == nil {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*store.Media)
}

// put keeps m, dropping the least recently used images to make room. An
// image larger than an eighth of the cache is not kept: one photograph
// must not push out the front page.
func (c *mediaCache) put(m *store.Media) {
	n := len(m.Content)
	if n > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[m.Name]; ok {
		return
	}
	c.byKey[m.Name] = c.order.PushFront(m)
	c.size += n
	for c.size > c.max {
		last := c.order.Back()
		old := last.Value.(*store.Media)
		c.order.Remove(last)
		delete(c.byKey, old.Name)
		c.size -= len(old.Content)
	}
}
