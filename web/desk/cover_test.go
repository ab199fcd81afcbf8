package desk

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/picture"
)

// halves is a w×h image whose left half is red and right half is blue, so a
// test can tell which way it was turned.
func halves(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{R: 220, G: 20, B: 20, A: 255}
			if x >= w/2 {
				c = color.NRGBA{R: 20, G: 20, B: 220, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// exifTIFF builds the TIFF structure of an EXIF block: IFD0 with an
// Orientation tag and a pointer to a GPS IFD that holds a latitude and a
// processing method naming "GPS", as phones write them.
func exifTIFF(bo binary.ByteOrder, orientation uint16) []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, bo, v) }
	if bo == binary.LittleEndian {
		b.WriteString("II")
	} else {
		b.WriteString("MM")
	}
	w(uint16(42))
	w(uint32(8))
	// IFD0 at 8: two entries (2 + 2*12 + 4 = 30 bytes), then the GPS IFD at 38.
	w(uint16(2))
	w(uint16(0x0112)) // Orientation
	w(uint16(3))      // SHORT
	w(uint32(1))
	w(orientation)
	w(uint16(0))
	w(uint16(0x8825)) // GPSInfo IFD pointer
	w(uint16(4))      // LONG
	w(uint32(1))
	w(uint32(38))
	w(uint32(0)) // no next IFD
	// GPS IFD at 38: three entries (2 + 3*12 + 4 = 42 bytes), data from 80.
	method := []byte("ASCII\x00\x00\x00GPS-NETWORK")
	w(uint16(3))
	w(uint16(0x0001)) // GPSLatitudeRef
	w(uint16(2))      // ASCII
	w(uint32(2))
	b.WriteString("N\x00\x00\x00")
	w(uint16(0x0002)) // GPSLatitude
	w(uint16(5))      // RATIONAL
	w(uint32(3))
	w(uint32(80))
	w(uint16(0x001B)) // GPSProcessingMethod
	w(uint16(7))      // UNDEFINED
	w(uint32(len(method)))
	w(uint32(104))
	w(uint32(0))
	for _, v := range []uint32{55, 1, 45, 1, 2093, 100} { // 55°45'20.93"
		w(v)
	}
	b.Write(method)
	return b.Bytes()
}

// withSegments splices JPEG segments in right after the SOI marker.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// segment builds a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// exifJPEG is a 40×20 photo (red left, blue right) carrying EXIF with a GPS
// position and Orientation 6 (turn a quarter clockwise), and a comment.
func exifJPEG(t *testing.T, bo binary.ByteOrder) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, halves(40, 20), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	app1 := segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(bo, 6)...))
	com := segment(0xFE, []byte("Taken at the safe house"))
	return withSegments(buf.Bytes(), app1, com)
}

// pngChunk builds a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := make([]byte, 4, 12+len(data))
	binary.BigEndian.PutUint32(c, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// textPNG is a 30×30 PNG with a tEXt chunk after its header.
func textPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, halves(30, 30)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	const afterIHDR = 8 + 12 + 13
	out := append([]byte{}, b[:afterIHDR]...)
	out = append(out, pngChunk("tEXt", []byte("Comment\x00secret location 55.75N 37.61E"))...)
	return append(out, b[afterIHDR:]...)
}

// bombPNG is a tiny PNG whose header claims 50,000×50,000 pixels.
func bombPNG() []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, 50_000)
	binary.BigEndian.PutUint32(ihdr[4:], 50_000)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, pngChunk("IEND", nil)...)
}

// Tiny WebP images (the ones Modernizr's feature test uses): a lossless
// transparent pixel and a lossy one.
const (
	webpLossless = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="
	webpLossy    = "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"
)

func TestDesk_CoverUpload(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	st, _ := d.addDraft("en", "With a cover")
	path := fmt.Sprintf("/desk/stories/%d/cover", st.ID)
	page := fmt.Sprintf("/desk/stories/%d", st.ID)

	// Refusals first, while nothing is stored.
	for _, tc := range []struct {
		name, file string
		data       []byte
		status     int
		message    string
	}{
		{"NotAnImage", "photo.jpg", []byte("GIF89a is not welcome, and this is just text anyway."), http.StatusUnprocessableEntity, "not a JPEG, PNG or WebP image"},
		{"GIF", "anim.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), http.StatusUnprocessableEntity, "not a JPEG, PNG or WebP image"},
		{"Damaged", "cut.jpg", exifJPEG(t, binary.BigEndian)[:300], http.StatusUnprocessableEntity, "damaged"},
		{"Bomb", "bomb.png", bombPNG(), http.StatusUnprocessableEntity, "at most 16000 pixels"},
		{"Empty", "empty.jpg", nil, http.StatusUnprocessableEntity, "The file is empty."},
		{"NoFileChosen", "", nil, http.StatusUnprocessableEntity, "Choose an image file."},
		{"OverLimit", "huge.jpg", append([]byte("\xFF\xD8\xFF\xE0"), make([]byte, maxCoverBytes)...), http.StatusRequestEntityTooLarge, "larger than 10 MB"},
		{"OverBodyLimit", "huger.jpg", make([]byte, maxMultipartBody+1), http.StatusRequestEntityTooLarge, "Images may be at most 10 MB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.get(page)
			resp := b.upload(path, tc.file, tc.data, map[string]string{"cover_alt_en": "Kept description"})
			wantStatus(t, resp, tc.status)
			wantContains(t, resp.Body, tc.message)
			if tc.status == http.StatusUnprocessableEntity {
				wantContains(t, resp.Body, `id="cover-error"`, `aria-describedby="cover-hint cover-error"`, ">Kept description</textarea>")
			}
			if files := d.mediaFiles(t); len(files) != 0 {
				t.Errorf("refused upload left files: %v", files)
			}
			if got := d.story(t, st.ID); got.CoverImage != "" || got.Translation("en").CoverAlt != "" {
				t.Errorf("refused upload changed the story: cover %q, alt %q", got.CoverImage, got.Translation("en").CoverAlt)
			}
		})
	}

	t.Run("JPEGWithEXIF", func(t *testing.T) {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			in := exifJPEG(t, bo)
			if !bytes.Contains(in, []byte("GPS")) || jpegOrientation(in) != 6 {
				t.Fatal("the test image lacks its GPS data or orientation")
			}
			b.get(page)
			wantRedirect(t, b.upload(path, "IMG_0001.JPG", in, map[string]string{"cover_alt_en": "A river at dusk"}), page)
			got := d.story(t, st.ID)
			if got.Translation("en").CoverAlt != "A river at dusk" {
				t.Errorf("alt text: %q", got.Translation("en").CoverAlt)
			}
			out := readMedia(t, d, got.CoverImage, ".jpg")
			for _, leak := range []string{"Exif", "GPS", "safe house", "\xFF\xE1", "\xFF\xFE"} {
				if bytes.Contains(out, []byte(leak)) {
					t.Errorf("stored image still contains %q", leak)
				}
			}
			img, err := jpeg.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("stored image does not decode: %v", err)
			}
			// Orientation 6 applied: 40×20 becomes 20×40, the red left
			// half now on top.
			if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
				t.Fatalf("stored image is %v, want 20×40 (turned upright)", b)
			}
			if r, _, bl, _ := img.At(10, 5).RGBA(); r < bl {
				t.Errorf("top of the upright image is not red")
			}
			if r, _, bl, _ := img.At(10, 35).RGBA(); bl < r {
				t.Errorf("bottom of the upright image is not blue")
			}
		}
		if !strings.Contains(b.get(page).Body, `<img src="/media/`+d.story(t, st.ID).CoverImage+`" alt="A river at dusk" width="20" height="40">`) {
			t.Error("the story page does not show the cover with its description")
		}
	})

	t.Run("PNGWithText", func(t *testing.T) {
		b.get(page)
		// Named .jpg: the content decides, not the name.
		wantRedirect(t, b.upload(path, "scan.jpg", textPNG(t), nil), page)
		out := readMedia(t, d, d.story(t, st.ID).CoverImage, ".png")
		for _, leak := range []string{"tEXt", "secret location"} {
			if bytes.Contains(out, []byte(leak)) {
				t.Errorf("stored PNG still contains %q", leak)
			}
		}
		img, err := png.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("stored PNG does not decode: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 30 || b.Dy() != 30 {
			t.Errorf("stored PNG is %v", b)
		}
	})

	t.Run("WebP", func(t *testing.T) {
		for _, src := range []string{webpLossless, webpLossy} {
			data, _ := base64.StdEncoding.DecodeString(src)
			b.get(page)
			wantRedirect(t, b.upload(path, "pixel.webp", data, nil), page)
			out := readMedia(t, d, d.story(t, st.ID).CoverImage, ".jpg")
			img, err := jpeg.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("stored image does not decode: %v", err)
			}
			if src == webpLossless {
				// A transparent pixel is flattened onto white, not black.
				if r, g, bl, _ := img.At(0, 0).RGBA(); r < 0xE000 || g < 0xE000 || bl < 0xE000 {
					t.Errorf("transparent WebP became %v, want white", img.At(0, 0))
				}
			}
		}
	})

	t.Run("LargeIsScaledDown", func(t *testing.T) {
		var buf bytes.Buffer
		if err := png.Encode(&buf, halves(2100, 300)); err != nil {
			t.Fatal(err)
		}
		b.get(page)
		wantRedirect(t, b.upload(path, "wide.png", buf.Bytes(), nil), page)
		cfg, err := png.DecodeConfig(bytes.NewReader(readMedia(t, d, d.story(t, st.ID).CoverImage, ".png")))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width != coverSide || cfg.Height != 285 {
			t.Errorf("stored %d×%d, want %d×%d", cfg.Width, cfg.Height, coverSide, 285)
		}
	})
}

// readMedia reads a stored media file, checking its name is the SHA-256 of
// its content with the expected extension, and, for a cover named with its
// size (package picture), that its variants are kept too.
func readMedia(t *testing.T, d *deskSite, name, ext string) []byte {
	t.Helper()
	n, sized := picture.Parse(name)
	if !sized && (len(name) != 64+len(ext) || !strings.HasSuffix(name, ext)) {
		t.Fatalf("file name %q, want <sha256>%s or <sha256>-<W>x<H>%s", name, ext, ext)
	}
	m, err := d.store.Media(t.Context(), name)
	if err != nil {
		t.Fatalf("stored cover: %v", err)
	}
	if m.Size != len(m.Content) || m.ContentType == "" {
		t.Errorf("stored cover %s: size %d of %d bytes, type %q", name, m.Size, len(m.Content), m.ContentType)
	}
	if sized {
		if want := picture.NameOf(m.Content, n.Width, n.Height, strings.TrimPrefix(ext, ".")); n != want {
			t.Errorf("cover name %q, want %q", name, want)
		}
		for _, w := range n.VariantWidths() {
			for _, e := range []string{"webp", n.Ext} {
				v, err := d.store.Media(t.Context(), n.Variant(w, e))
				if err != nil {
					t.Errorf("variant %d %s: %v", w, e, err)
					continue
				}
				for _, leak := range []string{"Exif", "GPS", "safe house", "tEXt", "secret location"} {
					if bytes.Contains(v.Content, []byte(leak)) {
						t.Errorf("variant %s still contains %q", v.Name, leak)
					}
				}
			}
		}
	}
	return m.Content
}

// mediaFiles lists the images kept.
func (d *deskSite) mediaFiles(t *testing.T) []string {
	t.Helper()
	n, _, err := d.store.MediaStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return make([]string, n)
}

// TestDesk_Orient checks each EXIF orientation against the same turn built
// from quarter turns and mirrorings.
func TestDesk_Orient(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			src.SetRGBA(x, y, color.RGBA{R: uint8(10 + 50*x), G: uint8(10 + 50*y), A: 255})
		}
	}
	cw := func(m *image.RGBA) *image.RGBA { // a quarter turn clockwise
		w, h := m.Rect.Dx(), m.Rect.Dy()
		out := image.NewRGBA(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Set(h-1-y, x, m.At(x, y))
			}
		}
		return out
	}
	mirror := func(m *image.RGBA, vertical bool) *image.RGBA {
		w, h := m.Rect.Dx(), m.Rect.Dy()
		out := image.NewRGBA(m.Rect)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if vertical {
					out.Set(x, h-1-y, m.At(x, y))
				} else {
					out.Set(w-1-x, y, m.At(x, y))
				}
			}
		}
		return out
	}
	want := map[int]*image.RGBA{
		1: src,
		2: mirror(src, false),
		3: cw(cw(src)),
		4: mirror(src, true),
		5: mirror(cw(src), false),
		6: cw(src),
		7: mirror(cw(src), true),
		8: cw(cw(cw(src))),
		9: src,
	}
	for o, w := range want {
		got := orient(src, o)
		if got.Rect != w.Rect || !bytes.Equal(got.Pix, w.Pix) {
			t.Errorf("orientation %d: got %v %v, want %v %v", o, got.Rect, got.Pix, w.Rect, w.Pix)
		}
	}
}

// TestDesk_JPEGOrientation reads the tag in both byte orders and survives
// every truncation of the file.
func TestDesk_JPEGOrientation(t *testing.T) {
	t.Parallel()
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, o := range []uint16{1, 3, 6, 8} {
			var buf bytes.Buffer
			jpeg.Encode(&buf, halves(4, 4), nil)
			in := withSegments(buf.Bytes(), segment(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")),
				segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(bo, o)...)))
			if got := jpegOrientation(in); got != int(o) {
				t.Errorf("%v orientation %d: got %d", bo, o, got)
			}
			for n := range len(in) {
				jpegOrientation(in[:n])
			}
		}
	}
	var plain bytes.Buffer
	jpeg.Encode(&plain, halves(4, 4), nil)
	if got := jpegOrientation(plain.Bytes()); got != 1 {
		t.Errorf("no EXIF: got %d, want 1", got)
	}
}
