// Package picture makes the smaller copies of an image that pages offer
// browsers to choose from (srcset), in WebP and in the original's format,
// and names them so that a page can list them from the original's name
// alone, without asking the database what exists.
//
// An original is named "<hash>-<W>x<H>.<ext>": the SHA-256 of its bytes
// and its size in pixels. Its variants are "<hash>-<W>x<H>-<w>.webp" and
// "<hash>-<W>x<H>-<w>.<ext>", one pair for each of Widths narrower than W,
// and one at W itself unless W is wider than the widest of Widths.
// Originals stored before this scheme ("<hash>.<ext>") have no variants
// until `samizdat media variants` (or the demo) makes them.
package picture

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"regexp"
	"strconv"

	"github.com/gen2brain/webp"
	"golang.org/x/image/draw"
)

// Widths are the widths, in pixels, variants are made at: a phone's
// column, a tablet's or a desktop's at twice its density, and a desktop's
// story column at twice its density.
var Widths = []int{480, 800, 1200}

// Quality of the variants' encodings: lower than the original's, since a
// variant is only ever shown at its own size.
const (
	webpQuality = 75
	jpegQuality = 80
)

// Name is a stored original's name, taken apart.
type Name struct {
	Hash          string // hex SHA-256 of the original's bytes
	Width, Height int
	Ext           string // "jpg" or "png"
}

var nameRE = regexp.MustCompile(`^([a-f0-9]{64})-([1-9][0-9]{0,4})x([1-9][0-9]{0,4})\.(jpg|png)$`)

// Parse reads an original's name. It returns false for any other name,
// among them the originals stored before sizes were part of the name.
func Parse(name string) (Name, bool) {
	m := nameRE.FindStringSubmatch(name)
	if m == nil {
		return Name{}, false
	}
	w, _ := strconv.Atoi(m[2])
	h, _ := strconv.Atoi(m[3])
	return Name{Hash: m[1], Width: w, Height: h, Ext: m[4]}, true
}

// NameOf names the original data, an image of width×height pixels encoded
// as ext.
func NameOf(data []byte, width, height int, ext string) Name {
	sum := sha256.Sum256(data)
	return Name{Hash: hex.EncodeToString(sum[:]), Width: width, Height: height, Ext: ext}
}

// String is the original's stored name.
func (n Name) String() string {
	return fmt.Sprintf("%s-%dx%d.%s", n.Hash, n.Width, n.Height, n.Ext)
}

// VariantWidths are the widths n's variants are made at, narrowest first.
func (n Name) VariantWidths() []int {
	var out []int
	for _, w := range Widths {
		if w < n.Width {
			out = append(out, w)
		}
	}
	if n.Width <= Widths[len(Widths)-1] {
		out = append(out, n.Width)
	}
	return out
}

// Variant is the name of n's variant w pixels wide, encoded as ext ("webp",
// or n.Ext).
func (n Name) Variant(w int, ext string) string {
	return fmt.Sprintf("%s-%dx%d-%d.%s", n.Hash, n.Width, n.Height, w, ext)
}

// HeightAt is the height of n scaled to w pixels wide.
func (n Name) HeightAt(w int) int { return max(1, (n.Height*w+n.Width/2)/n.Width) }

// File is an image to store.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Variants makes the variants of the original named n, whose pixels are
// img: for each of n.VariantWidths, a WebP and a copy in n.Ext. They are
// encoded from pixels, so no metadata of the original can survive into
// them.
func Variants(img image.Image, n Name) ([]File, error) {
	var out []File
	widths := n.VariantWidths()
	smalls := make([]*image.RGBA, len(widths))
	// Widest first, each scaled from the one before: a smaller source
	// makes the narrower ones several times cheaper to scale.
	var from image.Image = img
	for i := len(widths) - 1; i >= 0; i-- {
		smalls[i] = scale(from, widths[i], n.HeightAt(widths[i]))
		from = smalls[i]
	}
	for i, w := range widths {
		small := smalls[i]
		var wb bytes.Buffer
		if err := webp.Encode(&wb, small, webp.Options{Quality: webpQuality}); err != nil {
			return nil, fmt.Errorf("picture: webp %d: %w", w, err)
		}
		var fb bytes.Buffer
		ctype := "image/jpeg"
		var err error
		if n.Ext == "png" {
			ctype = "image/png"
			err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&fb, small)
		} else {
			err = jpeg.Encode(&fb, onWhite(small), &jpeg.Options{Quality: jpegQuality})
		}
		if err != nil {
			return nil, fmt.Errorf("picture: %s %d: %w", n.Ext, w, err)
		}
		out = append(out,
			File{Name: n.Variant(w, "webp"), ContentType: "image/webp", Data: wb.Bytes()},
			File{Name: n.Variant(w, n.Ext), ContentType: ctype, Data: fb.Bytes()})
	}
	return out, nil
}

// scale draws src into a new w×h image.
func scale(src image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if b := src.Bounds(); b.Dx() == w && b.Dy() == h {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
		return dst
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// onWhite flattens a transparent image onto white, as JPEG has no
// transparency.
func onWhite(img *image.RGBA) image.Image {
	if img.Opaque() {
		return img
	}
	dst := image.NewRGBA(img.Bounds())
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min, draw.Over)
	return dst
}
