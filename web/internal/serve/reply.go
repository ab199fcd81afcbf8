package serve

import (
	"cmp"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"samizdat/content"
)

// Reply is what every page shows of a remote reply's author and content,
// whatever the reader's language: the public dialogue and the desk's
// moderation queue both start from it.
type Reply struct {
	AuthorName  string
	Handle      string // "@user@host"
	ProfileURL  string
	Avatar      string // our copy of the avatar; "" for the placeholder
	URL         string // the reply on its author's instance
	ContentHTML template.HTML
	Images      []Image
}

// Image is an image attached to a reply.
type Image struct {
	URL           string
	Alt           string
	Width, Height int // 0 when unknown
}

// ReplyOf prepares r's author and content for a page. Its HTML was
// sanitized on arrival; only our copies of remote images are linked.
func ReplyOf(r *content.Reply) Reply {
	v := Reply{
		URL:         WebURL(cmp.Or(r.URL, r.APID)),
		ContentHTML: template.HTML(withEmoji(r.ContentHTML, r.Emojis)), // sanitized on arrival
	}
	if a := r.AuthorInfo; a != nil {
		v.Handle = a.Handle()
		v.AuthorName = cmp.Or(strings.TrimSpace(a.Name), a.Username)
		v.ProfileURL = WebURL(cmp.Or(a.URL, a.ID))
		if IsRemoteFile(a.IconFile) {
			v.Avatar = RemoteMediaPath(a.IconFile)
		}
	}
	for _, at := range r.Attachments {
		if strings.HasPrefix(at.Type, "image/") && IsRemoteFile(at.Media) {
			v.Images = append(v.Images, Image{URL: RemoteMediaPath(at.Media), Alt: at.Alt, Width: at.Width, Height: at.Height})
		}
	}
	return v
}

// remoteFile is the name of a file in the media directory's remote/ folder,
// as the media proxy names them.
var remoteFile = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}\.(?:jpg|jpeg|png|webp|gif|avif)$`)

// IsRemoteFile reports whether name may be a file of the media directory's
// remote/ folder: anything else, and any path, is refused before the file
// system is touched.
func IsRemoteFile(name string) bool { return remoteFile.MatchString(name) }

// LanguageName names a language in the reader's language: "русский" for
// "ru" read in Russian, "anglais" for "en" read in French. An unknown code
// is given as it is; no code gives "".
func LanguageName(reader, code string) string {
	if code == "" {
		return ""
	}
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	if _, conf := tag.Base(); conf == language.No {
		return code
	}
	if name := display.Tags(language.Make(reader)).Name(tag); name != "" {
		return name
	}
	return code
}

// WebURL returns u when it is an http or https address a reader may
// follow, and "" otherwise.
func WebURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	return u
}

var shortcodeRE = regexp.MustCompile(`:[A-Za-z0-9_+-]{1,64}:`)

// withEmoji replaces custom emoji shortcodes in the text of sanitized HTML with
// images of our copies (docs/federation.md#custom-emoji). Only text is touched,
// never tags or attributes, so HTML that already shows the emoji is left as it
// is.
func withEmoji(sanitized string, emojis []content.Emoji) string {
	imgs := map[string]string{}
	for _, e := range emojis {
		if shortcodeRE.FindString(e.Shortcode) == e.Shortcode && remoteFile.MatchString(e.Media) {
			// The size is the box style.css shows an emoji in (1.25em),
			// so that the line does not move when it arrives.
			imgs[e.Shortcode] = `<img class="emoji" src="` + RemoteMediaPath(e.Media) + `" alt="` + e.Shortcode + `" title="` + e.Shortcode + `" width="20" height="20">`
		}
	}
	if len(imgs) == 0 {
		return sanitized
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(sanitized))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		raw := string(z.Raw())
		if tt == html.TextToken {
			raw = shortcodeRE.ReplaceAllStringFunc(raw, func(code string) string { return cmp.Or(imgs[code], code) })
		}
		b.WriteString(raw)
	}
}

// Excerpt is the beginning of sanitized HTML as plain text, at most n
// characters cut between words: for lists in the desk and for a page's
// meta description.
func Excerpt(sanitized string, n int) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(sanitized))
	for b.Len() < 4*n {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "p" || string(name) == "br" {
				b.WriteByte(' ')
			}
		}
	}
	return Shorten(strings.Join(strings.Fields(b.String()), " "), n)
}

// Shorten cuts plain text s to at most n characters, at the last space
// or line break in the second half of them (inside a word when there is
// none), and marks the cut with "…".
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	space := func(r rune) bool { return r == ' ' || r == '\n' }
	cut := n
	for cut > n/2 && !space(rs[cut]) {
		cut--
	}
	if !space(rs[cut]) {
		cut = n // one long word: cut inside it
	}
	return strings.TrimRight(string(rs[:cut]), " \n,;:") + "…" // "word,…" reads badly
}
