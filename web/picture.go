package web

import (
	"fmt"
	"html/template"
	"regexp"
	"strconv"
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

// storyBodySizes is how wide an image in a story's text is shown: the
// story's measure.
const storyBodySizes = storyCoverSizes

// bodyImage is an image as content.RenderMarkdown writes it: local only,
// its description escaped, a title perhaps.
var bodyImage = regexp.MustCompile(`<img src="/media/([^"/]+)" alt="([^"]*)"( title="[^"]*")?( />|>)`)

// bodyPictures gives the images of a story's rendered text what covers
// have: variants with srcset when their name carries their size, width and
// height, and lazy loading, except for the first when eager (a story
// without a cover, whose first image is likely its largest element).
func bodyPictures(body string, eager bool) string {
	return bodyImage.ReplaceAllStringFunc(body, func(img string) string {
		m := bodyImage.FindStringSubmatch(img)
		first := eager
		eager = false
		n, ok := picture.Parse(m[1])
		if !ok {
			return strings.TrimSuffix(img, m[4]) + attrLoading(first) + ">"
		}
		var webp, own []string
		src := ""
		for _, w := range n.VariantWidths() {
			webp = append(webp, fmt.Sprintf("%s %dw", mediaURL(n.Variant(w, "webp")), w))
			own = append(own, fmt.Sprintf("%s %dw", mediaURL(n.Variant(w, n.Ext)), w))
			src = mediaURL(n.Variant(w, n.Ext))
		}
		return fmt.Sprintf(`<picture><source type="image/webp" srcset="%s" sizes="%s"><img src="%s" srcset="%s" sizes="%s" width="%d" height="%d" alt="%s"%s%s></picture>`,
			strings.Join(webp, ", "), storyBodySizes, src, strings.Join(own, ", "), storyBodySizes, n.Width, n.Height, m[2], m[3], attrLoading(first))
	})
}

// attrLoading is how an image loads: the first of a page at once and
// early, the others when near the viewport.
func attrLoading(first bool) string {
	if first {
		return ` fetchpriority="high"`
	}
	return ` loading="lazy"`
}

// feedImage is a stored image as the Atom feed carries it, altHTML its
// description already escaped and extra any further attributes (a title):
// addresses absolute, since a reader's app shows the entry away from the
// site, and, for a name that carries its size, the widest variant with the
// others in srcset and that variant's own width and height. There is no
// <picture> with WebP sources: feed readers commonly strip both. A name
// stored without its size is sent as it is, which no page knows the size
// of either until `samizdat media variants` names it.
func (s *Server) feedImage(name, altHTML, extra string) string {
	n, ok := picture.Parse(name)
	if !ok {
		return `<img src="` + template.HTMLEscapeString(s.absURL(mediaURL(name))) + `" alt="` + altHTML + `"` + extra + `>`
	}
	var set []string
	w := 0
	for _, w = range n.VariantWidths() {
		set = append(set, s.absURL(mediaURL(n.Variant(w, n.Ext)))+" "+strconv.Itoa(w)+"w")
	}
	return fmt.Sprintf(`<img src="%s" srcset="%s" sizes="100vw" width="%d" height="%d" alt="%s"%s>`,
		template.HTMLEscapeString(s.absURL(mediaURL(n.Variant(w, n.Ext)))), template.HTMLEscapeString(strings.Join(set, ", ")),
		w, n.HeightAt(w), altHTML, extra)
}

// feedBodyImages gives the images of a story's rendered text what
// feedImage gives its cover.
func (s *Server) feedBodyImages(body string) string {
	return bodyImage.ReplaceAllStringFunc(body, func(img string) string {
		m := bodyImage.FindStringSubmatch(img)
		return s.feedImage(m[1], m[2], m[3])
	})
}
