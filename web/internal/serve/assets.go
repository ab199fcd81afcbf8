package serve

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
)

// Immutable is the Cache-Control of files whose URL changes with their
// content.
const Immutable = "public, max-age=31536000, immutable"

// Assets are static files served under URLs that carry a short hash of
// their content, so that a URL changes whenever its file does and can be
// cached for a year. Each file is read, hashed and gzip-compressed once,
// when the Assets are made: compressing the stylesheet again for every
// request cost more than everything else about serving it
// (docs/benchmarks.md).
type Assets struct {
	prefix string            // "/static/": URLs are prefix + hash + "/" + name
	hashes map[string]string // by file name
	files  map[string]*asset // by file name
}

// asset is one static file, as sent.
type asset struct {
	raw  []byte
	gz   []byte // nil when compressing does not make it smaller
	etag string
}

// NewAssets reads, hashes and compresses every file of fsys once, for URLs
// under prefix.
func NewAssets(fsys fs.FS, prefix string) (*Assets, error) {
	a := &Assets{prefix: prefix, hashes: map[string]string{}, files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[p] = hex.EncodeToString(sum[:6])
		a.files[p] = &asset{raw: b, gz: gzipped(b), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("serve: hash static files: %w", err)
	}
	return a, nil
}

// URL returns the cache-busting URL of a static file. It panics on a name
// that is not one of the files: templates call it, and a template naming a
// missing file is a mistake to catch at the first render in tests.
func (a *Assets) URL(name string) string {
	h, ok := a.hashes[name]
	if !ok {
		panic("serve: no static file " + name)
	}
	return a.prefix + h + "/" + name
}

// Has reports whether name is one of the files.
func (a *Assets) Has(name string) bool {
	_, ok := a.hashes[name]
	return ok
}

// Serve answers a request for the file name under hash. A URL with an old
// hash, which a page cached before a deploy may still ask for, is sent on
// to the current one. It returns false, having written nothing, when there
// is no such file, so that the caller shows its own 404 page.
func (a *Assets) Serve(w http.ResponseWriter, r *http.Request, hash, name string) (bool, error) {
	current, ok := a.hashes[name]
	if !ok {
		return false, nil
	}
	if hash != current {
		w.Header().Set("Cache-Control", "no-cache")
		http.Redirect(w, r, a.URL(name), http.StatusFound)
		return true, nil
	}
	f := a.files[name]
	h := w.Header()
	h.Set("Content-Type", ContentType(name))
	h.Set("Cache-Control", Immutable)
	// One ETag for both codings, and so weak (RFC 9110 section 8.8.1).
	h.Set("ETag", "W/"+f.etag)
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if ETagMatch(r.Header.Get("If-None-Match"), f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return true, nil
	}
	body := f.raw
	if f.gz != nil && AcceptsGzip(r.Header.Values("Accept-Encoding")) {
		// The compression middleware leaves a response that already has a
		// Content-Encoding alone.
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return true, nil
}

// gzipped compresses b as well as gzip can, once; it returns nil when that
// saves less than a tenth (images already compressed, tiny files).
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if buf.Len() > len(b)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// ContentType is the media type of a file by its extension, with a charset
// for text.
func ContentType(name string) string {
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
