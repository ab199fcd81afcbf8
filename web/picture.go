package web

import (
	"fmt"
	"strings"

	"samizdat/picture"
)

// pictureView is an image as the "picture" partial shows it: with its
// smaller copies for the browser to choose from, WebP first, and its size,
// so that the page does not move when it arrives.
type pictureView struct {
	Src           string // the fallback: the widest variant, or the original
	SrcSet        string // variants in the original's format; "" without variants
	WebP          string // the WebP variants; "" without variants
	Sizes         string
	Width, Height int // 0 for an image stored before sizes were known
	Alt           string
	// Eager marks the first image of a page, likely its largest element:
	// it is fetched at once and early, the others only near the viewport.
	Eager bool
}

// Sizes of the images as style.css lays them out, for the browser to pick
// a variant before it has laid out the page.
const (
	storyCoverSizes = "(min-width: 40rem) 38rem, 100vw" // .story's measure
	entryCoverSizes = "(min-width: 44rem) 15rem, 100vw" // .entry.has-cover's column
)

// newPicture describes the stored image name for a page. A name without
// its size (picture.Parse) is shown as it is, without variants.
func newPicture(name, alt, sizes string, eager bool) *pictureView {
	v := &pictureView{Src: mediaURL(name), Alt: alt, Sizes: sizes, Eager: eager}
	n, ok := picture.Parse(name)
	if !ok {
		return v
	}
	v.Width, v.Height = n.Width, n.Height
	var webp, own []string
	for _, w := range n.VariantWidths() {
		webp = append(webp, fmt.Sprintf("%s %dw", mediaURL(n.Variant(w, "webp")), w))
		own = append(own, fmt.Sprintf("%s %dw", mediaURL(n.Variant(w, n.Ext)), w))
		v.Src = mediaURL(n.Variant(w, n.Ext))
	}
	v.WebP, v.SrcSet = strings.Join(webp, ", "), strings.Join(own, ", ")
	return v
}
