package federation

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Each language actor gets a generated avatar (its language code in large
// block letters) and a plain header, so that a fresh installation looks
// deliberate on Mastodon without any upload. They are drawn on first request
// and then served from memory.

// palette holds the avatar colours, picked by a hash of the language code so
// a language keeps its colour across restarts.
var palette = []color.RGBA{
	{0x9b, 0x1c, 0x1c, 0xff}, // brick
	{0x1d, 0x4e, 0x89, 0xff}, // ink blue
	{0x2f, 0x6b, 0x3a, 0xff}, // green
	{0x5b, 0x2c, 0x6f, 0xff}, // violet
	{0x8a, 0x5a, 0x00, 0xff}, // ochre
	{0x1f, 0x5f, 0x5b, 0xff}, // teal
}

// actorImages is the PNG avatar and header of one language actor, drawn once.
type actorImages struct {
	lang         string
	once         sync.Once
	icon, header []byte
	err          error
}

// get returns the images, drawing them the first time.
func (a *actorImages) get() (icon, header []byte, err error) {
	a.once.Do(func() { a.icon, a.header, a.err = makeImages(a.lang) })
	return a.icon, a.header, a.err
}

func langColor(lang string) color.RGBA {
	h := fnv.New32a()
	h.Write([]byte(lang))
	return palette[h.Sum32()%uint32(len(palette))]
}

// makeImages draws the avatar and header of a language actor.
func makeImages(lang string) (icon, header []byte, err error) {
	bg := langColor(lang)
	if icon, err = encodePNG(avatar(strings.ToUpper(lang), bg)); err != nil {
		return nil, nil, err
	}
	if header, err = encodePNG(banner(bg)); err != nil {
		return nil, nil, err
	}
	return icon, header, nil
}

// avatar writes text with the 7×13 basic font into a small image and scales
// it up by whole pixels onto a 400×400 square: crisp block letters without
// shipping a font.
func avatar(text string, bg color.RGBA) image.Image {
	const size = 400
	face := basicfont.Face7x13
	small := image.NewRGBA(image.Rect(0, 0, 7*len(text), 13))
	d := font.Drawer{Dst: small, Src: image.White, Face: face, Dot: fixed.P(0, 11)}
	d.DrawString(text)

	scale := (size * 3 / 4) / small.Bounds().Dx()
	if s := (size / 2) / 13; s < scale {
		scale = s
	}
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.Draw(dst, dst.Bounds(), &image.Uniform{bg}, image.Point{}, draw.Src)
	w, h := small.Bounds().Dx()*scale, 13*scale
	ox, oy := (size-w)/2, (size-h)/2
	for y := 0; y < 13; y++ {
		for x := 0; x < small.Bounds().Dx(); x++ {
			if _, _, _, a := small.At(x, y).RGBA(); a > 0x8000 {
				r := image.Rect(ox+x*scale, oy+y*scale, ox+(x+1)*scale, oy+(y+1)*scale)
				draw.Draw(dst, r, image.White, image.Point{}, draw.Src)
			}
		}
	}
	return dst
}

// banner is a 1500×500 header in the language's colour with a darker band,
// the proportions Mastodon crops headers to.
func banner(bg color.RGBA) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, 1500, 500))
	draw.Draw(dst, dst.Bounds(), &image.Uniform{bg}, image.Point{}, draw.Src)
	dark := color.RGBA{bg.R / 2, bg.G / 2, bg.B / 2, 0xff}
	draw.Draw(dst, image.Rect(0, 400, 1500, 440), &image.Uniform{dark}, image.Point{}, draw.Src)
	return dst
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// handleActorImage serves a language actor's avatar or header.
func (f *Federation) handleActorImage(w http.ResponseWriter, r *http.Request) {
	imgs, ok := f.images[chi.URLParam(r, "lang")]
	if !ok {
		f.notFound(w, r)
		return
	}
	b, header, err := imgs.get()
	if err != nil {
		f.error(w, r, err)
		return
	}
	if chi.URLParam(r, "image") == "header" {
		b = header
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b) //nolint:errcheck // the client went away
}
