package content

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Markdown renderers, one per quote style. goldmark without html.WithUnsafe
// drops raw HTML and refuses javascript:, vbscript:, file: and data: links
// (other than images), so whatever an editor pastes renders inert.
var (
	mdEnglish    = newMarkdown("&ldquo;", "&rdquo;", "&lsquo;", "&rsquo;")
	mdGuillemets = newMarkdown("&laquo;", "&raquo;", "&bdquo;", "&ldquo;")
	mdFrench     = newMarkdown("&laquo;&#8239;", "&#8239;&raquo;", "&ldquo;", "&rdquo;")
)

func newMarkdown(ldquo, rdquo, lsquo, rsquo string) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.Table,
			extension.Footnote,
			extension.Strikethrough,
			extension.Linkify,
			extension.NewTypographer(extension.WithTypographicSubstitutions(extension.TypographicSubstitutions{
				extension.LeftDoubleQuote:  []byte(ldquo),
				extension.RightDoubleQuote: []byte(rdquo),
				extension.LeftSingleQuote:  []byte(lsquo),
				extension.RightSingleQuote: []byte(rsquo),
			})),
		),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(remoteImages{}, 100))),
		goldmark.WithRendererOptions(html.WithXHTML()),
	)
}

// RenderMarkdown renders an editor's Markdown to HTML with the typographic
// quotes of lang: “English”, «русские», « français ».
func RenderMarkdown(lang, src string) string {
	md := mdEnglish
	switch lang {
	case "ru", "uk", "be", "de":
		md = mdGuillemets
	case "fr":
		md = mdFrench
	}
	var buf bytes.Buffer
	ids := parser.WithIDs(&headingIDs{used: map[string]bool{}})
	if err := md.Convert([]byte(src), &buf, parser.WithContext(parser.NewContext(ids))); err != nil {
		// goldmark only fails when the writer fails; a bytes.Buffer does not.
		return ""
	}
	return buf.String()
}

// headingIDs names headings after their text the way slugs are made, so a
// Russian heading gets a readable anchor (#nashi-pravila) instead of the "-"
// goldmark makes of any text without ASCII letters. Repeats get -2, -3…
type headingIDs struct{ used map[string]bool }

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := Slugify(string(value))
	if base == "" {
		base = "section"
	}
	id := base
	for i := 2; h.used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	h.used[id] = true
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.used[string(value)] = true }

// remoteImages keeps the images of the site's own media store (/media/…,
// where the desk puts uploads, stripped of their metadata) and turns the
// others into what a reader can use. The site loads nothing from other hosts
// (its CSP says img-src 'self': a reader's address must reach no third
// party), so an image hosted elsewhere would show broken; it becomes a link
// to it, which the reader may choose to follow. Any other address (another
// path of the site, data:, javascript:…) is no image we served, and becomes
// its description: an "image" at /desk/… would make every reader's browser
// request a desk address.
type remoteImages struct{}

func (remoteImages) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var images []*ast.Image
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering && !MediaImage(string(img.Destination)) {
			images = append(images, img)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		var repl ast.Node
		dest := strings.ToLower(string(img.Destination))
		web := strings.HasPrefix(dest, "https://") || strings.HasPrefix(dest, "http://")
		if web && !insideLink(img) { // a link in a link is no HTML
			link := ast.NewLink()
			link.Destination, link.Title = img.Destination, img.Title
			repl = link
		} else {
			repl = ast.NewEmphasis(1) // the description, set apart from the text around it
		}
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			repl.AppendChild(repl, c)
			c = next
		}
		if repl.ChildCount() == 0 {
			link, ok := repl.(*ast.Link)
			if !ok {
				img.Parent().RemoveChild(img.Parent(), img) // nothing to say
				continue
			}
			repl.AppendChild(repl, ast.NewString(link.Destination))
		}
		img.Parent().ReplaceChild(img.Parent(), img, repl)
	}
}

// insideLink reports whether n is part of a link's text.
func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.Link); ok {
			return true
		}
	}
	return false
}

// MediaImage reports whether an image address is a file of the site's own
// media store: a path under /media/ naming one file, with no scheme, host,
// query or way out of the directory.
func MediaImage(dest string) bool {
	name, ok := strings.CutPrefix(dest, "/media/")
	return ok && name != "" && !strings.ContainsAny(name, "/\\?#:%") && !strings.HasPrefix(name, ".")
}
