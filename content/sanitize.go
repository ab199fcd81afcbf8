package content

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Remote HTML (the content of fediverse replies) is cleaned on arrival, never
// on display [GoToSocial sanitize-at-ingest], down to the elements Mastodon
// keeps in remote posts (docs/federation.md#reply-html-sanitizing, Mastodon's
// sanitize_config.rb). The cleaning is in two steps: bluemonday, which is the
// security boundary and decides which elements, attributes and URLs survive;
// then one pass over its output that only narrows it further, in ways
// bluemonday cannot express: headings become bold paragraphs, class lists keep
// only the microformat and Mastodon classes, and every link gets one fixed rel.

// LinkRel is the rel of every link in remote HTML: no endorsement, no
// window.opener, no Referer, and marked as user content.
const LinkRel = "nofollow noopener noreferrer ugc"

// linkSchemes are the link schemes Mastodon allows in remote posts
// (docs/federation.md#reply-html-sanitizing).
var linkSchemes = []string{"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini"}

// replyPolicy is bluemonday's half of the job. It is safe for concurrent use
// once built.
var replyPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "del", "pre", "code", "em", "strong", "b", "i", "u",
		"ul", "ol", "li", "blockquote", "span", "a",
		"h1", "h2", "h3", "h4", "h5", "h6") // headings are rewritten afterwards
	p.AllowAttrs("class").Matching(classListRE).OnElements("span", "a")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^-?[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("reversed").Matching(regexp.MustCompile(`^(|reversed)$`)).OnElements("ol")
	p.AllowAttrs("value").Matching(regexp.MustCompile(`^-?[0-9]{1,9}$`)).OnElements("li")
	p.AllowURLSchemes(linkSchemes...)
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	// A span or a link that loses all its attributes is dropped, its text kept.
	return p
}()

// classListRE admits a class attribute made of plausible class names; which
// of them survive is decided token by token in keepClass.
var classListRE = regexp.MustCompile(`^[A-Za-z0-9_ -]{1,200}$`)

// keepClass reports whether a class may stay on remote HTML: the
// microformats prefixes and the few classes Mastodon gives meaning to.
func keepClass(c string) bool {
	switch c {
	case "mention", "hashtag", "ellipsis", "invisible":
		return true
	}
	for _, p := range []string{"h-", "p-", "u-", "dt-", "e-"} {
		if strings.HasPrefix(c, p) && len(c) > len(p) {
			return true
		}
	}
	return false
}

// SanitizeHTML cleans HTML from another server to at most the set Mastodon
// keeps (docs/federation.md#reply-html-sanitizing): p, span, br, a, del, pre,
// code, em, strong, b, i, u, ul, ol, li and blockquote. Headings become bold
// paragraphs; classes are kept only from the microformats prefixes (h-, p-, u-,
// dt-, e-) and mention, hashtag, ellipsis and invisible, so that mentions and
// hashtags keep their links and look (docs/federation.md#hashtags, #mentions);
// links keep only http(s) and the other schemes Mastodon allows, and get
// rel="nofollow noopener noreferrer ugc" and nothing that opens a window.
// Scripts, styles, event handlers, images, forms, frames and everything else
// are removed, and the text of script and style elements with them. Custom
// emoji are left as their :shortcode: text, for the website to show as images
// of its own copies (docs/federation.md#custom-emoji).
func SanitizeHTML(s string) string {
	return narrow(replyPolicy.Sanitize(s))
}

// narrow rewrites bluemonday's output: headings into <p><strong>, class
// lists filtered, the fixed rel on links, and links without an address
// unwrapped. It parses the fragment as a browser would and renders it
// again, which also closes what the remote left open, so that an unclosed
// <a> or <blockquote> cannot swallow the rest of our page. Only elements
// bluemonday let through are in the tree, and rendering escapes every text
// and attribute, so this pass cannot widen what the policy allowed.
func narrow(s string) string {
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return html.EscapeString(PlainText(s))
	}
	for _, n := range nodes {
		ctx.AppendChild(n)
	}
	rewrite(ctx)
	var b strings.Builder
	for n := ctx.FirstChild; n != nil; n = n.NextSibling {
		if err := xhtml.Render(&b, n); err != nil {
			return html.EscapeString(PlainText(s))
		}
	}
	return b.String()
}

// rewrite applies narrow's changes to the children of n, depth first.
func rewrite(n *xhtml.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		rewrite(c)
		if c.Type == xhtml.ElementNode {
			switch c.DataAtom {
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				c.Data, c.DataAtom, c.Attr = "strong", atom.Strong, nil
				p := &xhtml.Node{Type: xhtml.ElementNode, Data: "p", DataAtom: atom.P}
				n.InsertBefore(p, c)
				n.RemoveChild(c)
				p.AppendChild(c)
			case atom.A:
				if c.Attr = linkAttrs(c.Attr); c.Attr == nil {
					unwrap(c)
				}
			case atom.Span:
				c.Attr = filterClass(c.Attr)
			}
		}
		c = next
	}
}

// unwrap replaces n with its children.
func unwrap(n *xhtml.Node) {
	parent := n.Parent
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		parent.InsertBefore(c, n)
		c = next
	}
	parent.RemoveChild(n)
}

// linkAttrs returns a link's attributes as they are kept: its address, its
// filtered classes and the fixed rel. A link without an address, or a
// mention or hashtag link whose address is not http(s), returns nil and is
// unwrapped, its text kept.
func linkAttrs(attrs []xhtml.Attribute) []xhtml.Attribute {
	var href string
	for _, a := range attrs {
		if a.Key == "href" {
			href = a.Val
		}
	}
	if href == "" {
		return nil
	}
	out := []xhtml.Attribute{{Key: "href", Val: href}}
	class := filterClass(attrs)
	if len(class) > 0 && !HTTPURL(href) {
		for _, c := range strings.Fields(class[0].Val) {
			if c == "mention" || c == "hashtag" {
				return nil // a mention or a tag leads to a web page or nowhere
			}
		}
	}
	out = append(out, class...)
	return append(out, xhtml.Attribute{Key: "rel", Val: LinkRel})
}

// filterClass returns the class attribute among attrs with only the classes
// keepClass allows, or nothing when none is left.
func filterClass(attrs []xhtml.Attribute) []xhtml.Attribute {
	for _, a := range attrs {
		if a.Key != "class" {
			continue
		}
		var kept []string
		for _, c := range strings.Fields(a.Val) {
			if keepClass(c) {
				kept = append(kept, c)
			}
		}
		if len(kept) > 0 {
			return []xhtml.Attribute{{Key: "class", Val: strings.Join(kept, " ")}}
		}
	}
	return nil
}

// PlainText returns the text of HTML, entities decoded, with block
// boundaries and line breaks as spaces: what keyword rules are matched
// against, and what a content warning written as HTML becomes.
func PlainText(s string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside script or style, whose text is not text
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			switch a := atom.Lookup(name); a {
			case atom.Script, atom.Style:
				if tt == xhtml.StartTagToken {
					skip++
				} else if tt == xhtml.EndTagToken && skip > 0 {
					skip--
				}
			case atom.A, atom.Span, atom.Em, atom.Strong, atom.B, atom.I, atom.U, atom.Del, atom.Code:
			default:
				b.WriteByte(' ')
			}
		}
	}
}
