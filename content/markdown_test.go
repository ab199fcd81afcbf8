package content

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRenderMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lang, in string
		want           []string // substrings the HTML must hold
	}{
		{"Paragraph and emphasis", "en", "Hello *world*.", []string{"<p>Hello <em>world</em>.</p>"}},
		{"Blockquote", "en", "> She said nothing.", []string{"<blockquote>", "She said nothing."}},
		{"List", "en", "- bread\n- salt\n", []string{"<ul>", "<li>bread</li>", "<li>salt</li>"}},
		{"Heading gets an id", "en", "## The border", []string{`<h2 id="the-border">The border</h2>`}},
		{"Russian heading id is transliterated", "ru", "## Наши правила", []string{`<h2 id="nashi-pravila">Наши правила</h2>`}},
		{"French heading id keeps its letters", "fr", "## Nos règles", []string{`<h2 id="nos-regles">Nos règles</h2>`}},
		{"Repeated headings get distinct ids", "ru", "## Итог\n\n## Итог\n\n## Итог", []string{`id="itog"`, `id="itog-2"`, `id="itog-3"`}},
		{"Heading without Latin letters", "en", "## 日本", []string{`<h2 id="section">日本</h2>`}},
		{"Heading with emphasis", "en", "## The *quiet* border", []string{`id="the-quiet-border"`}},
		{"Table", "en", "| city | years |\n|---|---:|\n| Tbilisi | 2 |\n", []string{
			"<table>", "<th>city</th>", `<th align="right">years</th>`, "<td>Tbilisi</td>", `<td align="right">2</td>`,
		}},
		{"Footnote", "en", "A bridge.[^1]\n\n[^1]: Over the Daugava.\n", []string{
			`<sup id="fnref:1"><a href="#fn:1"`, `<li id="fn:1">`, "Over the Daugava.",
		}},
		{"Strikethrough", "en", "~~enemy~~ neighbour", []string{"<del>enemy</del> neighbour"}},
		{"Linkify", "en", "See https://example.org/a for more.", []string{`<a href="https://example.org/a">https://example.org/a</a>`}},
		{"Safe link", "en", "[our site](https://example.org/)", []string{`<a href="https://example.org/">our site</a>`}},
		{"Mail link", "en", "[write](mailto:desk@example.org)", []string{`href="mailto:desk@example.org"`}},
		{"English quotes", "en", `"Hello," she said, 'quietly'.`, []string{"&ldquo;Hello,&rdquo; she said, &lsquo;quietly&rsquo;."}},
		{"English apostrophe", "en", "It's late.", []string{"It&rsquo;s late."}},
		{"Russian quotes", "ru", `"Привет", — сказала она.`, []string{"&laquo;Привет&raquo;, — сказала она."}},
		{"Russian inner quotes", "ru", `Он сказал: 'нет'.`, []string{"&bdquo;нет&ldquo;"}},
		{"Ukrainian uses guillemets", "uk", `"Так"`, []string{"&laquo;Так&raquo;"}},
		{"French quotes with narrow spaces", "fr", `Il a dit "bonjour".`, []string{"&laquo;&#8239;bonjour&#8239;&raquo;"}},
		{"Unknown language falls back to English", "xx", `"Hi"`, []string{"&ldquo;Hi&rdquo;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderMarkdown(tt.lang, tt.in)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("RenderMarkdown(%q, %q) = %q\nwant it to contain %q", tt.lang, tt.in, got, w)
				}
			}
		})
	}
}

// allowedTags are the elements goldmark's safe output may hold.
var allowedTags = map[string]bool{
	"p": true, "a": true, "em": true, "strong": true, "del": true, "code": true, "pre": true,
	"blockquote": true, "ul": true, "ol": true, "li": true, "hr": true, "br": true, "img": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "sup": true, "div": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
}

// allowedAttrs are the attributes goldmark writes; anything else (an event
// handler above all) means raw HTML got through.
var allowedAttrs = map[string]bool{
	"href": true, "src": true, "alt": true, "title": true, "id": true, "class": true, "role": true, "align": true,
}

// safeURL reports whether a rendered URL attribute is inert: empty, a
// fragment, a relative path, or one of the schemes an article may link to.
func safeURL(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" || strings.HasPrefix(v, "#") || strings.HasPrefix(v, "/") {
		return true
	}
	for _, scheme := range []string{"http://", "https://", "mailto:"} {
		if strings.HasPrefix(v, scheme) {
			return true
		}
	}
	return !strings.Contains(v, ":")
}

// unsafeHTML parses out as a browser would and returns what in it could run:
// an element or attribute goldmark never writes, or a URL with another scheme.
func unsafeHTML(out string) []string {
	var bad []string
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return bad
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !allowedTags[tok.Data] {
				bad = append(bad, "element <"+tok.Data+">")
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case !allowedAttrs[key]:
					bad = append(bad, "attribute "+key+" on <"+tok.Data+">")
				case key == "href" || key == "src":
					if !safeURL(a.Val) { // a.Val has its entities decoded, as the browser sees it
						bad = append(bad, key+"="+a.Val)
					}
				}
			}
		}
	}
}

// TestRenderMarkdown_Inert feeds the renderer what a careless paste or a
// hostile contributor might hold. Raw HTML must never pass through, and no
// link or image may carry a script scheme, whatever its spelling.
func TestRenderMarkdown_Inert(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"Script block", "<script>alert(1)</script>"},
		{"Script inline", "Hello <script>alert(1)</script> world"},
		{"Script in a list", "- <script>alert(1)</script>"},
		{"Image onerror block", "<img src=x onerror=alert(1)>"},
		{"Image onerror inline", "a picture <img src=x onerror=alert(1)> here"},
		{"SVG onload", "<svg onload=alert(1)>"},
		{"Iframe", `<iframe src="https://evil.example/"></iframe>`},
		{"Style", "<style>body{display:none}</style>"},
		{"Raw anchor", `<a href="javascript:alert(1)">x</a>`},
		{"Event attribute on a div", `<div onclick="alert(1)">click</div>`},
		{"HTML comment", "<!-- <script>alert(1)</script> -->"},
		{"javascript link", "[x](javascript:alert(1))"},
		{"JAVASCRIPT link", "[x](JAVASCRIPT:alert(1))"},
		{"Mixed case javascript", "[x](JaVaScRiPt:alert(1))"},
		{"Leading space", "[x](   javascript:alert(1))"},
		{"Tab before scheme", "[x](\tjavascript:alert(1))"},
		{"Angle destination", "[x](<javascript:alert(1)>)"},
		{"Entity in scheme", "[x](java&#115;cript:alert(1))"},
		{"Entity first letter", "[x](&#106;avascript:alert(1))"},
		{"Colon entity", "[x](javascript&colon;alert(1))"},
		{"Hex entity", "[x](&#x6A;avascript:alert(1))"},
		{"Link title breakout", `[x](https://example.org "a\" onmouseover=\"alert(1)")`},
		{"vbscript link", "[x](vbscript:msgbox(1))"},
		{"VBSCRIPT link", "[x](VBScript:msgbox(1))"},
		{"data link", "[x](data:text/html,<script>alert(1)</script>)"},
		{"data base64 link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"},
		{"file link", "[x](file:///etc/passwd)"},
		{"javascript image", "![x](javascript:alert(1))"},
		{"data html image", "![x](data:text/html,<script>alert(1)</script>)"},
		{"Reference link", "[x][r]\n\n[r]: javascript:alert(1)"},
		{"Reference image", "![x][r]\n\n[r]: javascript:alert(1)"},
		{"Autolink javascript", "<javascript:alert(1)>"},
		{"Autolink JAVASCRIPT", "<JAVASCRIPT:alert(1)>"},
		{"Autolink vbscript", "<vbscript:msgbox(1)>"},
		{"Autolink data", "<data:text/html,alert(1)>"},
		{"Autolink quote breakout", `<https://example.org/a"onmouseover="alert(1)>`},
		{"Bare javascript text", "javascript:alert(1)"},
		{"Linkify next to javascript", "www.example.org javascript://example.org/%0aalert(1)"},
		{"Linkify with markup", "https://example.org/?q=<script>alert(1)</script>"},
		{"Footnote with script", "x[^1]\n\n[^1]: <script>alert(1)</script>"},
		{"Table with script", "| a |\n|---|\n| <script>alert(1)</script> |"},
		{"Table with javascript link", "| a |\n|---|\n| [x](javascript:alert(1)) |"},
	}
	for _, lang := range []string{"en", "ru", "fr"} {
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				got := RenderMarkdown(lang, tt.in)
				if bad := unsafeHTML(got); len(bad) > 0 {
					t.Errorf("RenderMarkdown(%q) = %q\nholds %q", tt.in, got, bad)
				}
				if strings.Contains(strings.ToLower(got), "<script") {
					t.Errorf("RenderMarkdown(%q) = %q\nholds <script", tt.in, got)
				}
			})
		}
	}
}

// TestUnsafeHTML makes sure the checker above notices what it must, so that
// TestRenderMarkdown_Inert can fail.
func TestUnsafeHTML(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="JavaScript:alert(1)">x</a>`,
		`<a href="java&#115;cript:alert(1)">x</a>`,
		`<a href=" vbscript:x">x</a>`,
		`<img src="data:text/html,x">`,
		`<p style="background:url(x)">x</p>`,
		`<iframe src="/"></iframe>`,
	} {
		if len(unsafeHTML(in)) == 0 {
			t.Errorf("unsafeHTML(%q) found nothing", in)
		}
	}
	for _, in := range []string{
		`<p><a href="https://example.org/" title="a&quot; onmouseover=&quot;x">x</a></p>`,
		`<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>`,
		`<td align="right">2</td>`,
		`<p><a href="mailto:a@example.org">a</a> <img src="/media/x.jpg" alt="x" /></p>`,
	} {
		if bad := unsafeHTML(in); len(bad) > 0 {
			t.Errorf("unsafeHTML(%q) = %q, want nothing", in, bad)
		}
	}
}

// TestRenderMarkdown_RemoteImages: the site loads no image from another
// host, so such an image becomes a link to it; an image of the site's media
// store stays; any other address becomes its description.
func TestRenderMarkdown_RemoteImages(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in string
		want     []string
		unwanted []string
	}{
		{"On the site", "![The bridge](/media/bridge.jpg)", []string{`<img src="/media/bridge.jpg" alt="The bridge" />`}, nil},
		{"Relative", "![The bridge](bridge.jpg)", []string{"<em>The bridge</em>"}, []string{"<img"}},
		{"Another path of the site", "![x](/desk/logout)", []string{"<em>x</em>"}, []string{"<img", "/desk"}},
		{"Out of the media directory", "![x](/media/../desk/logout)", []string{"<em>x</em>"}, []string{"<img", "/desk"}},
		{"Remote media copies", "![x](/media/remote/a.png)", []string{"<em>x</em>"}, []string{"<img"}},
		{"Encoded slash", "![x](/media/..%2Fdesk)", []string{"<em>x</em>"}, []string{"<img"}},
		{"Elsewhere", `![The bridge at *dawn*](https://photos.example/b.jpg "Narva")`,
			[]string{`<a href="https://photos.example/b.jpg" title="Narva">The bridge at <em>dawn</em></a>`}, []string{"<img"}},
		{"Elsewhere, no description", "![](http://photos.example/b.jpg)",
			[]string{`<a href="http://photos.example/b.jpg">http://photos.example/b.jpg</a>`}, []string{"<img"}},
		{"No scheme, another host", "![x](//photos.example/b.jpg)", []string{"<em>x</em>"}, []string{"<img", "photos.example"}},
		{"Backslashes, another host", `![x](\\photos.example/b.jpg)`, []string{"<em>x</em>"}, []string{"<img", "photos.example"}},
		{"data:", "![a dot](data:image/png;base64,iVBORw0KGgo=)", []string{"<em>a dot</em>"}, []string{"<img", "data:"}},
		{"javascript:, no description", "see ![](javascript:alert(1)) here", []string{"<p>see  here</p>"}, []string{"<img", "javascript"}},
		{"Reference to elsewhere", "![b][r]\n\n[r]: https://photos.example/b.jpg", []string{`<a href="https://photos.example/b.jpg">b</a>`}, []string{"<img"}},
		{"Inside a link", "[![b](https://photos.example/b.jpg)](https://example.org/)", []string{`<a href="https://example.org/"><em>b</em></a>`}, []string{"<img", "photos.example"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := RenderMarkdown("en", c.in)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("RenderMarkdown(%q) = %q\nwant it to contain %q", c.in, got, w)
				}
			}
			for _, u := range c.unwanted {
				if strings.Contains(got, u) {
					t.Errorf("RenderMarkdown(%q) = %q\nholds %q", c.in, got, u)
				}
			}
		})
	}
}
