package content

import (
	"bytes"
	"strconv"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
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
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
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
