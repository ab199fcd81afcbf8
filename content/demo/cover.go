package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"samizdat/content/store"
	"samizdat/picture"
	"strings"
	"sync"
)

// Cover images are drawn when the demo loads rather than shipped as files:
// calm abstract compositions, one palette per story, the size OpenGraph
// previews use. The same spec always gives the same bytes, so the file name
// (the SHA-256 of the JPEG, as uploaded covers are named) is stable too.
const (
	coverWidth  = 1200
	coverHeight = 630
)

// coverSpec is a story.txt "cover" line: a composition and four colours,
// e.g. "horizon #f4d9b0 #e8a87c #6b4f3a #c8553d".
type coverSpec struct {
	Kind   string
	Colors [4]color.RGBA
}

var coverKinds = map[string]func(*image.RGBA, [4]color.RGBA, *rand.Rand){
	"horizon": drawHorizon,
	"circles": drawCircles,
	"rings":   drawRings,
	"bands":   drawBands,
}

func parseCoverSpec(s string) (coverSpec, error) {
	f := strings.Fields(s)
	if len(f) != 5 {
		return coverSpec{}, fmt.Errorf("cover: want a composition and four #rrggbb colours, got %q", s)
	}
	if coverKinds[f[0]] == nil {
		return coverSpec{}, fmt.Errorf("cover: unknown composition %q (horizon, circles, rings or bands)", f[0])
	}
	spec := coverSpec{Kind: f[0]}
	for i, c := range f[1:] {
		var err error
		if spec.Colors[i], err = parseColor(c); err != nil {
			return coverSpec{}, fmt.Errorf("cover: %w", err)
		}
	}
	return spec, nil
}

// rendered memoizes render, a pure function of its spec and seed: encoding
// a JPEG is the slow part of loading the demo, and the tests load it often.
var rendered sync.Map // fmt.Sprint(spec, seed) → []byte

// render draws the cover and encodes it as a JPEG.
func (c coverSpec) render(seed string) ([]byte, error) {
	key := fmt.Sprint(c, seed)
	if b, ok := rendered.Load(key); ok {
		return b.([]byte), nil
	}
	img := image.NewRGBA(image.Rect(0, 0, coverWidth, coverHeight))
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5a17))
	coverKinds[c.Kind](img, c.Colors, rng)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
		return nil, err
	}
	rendered.Store(key, buf.Bytes())
	return buf.Bytes(), nil
}

// writeCover keeps data in the media table under its hash and size, with
// its variants (package picture), and returns the name.
func writeCover(ctx context.Context, st *store.Store, data []byte) (string, error) {
	n := picture.NameOf(data, coverWidth, coverHeight, "jpg")
	files, err := coverVariants(n, data)
	if err != nil {
		return "", err
	}
	for _, f := range append(files, picture.File{Name: n.String(), ContentType: "image/jpeg", Data: data}) {
		if _, err := st.PutMedia(ctx, f.Name, f.ContentType, f.Data); err != nil {
			return "", err
		}
	}
	return n.String(), nil
}

// variants memoizes coverVariants: encoding WebP is slower still than
// encoding the covers, and the tests load the demo often.
var variants sync.Map // picture.Name → []picture.File

// coverVariants makes the variants of the cover data named n.
func coverVariants(n picture.Name, data []byte) ([]picture.File, error) {
	if v, ok := variants.Load(n); ok {
		return v.([]picture.File), nil
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	files, err := picture.Variants(img, n)
	if err != nil {
		return nil, err
	}
	variants.Store(n, files)
	return files, nil
}

// writeImage keeps data in the media table as prefix<sha256><ext> unless
// it is there already, and returns the name without the prefix.
func writeImage(ctx context.Context, st *store.Store, prefix string, data []byte, ext string) (string, error) {
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:]) + ext
	types := map[string]string{".jpg": "image/jpeg", ".png": "image/png"}
	if _, err := st.PutMedia(ctx, prefix+name, types[ext], data); err != nil {
		return "", err
	}
	return name, nil
}

// mix is a + (b-a)·t, per channel.
func mix(a, b color.RGBA, t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t))
	l := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*t)) }
	return color.RGBA{R: l(a.R, b.R), G: l(a.G, b.G), B: l(a.B, b.B), A: 255}
}

// gradient fills r row by row from top to bottom colour, with the rows
// eased so the middle of the band changes slowest.
func gradient(img *image.RGBA, r image.Rectangle, top, bottom color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		t := float64(y-r.Min.Y) / float64(max(1, r.Dy()-1))
		t = t * t * (3 - 2*t)
		row := image.Rect(r.Min.X, y, r.Max.X, y+1)
		draw.Draw(img, row, &image.Uniform{C: mix(top, bottom, t)}, image.Point{}, draw.Src)
	}
}

// disc is an anti-aliased ring, or a filled circle when inner is 0:
// coverage is 1 between the inner and outer radius, fading over one pixel.
type disc struct {
	cx, cy, inner, outer float64
	opacity              float64
}

func (d disc) bounds() image.Rectangle {
	return image.Rect(int(d.cx-d.outer)-1, int(d.cy-d.outer)-1, int(d.cx+d.outer)+2, int(d.cy+d.outer)+2)
}

// paint blends colour c over img through the disc. It works on the pixel
// buffer directly and, row by row, only on the span the ring can touch:
// draw.DrawMask with a computed mask costs an interface call and an
// allocation per pixel, seconds per cover under the race detector.
func paint(img *image.RGBA, d disc, c color.RGBA) {
	r := d.bounds().Intersect(img.Bounds())
	outer2 := (d.outer + 1) * (d.outer + 1)
	inner2 := math.Max(0, d.inner-1) * math.Max(0, d.inner-1)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		dy := float64(y) + 0.5 - d.cy
		if dy*dy > outer2 {
			continue
		}
		reach := math.Sqrt(outer2 - dy*dy)
		hole := 0.0 // the half-width of the empty middle of a ring on this row
		if inner2 > dy*dy {
			hole = math.Sqrt(inner2 - dy*dy)
		}
		left := image.Rect(int(d.cx-reach), y, int(math.Ceil(d.cx-hole)), y+1)
		right := image.Rect(int(d.cx+hole), y, int(math.Ceil(d.cx+reach))+1, y+1)
		if hole == 0 {
			left.Max.X, right = right.Max.X, image.Rectangle{}
		}
		for _, span := range []image.Rectangle{left.Intersect(r), right.Intersect(r)} {
			for x := span.Min.X; x < span.Max.X; x++ {
				dx := float64(x) + 0.5 - d.cx
				dist := math.Sqrt(dx*dx + dy*dy)
				cov := math.Min(d.outer-dist+0.5, 1)
				if d.inner > 0 {
					cov = math.Min(cov, dist-d.inner+0.5)
				}
				if cov <= 0 {
					continue
				}
				a := cov * d.opacity
				p := img.Pix[img.PixOffset(x, y):]
				p[0] = uint8(float64(p[0])*(1-a) + float64(c.R)*a + 0.5)
				p[1] = uint8(float64(p[1])*(1-a) + float64(c.G)*a + 0.5)
				p[2] = uint8(float64(p[2])*(1-a) + float64(c.B)*a + 0.5)
			}
		}
	}
}

// drawHorizon: a sky fading into a low sun half set behind two bands of
// land or sea.
func drawHorizon(img *image.RGBA, c [4]color.RGBA, rng *rand.Rand) {
	horizon := coverHeight * (58 + rng.IntN(8)) / 100
	gradient(img, image.Rect(0, 0, coverWidth, horizon), c[0], c[1])
	sunX := float64(coverWidth) * (0.55 + rng.Float64()*0.25)
	sunR := 110 + rng.Float64()*40
	for i := 12; i > 0; i-- { // a glow: faint discs, each a little smaller
		paint(img, disc{cx: sunX, cy: float64(horizon), outer: sunR + float64(i)*14, opacity: 0.035}, c[3])
	}
	paint(img, disc{cx: sunX, cy: float64(horizon), outer: sunR, opacity: 1}, c[3])
	mid := horizon + (coverHeight-horizon)*2/5
	gradient(img, image.Rect(0, horizon, coverWidth, mid), mix(c[2], c[1], 0.35), c[2])
	gradient(img, image.Rect(0, mid, coverWidth, coverHeight), c[2], mix(c[2], color.RGBA{A: 255}, 0.35))
}

// drawCircles: a diagonal wash with a few large, overlapping, translucent circles.
func drawCircles(img *image.RGBA, c [4]color.RGBA, rng *rand.Rand) {
	for x := range coverWidth {
		t := float64(x) / coverWidth
		draw.Draw(img, image.Rect(x, 0, x+1, coverHeight), &image.Uniform{C: mix(c[0], c[1], t)}, image.Point{}, draw.Src)
	}
	for i := range 4 {
		d := disc{
			cx:      float64(coverWidth) * (0.2 + 0.2*float64(i) + (rng.Float64()-0.5)*0.1),
			cy:      float64(coverHeight) * (0.35 + rng.Float64()*0.35),
			outer:   130 + rng.Float64()*120,
			opacity: 0.45 + rng.Float64()*0.25,
		}
		paint(img, d, c[2+i%2])
	}
}

// drawRings: concentric rings like a cut branch, centred off to one side.
func drawRings(img *image.RGBA, c [4]color.RGBA, rng *rand.Rand) {
	gradient(img, img.Bounds(), c[0], c[1])
	cx := float64(coverWidth) * (0.25 + rng.Float64()*0.15)
	cy := float64(coverHeight) * (0.55 + rng.Float64()*0.2)
	r := 28.0
	for i := 0; r < 900; i++ {
		w := 5 + rng.Float64()*10
		paint(img, disc{cx: cx, cy: cy, inner: r, outer: r + w, opacity: 0.2 + 0.2*float64(i%2)}, c[2+i%2])
		r += w + 16 + rng.Float64()*34
	}
	paint(img, disc{cx: cx, cy: cy, outer: 18, opacity: 0.9}, c[3])
}

// drawBands: broad horizontal fields of colour that blur into each other.
func drawBands(img *image.RGBA, c [4]color.RGBA, rng *rand.Rand) {
	stops := []int{0}
	for _, f := range []float64{0.3, 0.55, 0.8} {
		stops = append(stops, int(float64(coverHeight)*(f+(rng.Float64()-0.5)*0.08)))
	}
	stops = append(stops, coverHeight)
	for i := range 4 {
		next := c[min(i+1, 3)]
		top, bottom := stops[i], stops[i+1]
		blend := (bottom - top) / 3
		draw.Draw(img, image.Rect(0, top, coverWidth, bottom-blend), &image.Uniform{C: c[i]}, image.Point{}, draw.Src)
		gradient(img, image.Rect(0, bottom-blend, coverWidth, bottom), c[i], next)
	}
	paint(img, disc{cx: float64(coverWidth) * (0.15 + rng.Float64()*0.7), cy: float64(stops[1]), outer: 70, opacity: 0.85}, mix(c[0], color.RGBA{R: 255, G: 255, B: 255, A: 255}, 0.55))
}
