package federation

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"regexp"
	"strings"
	"testing"
)

// TestCopyMedia checks what remote images are copied: real PNG, JPEG and
// WebP-or-GIF files under their limits, named by their content; never
// SVG, HTML, oversized or lying files, and never twice.
func TestCopyMedia(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true, copyMedia: true})
	p := newPeer(t, e)
	ctx := t.Context()
	pngBytes := testPNG(t, 16, 16)
	p.serveFile("/ok.png", "image/png", pngBytes)
	p.serveFile("/ok.jpg", "image/jpeg", testJPEG(t, 20, 10))
	p.serveFile("/octet.png", "application/octet-stream", pngBytes)
	p.serveFile("/same.png", "image/png", pngBytes)
	p.serveFile("/evil.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`))
	p.serveFile("/html.png", "image/png", []byte(`<html><script>alert(1)</script></html>`))
	p.serveFile("/page.png", "text/html", pngBytes)
	p.serveFile("/big.png", "image/png", append(append([]byte{}, pngBytes...), bytes.Repeat([]byte{0}, maxEmojiBytes)...))
	p.serveFile("/bomb.png", "image/png", pngHeader(100_000, 100_000))
	p.serveFile("/truncated.png", "image/png", pngBytes[:len(pngBytes)/2])

	nameRE := regexp.MustCompile(`^[0-9a-f]{64}\.(png|jpg)$`)
	var okFile string
	for _, c := range []struct {
		path, ext, ct string
		ok            bool
	}{
		{"/ok.png", "png", "image/png", true},
		{"/ok.jpg", "jpg", "image/jpeg", true},
		{"/octet.png", "png", "image/png", true},
		{"/same.png", "png", "image/png", true},
		{"/evil.svg", "", "", false},
		{"/html.png", "", "", false},
		{"/page.png", "", "", false},
		{"/big.png", "", "", false},
		{"/bomb.png", "", "", false},
		{"/truncated.png", "", "", false},
		{"/missing.png", "", "", false},
	} {
		file, ct, err := e.fed.copyMedia(ctx, p.base+c.path, maxEmojiBytes)
		if !c.ok {
			if err == nil {
				t.Errorf("%s copied as %s", c.path, file)
			}
			continue
		}
		if err != nil || !nameRE.MatchString(file) || !strings.HasSuffix(file, "."+c.ext) || ct != c.ct {
			t.Errorf("%s: %q %q %v", c.path, file, ct, err)
			continue
		}
		if m, err := e.store.Media(ctx, "remote/"+file); err != nil || m.ContentType != c.ct || m.Size != len(m.Content) {
			t.Errorf("%s: kept %+v, %v", c.path, m, err)
		}
		if c.path == "/ok.png" {
			okFile = file
		}
		if c.path == "/same.png" && file != okFile {
			t.Errorf("the same bytes under another address got another name: %s, %s", file, okFile)
		}
	}
	// A second request for a copied image fetches nothing.
	before := len(p.fetched())
	if file, _, err := e.fed.copyMedia(ctx, p.base+"/ok.png", maxEmojiBytes); err != nil || file != okFile {
		t.Errorf("again: %q, %v", file, err)
	}
	if n := len(p.fetched()) - before; n != 0 {
		t.Errorf("a cached image was fetched again %d times", n)
	}
	// Only what was taken is kept: ok.png (and same.png, the same bytes)
	// and ok.jpg.
	if n, _, err := e.store.MediaStats(ctx); err != nil || n != 2 {
		t.Errorf("%d images kept, want 2 (%v)", n, err)
	}
	// Our own host and private addresses are never fetched.
	if _, _, err := e.fed.copyMedia(ctx, "https://samizdat.example/media/x.png", maxEmojiBytes); err == nil {
		t.Error("copied an image from our own host")
	}
	// Without a media directory nothing is copied, and the caller is told.
	e2 := newEnv(t, envOptions{allowPrivate: true})
	if _, _, err := e2.fed.copyMedia(ctx, p.base+"/ok.png", maxEmojiBytes); !errors.Is(err, errNoMedia) {
		t.Errorf("without a media directory: %v", err)
	}
}

// pngHeader is the start of a PNG that claims to be w×h pixels: what a
// decompression bomb looks like before it is decoded.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6                               // 8-bit RGBA
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr))) //nolint:errcheck
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk)) //nolint:errcheck
	return b.Bytes()
}
