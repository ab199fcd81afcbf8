package web

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// absoluteLinks rewrites the relative addresses in HTML of ours (a story's
// rendered text) against base, the story's own address, so that a feed
// reader, which shows the entry away from the site, follows them to the
// right place: links to other stories and pages, images in the text, and
// footnote anchors. Absolute addresses and text are left as they are.
func absoluteLinks(s string, base *url.URL) string {
	if !strings.Contains(s, `href="`) && !strings.Contains(s, `src="`) {
		return s
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			changed := false
			for i, a := range tok.Attr {
				if a.Namespace != "" || (a.Key != "href" && a.Key != "src") {
					continue
				}
				u, err := url.Parse(strings.TrimSpace(a.Val))
				if err != nil || u.IsAbs() {
					continue
				}
				tok.Attr[i].Val = base.ResolveReference(u).String()
				changed = true
			}
			if changed {
				b.WriteString(tok.String())
				continue
			}
		}
		b.Write(z.Raw())
	}
}
