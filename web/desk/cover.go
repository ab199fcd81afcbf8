package desk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"unicode/utf8"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"samizdat/content"
	"samizdat/picture"
)

// Cover image limits. The byte limit is checked before anything is read;
// the dimensions are checked from the header, before decoding, so that a
// small file that claims to be enormous (a decompression bomb) never gets
// its pixels allocated.
const (
	maxCoverBytes     = 10 << 20
	maxCoverDimension = 16_000
	maxCoverPixels    = 40_000_000
	coverSide         = 2000 // covers are scaled down to fit a square this big
	coverJPEGQuality  = 85
)

// handleCoverUpload stores a new cover image for a story and the image's
// description in each of its translations. The image is decoded and encoded
// again, so nothing but pixels survives: no EXIF (camera, GPS position, time),
// no XMP, no ICC profile, no comments.
func (s *Server) handleCoverUpload(w http.ResponseWriter, r *http.Request) {
	st, ok := s.deskStory(w, r)
	if !ok {
		return
	}
	form := storyFormFromStory(st)
	if err := parseDeskBody(w, r); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.deskError(w, r, http.StatusRequestEntityTooLarge, "")
			return
		}
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	errs := content.ValidationError{}
	alts := map[string]string{}
	for _, t := range st.Translations {
		alt := r.PostFormValue("cover_alt_" + t.Lang)
		alts[t.Lang] = alt
		if utf8.RuneCountInString(alt) > 1000 {
			errs.Add("cover_alt_"+t.Lang, "Keep the image description under 1000 characters.")
		}
	}
	form.Alts = alts

	data, status, msg := readCoverFile(r)
	if msg != "" && !(status == 0 && st.CoverImage != "") {
		errs.Add("cover", msg)
	}
	if errs.Err() != nil {
		if status == 0 {
			status = http.StatusUnprocessableEntity
		}
		s.renderStoryEdit(w, r, status, st, form, errs.Fields)
		return
	}

	if data != nil {
		out, ext, err := reencodeImage(data)
		if err != nil {
			s.renderStoryEdit(w, r, http.StatusUnprocessableEntity, st, form, fieldErrors(err))
			return
		}
		name, err := s.saveCover(r.Context(), out, ext)
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		st.CoverImage = name
		if err := s.store.UpdateStory(r.Context(), st); err != nil {
			s.deskFail(w, r, err)
			return
		}
	}
	for _, t := range st.Translations {
		if alts[t.Lang] == t.CoverAlt {
			continue
		}
		t.CoverAlt = alts[t.Lang]
		if err := s.store.SaveTranslation(r.Context(), t); err != nil {
			s.deskFail(w, r, err)
			return
		}
	}
	s.flash(r, "The cover image is saved.")
	seeOther(w, r, fmt.Sprintf("/desk/stories/%d", st.ID))
}

// readCoverFile returns the uploaded file's bytes, or nil with a message
// for the person and the status to answer with. A missing file gives status 0:
// it is an error only when the story has no cover yet.
func readCoverFile(r *http.Request) ([]byte, int, string) { return readImageFile(r, "cover") }

// readImageFile is readCoverFile for the upload in field.
func readImageFile(r *http.Request, field string) ([]byte, int, string) {
	if r.MultipartForm == nil {
		return nil, http.StatusBadRequest, "Send the image with the upload form."
	}
	file, fh, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, 0, "Choose an image file."
	}
	if err != nil {
		return nil, http.StatusBadRequest, "The file could not be read. Try again."
	}
	defer file.Close()
	if fh.Size > maxCoverBytes {
		return nil, http.StatusRequestEntityTooLarge, "The image is larger than 10 MB. Export it smaller, or as JPEG, and try again."
	}
	data, err := io.ReadAll(io.LimitReader(file, maxCoverBytes+1))
	if err != nil {
		return nil, http.StatusBadRequest, "The file could not be read. Try again."
	}
	if len(data) > maxCoverBytes {
		return nil, http.StatusRequestEntityTooLarge, "The image is larger than 10 MB. Export it smaller, or as JPEG, and try again."
	}
	if len(data) == 0 {
		return nil, http.StatusUnprocessableEntity, "The file is empty."
	}
	return data, 0, ""
}

// coverInvalid is a validation error on the cover field.
func coverInvalid(msg string) error {
	return &content.ValidationError{Fields: map[string]string{"cover": msg}}
}

// reencodeImage decodes a JPEG, PNG or WebP image (recognized by its
// content, never by its name), turns a JPEG upright as its EXIF Orientation
// says, scales it down to fit coverSide, and encodes it afresh: PNG as PNG,
// everything else as JPEG. It returns the new bytes and their extension.
func reencodeImage(data []byte) ([]byte, string, error) {
	var decode func(io.Reader) (image.Image, error)
	var decodeConfig func(io.Reader) (image.Config, error)
	ext := "jpg"
	switch http.DetectContentType(data) {
	case "image/jpeg":
		decode, decodeConfig = jpeg.Decode, jpeg.DecodeConfig
	case "image/png":
		decode, decodeConfig = png.Decode, png.DecodeConfig
		ext = "png"
	case "image/webp":
		decode, decodeConfig = webp.Decode, webp.DecodeConfig
	default:
		return nil, "", coverInvalid("This file is not a JPEG, PNG or WebP image.")
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", coverInvalid("The image is damaged or in a variant we cannot read.")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxCoverDimension || cfg.Height > maxCoverDimension ||
		cfg.Width*cfg.Height > maxCoverPixels {
		return nil, "", coverInvalid(fmt.Sprintf("The image is %d×%d pixels; it may be at most %d pixels wide or high and %d megapixels.",
			cfg.Width, cfg.Height, maxCoverDimension, maxCoverPixels/1_000_000))
	}
	src, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", coverInvalid("The image is damaged or in a variant we cannot read.")
	}
	img := fitInside(src, coverSide)
	if ext == "jpg" {
		img = orient(img, jpegOrientation(data))
	}

	var out bytes.Buffer
	if ext == "png" {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, onWhite(img), &jpeg.Options{Quality: coverJPEGQuality})
	}
	if err != nil {
		return nil, "", fmt.Errorf("web: encode cover: %w", err)
	}
	return out.Bytes(), ext, nil
}

// fitInside copies src into a new RGBA image, scaled down (never up) to fit
// a side×side square. Fitting a square, rather than a width, means the result
// is the same whether the image is turned upright before or after; doing it
// before is cheaper.
func fitInside(src image.Image, side int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, h*side/w)
		} else {
			w, h = max(1, w*side/h), side
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
	} else {
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	}
	return dst
}

// onWhite flattens an image that may be transparent (a WebP) onto white,
// since JPEG has no transparency and would otherwise show it black.
func onWhite(img *image.RGBA) image.Image {
	if img.Opaque() {
		return img
	}
	dst := image.NewRGBA(img.Bounds())
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min, draw.Over)
	return dst
}

// orient turns an image as an EXIF Orientation value asks (CIPA DC-008,
// tag 0x0112): 1 is upright, 2–4 are mirrorings and a half turn, 5–8 swap
// width and height. Unknown values leave the image as it is.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2: // mirrored left to right
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored top to bottom
				dx, dy = x, h-1-y
			case 5: // mirrored along the top-left diagonal
				dx, dy = y, x
			case 6: // needs a quarter turn clockwise
				dx, dy = h-1-y, x
			case 7: // mirrored along the top-right diagonal
				dx, dy = h-1-y, w-1-x
			case 8: // needs a quarter turn counter-clockwise
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}

// jpegOrientation finds the EXIF Orientation of a JPEG: it walks the
// segments before the image data to the APP1 "Exif" one, reads the TIFF
// header's byte order and the first IFD's entries, and returns tag 0x0112's
// value. It returns 1 (upright) when there is none or anything is malformed.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01:
			i += 2 // markers without a length
			continue
		case marker == 0xDA || marker == 0xD9: // image data or end: no more metadata
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads the Orientation tag from IFD0 of a TIFF structure, as
// EXIF embeds one.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	count := int(bo.Uint16(t[ifd:]))
	for k := 0; k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		tag, typ := bo.Uint16(t[e:]), bo.Uint16(t[e+2:])
		if tag != 0x0112 {
			continue
		}
		if typ != 3 { // SHORT
			return 1
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// saveMedia keeps an image in the media table under the SHA-256 of its
// content, so the same image uploaded twice is kept once and a name never
// changes meaning. Every process of the publication then serves it.
func (s *Server) saveMedia(ctx context.Context, data []byte, ext string) (string, error) {
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:]) + "." + ext
	if _, err := s.store.PutMedia(ctx, name, mediaTypes[ext], data); err != nil {
		return "", fmt.Errorf("web: save media: %w", err)
	}
	return name, nil
}

// saveCover keeps a re-encoded cover under its hash and size, and its
// variants beside it (package picture), made here once so that readers'
// pages can offer them from the first request on.
func (s *Server) saveCover(ctx context.Context, data []byte, ext string) (string, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("web: cover variants: %w", err)
	}
	b := img.Bounds()
	n := picture.NameOf(data, b.Dx(), b.Dy(), ext)
	files, err := picture.Variants(img, n)
	if err != nil {
		return "", err
	}
	// The variants first: once the original is kept under its name, pages
	// may list them.
	for _, f := range append(files, picture.File{Name: n.String(), ContentType: mediaTypes[ext], Data: data}) {
		if _, err := s.store.PutMedia(ctx, f.Name, f.ContentType, f.Data); err != nil {
			return "", fmt.Errorf("web: save cover: %w", err)
		}
	}
	return n.String(), nil
}

// mediaTypes are the content types of the images the desk keeps, by
// extension.
var mediaTypes = map[string]string{"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
