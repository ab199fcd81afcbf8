package picture

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	xwebp "golang.org/x/image/webp"
)

func TestParse(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	n, ok := Parse(hash + "-1200x630.jpg")
	if !ok || n != (Name{Hash: hash, Width: 1200, Height: 630, Ext: "jpg"}) || n.String() != hash+"-1200x630.jpg" {
		t.Errorf("Parse = %+v, %v", n, ok)
	}
	for _, bad := range []string{hash + ".jpg", hash + "-0x630.jpg", hash + "-1200x630.gif", hash + "-1200x630-480.webp",
		"../" + hash + "-1200x630.jpg", hash[:60] + "-1200x630.jpg", hash + "-1200x630.jpg.exe"} {
		if _, ok := Parse(bad); ok {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestName_VariantWidths(t *testing.T) {
	for _, c := range []struct {
		width int
		want  []int
	}{
		{2000, []int{480, 800, 1200}},
		{1200, []int{480, 800, 1200}},
		{1000, []int{480, 800, 1000}},
		{480, []int{480}},
		{300, []int{300}},
	} {
		n := Name{Hash: "x", Width: c.width, Height: 100, Ext: "jpg"}
		if got := n.VariantWidths(); !slices.Equal(got, c.want) {
			t.Errorf("width %d: %v, want %v", c.width, got, c.want)
		}
	}
	if h := (Name{Width: 1200, Height: 630}).HeightAt(480); h != 252 {
		t.Errorf("HeightAt(480) = %d, want 252", h)
	}
}

// TestVariants makes the variants of a 1200×630 JPEG cover and of a small
// transparent PNG, and reads each back: the right format, size and name.
func TestVariants(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 630))
	for y := range 630 {
		for x := range 1200 {
			img.Set(x, y, color.RGBA{uint8(x / 5), uint8(y / 3), uint8(x ^ y), 255})
		}
	}
	var orig bytes.Buffer
	jpeg.Encode(&orig, img, nil)
	n := NameOf(orig.Bytes(), 1200, 630, "jpg")
	start := time.Now()
	files, err := Variants(img, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("6 variants of a 1200×630 image in %v", time.Since(start))
	if len(files) != 6 {
		t.Fatalf("%d variants, want 6", len(files))
	}
	for i, w := range []int{480, 800, 1200} {
		wf, jf := files[2*i], files[2*i+1]
		if wf.Name != n.Variant(w, "webp") || wf.ContentType != "image/webp" || jf.Name != n.Variant(w, "jpg") || jf.ContentType != "image/jpeg" {
			t.Errorf("width %d: %s %s, %s %s", w, wf.Name, wf.ContentType, jf.Name, jf.ContentType)
		}
		wc, err := xwebp.DecodeConfig(bytes.NewReader(wf.Data))
		if err != nil || wc.Width != w || wc.Height != n.HeightAt(w) {
			t.Errorf("webp %d: %dx%d, %v", w, wc.Width, wc.Height, err)
		}
		jc, err := jpeg.DecodeConfig(bytes.NewReader(jf.Data))
		if err != nil || jc.Width != w || jc.Height != n.HeightAt(w) {
			t.Errorf("jpeg %d: %dx%d, %v", w, jc.Width, jc.Height, err)
		}
		// Encoded from pixels: no EXIF or XMP segment (APP1) in the JPEG.
		if bytes.Contains(jf.Data, []byte("Exif")) || bytes.Contains(jf.Data, []byte("http://ns.adobe.com/xap")) {
			t.Errorf("jpeg %d carries metadata", w)
		}
		if bytes.Contains(wf.Data, []byte("EXIF")) || bytes.Contains(wf.Data, []byte("XMP ")) {
			t.Errorf("webp %d carries metadata", w)
		}
	}
	if len(files[0].Data) >= len(files[1].Data) {
		t.Errorf("the 480 WebP (%d bytes) is not smaller than the JPEG (%d)", len(files[0].Data), len(files[1].Data))
	}

	clear := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	var p bytes.Buffer
	png.Encode(&p, clear)
	pn := NameOf(p.Bytes(), 300, 200, "png")
	files, err = Variants(clear, pn)
	if err != nil || len(files) != 2 || files[1].Name != pn.Variant(300, "png") || files[1].ContentType != "image/png" {
		t.Fatalf("png: %v, %d files", err, len(files))
	}
	if _, err := png.DecodeConfig(bytes.NewReader(files[1].Data)); err != nil {
		t.Errorf("png variant: %v", err)
	}
}
