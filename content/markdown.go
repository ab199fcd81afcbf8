package content

import (
	"bytes"

	"github.com/yuin/goldmark"
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
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails when the writer fails; a bytes.Buffer does not.
		return ""
	}
	return buf.String()
}
