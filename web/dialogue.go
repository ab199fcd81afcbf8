package web

import (
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"samizdat/content"
)

// The dialogue under every story: every visible public
// reply to any of its translations, and the replies to those, threaded and
// labelled with their language, the same on every language's page. Reply
// HTML was sanitized when it arrived; here it is only placed, with custom
// emoji and attached images pointed at our own copies, so that a reader's
// browser never contacts another instance.

// maxNest is how deep threads nest on the page. Below it, a thread goes on
// as one flat list, each reply saying whom it answers.
const maxNest = 4

// dialogueView is the data of the "dialogue" partial.
type dialogueView struct {
	Lang       string // the reader's language
	Threads    []*replyView
	Count      int
	CountText  string
	Reactions  []string // "Likes: 3", "Boosts: 1"; empty when there are none
	ReplyForm  *interactForm
	FollowForm *interactForm
}

// replyView is one reply as readers see it.
type replyView struct {
	ID          int64
	Reader      string // the reader's language, for the labels
	Anchor      string
	Lang        string // "" when the reply does not say
	LangName    string // in the reader's language
	AuthorName  string
	Handle      string // "@user@host"
	ProfileURL  string
	Avatar      string // our copy of the avatar; "" for the placeholder
	Initial     string // shown in the placeholder
	Date        string
	DateISO     string
	URL         string // the reply on its author's instance
	Summary     string // content warning; the content is folded behind it
	Sensitive   bool
	ContentHTML template.HTML
	Images      []imageView
	Children    []*replyView
	ReplyingTo  string // whom it answers, when the thread no longer nests
	Orphan      bool   // it answers a reply that is not shown
	Depth       int

	parentID int64
	order    int
}

// imageView is an image attached to a reply.
type imageView struct {
	URL string
	Alt string
}

// dialogue builds the dialogue of st for a page of translation t.
func (s *Server) dialogue(r *http.Request, st *content.Story, t *content.Translation) (*dialogueView, error) {
	lang := t.Lang
	replies, err := s.store.Dialogue(r.Context(), st.ID)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.ReactionCounts(r.Context(), st.ID)
	if err != nil {
		return nil, err
	}
	d := &dialogueView{Lang: lang, Count: len(replies), CountText: T(lang, "dialogue.count", len(replies))}
	d.Threads = thread(lang, replies)
	if counts.Total.Likes > 0 {
		d.Reactions = append(d.Reactions, T(lang, "dialogue.likes", counts.Total.Likes))
	}
	if counts.Total.Shares > 0 {
		d.Reactions = append(d.Reactions, T(lang, "dialogue.boosts", counts.Total.Shares))
	}
	if s.cfg.ArticleIRI != nil && t.ObjectKey != "" {
		d.ReplyForm = &interactForm{Lang: lang, ID: "reply-address", Story: t.Slug}
	}
	if s.cfg.ActorHandle != nil {
		d.FollowForm = &interactForm{Lang: lang, ID: "follow-address", Follow: true, Handle: s.cfg.ActorHandle(lang)}
	}
	return d, nil
}

// thread turns replies, oldest first, into threads: each reply under the
// one it answers, nesting down to maxNest levels. A reply whose parent is
// not shown (hidden, pending, or never received) starts a thread of its own.
func thread(lang string, replies []*content.Reply) []*replyView {
	views := make(map[int64]*replyView, len(replies))
	ordered := make([]*replyView, len(replies))
	for i, r := range replies {
		v := newReplyView(lang, r)
		v.order = i
		views[r.ID] = v
		ordered[i] = v
	}
	var threads []*replyView
	for _, v := range ordered {
		parent, ok := views[v.parentID]
		switch {
		case v.parentID == 0:
			threads = append(threads, v)
		case ok && parent != v:
			parent.Children = append(parent.Children, v)
		default:
			v.Orphan = true
			threads = append(threads, v)
		}
	}
	for _, v := range threads {
		nest(v, 0)
	}
	return threads
}

// nest sets depths and flattens what lies below maxNest.
func nest(v *replyView, depth int) {
	v.Depth = depth
	if depth < maxNest-1 {
		for _, c := range v.Children {
			nest(c, depth+1)
		}
		return
	}
	var flat []*replyView
	var walk func(p *replyView)
	walk = func(p *replyView) {
		for _, c := range p.Children {
			if p != v {
				c.ReplyingTo = p.Handle
			}
			flat = append(flat, c)
			walk(c)
			c.Children = nil
		}
	}
	walk(v)
	slices.SortStableFunc(flat, func(a, b *replyView) int { return cmp.Compare(a.order, b.order) })
	for _, c := range flat {
		c.Depth = depth + 1
	}
	v.Children = flat
}

// newReplyView prepares one reply for the page.
func newReplyView(lang string, r *content.Reply) *replyView {
	v := &replyView{
		ID:          r.ID,
		Reader:      lang,
		Anchor:      "reply-" + strconv.FormatInt(r.ID, 10),
		Lang:        r.Lang,
		LangName:    languageName(lang, r.Lang),
		Date:        formatDate(lang, r.Published),
		DateISO:     isoTime(r.Published),
		URL:         webURL(cmp.Or(r.URL, r.APID)),
		Summary:     r.Summary,
		Sensitive:   r.Sensitive,
		ContentHTML: template.HTML(withEmoji(r.ContentHTML, r.Emojis)), // sanitized on arrival
		parentID:    r.ParentID,
	}
	if a := r.AuthorInfo; a != nil {
		v.Handle = a.Handle()
		v.AuthorName = cmp.Or(strings.TrimSpace(a.Name), a.Username)
		v.ProfileURL = webURL(cmp.Or(a.URL, a.ID))
		if remoteFile.MatchString(a.IconFile) {
			v.Avatar = remoteMediaURL(a.IconFile)
		}
	}
	if first, _ := utf8.DecodeRuneInString(v.AuthorName); first != utf8.RuneError {
		v.Initial = string(unicode.ToUpper(first))
	}
	for _, at := range r.Attachments {
		if strings.HasPrefix(at.Type, "image/") && remoteFile.MatchString(at.Media) {
			v.Images = append(v.Images, imageView{URL: remoteMediaURL(at.Media), Alt: at.Alt})
		}
	}
	return v
}

// languageName names a language in the reader's language: "русский" for
// "ru" read in Russian, "anglais" for "en" read in French. An unknown code
// is given as it is; no code gives "".
func languageName(reader, code string) string {
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

// webURL returns u when it is an http or https address a reader may
// follow, and "" otherwise.
func webURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	return u
}

// remoteFile is the name of a file in the media directory's remote/ folder,
// as the media proxy names them.
var remoteFile = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}\.(?:jpg|jpeg|png|webp|gif|avif)$`)

// remoteMediaURL is where our copy of a remote image is served.
func remoteMediaURL(file string) string { return "/media/remote/" + file }

var shortcodeRE = regexp.MustCompile(`:[A-Za-z0-9_+-]{1,64}:`)

// withEmoji replaces custom emoji shortcodes in the text of sanitized HTML with
// images of our copies (docs/federation.md#custom-emoji). Only text is touched,
// never tags or attributes, so HTML that already shows the emoji is left as it
// is.
func withEmoji(sanitized string, emojis []content.Emoji) string {
	imgs := map[string]string{}
	for _, e := range emojis {
		if shortcodeRE.FindString(e.Shortcode) == e.Shortcode && remoteFile.MatchString(e.Media) {
			imgs[e.Shortcode] = `<img class="emoji" src="` + remoteMediaURL(e.Media) + `" alt="` + e.Shortcode + `" title="` + e.Shortcode + `">`
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

// excerpt is the beginning of sanitized HTML as plain text, at most n
// characters, for lists in the desk.
func excerpt(sanitized string, n int) string {
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
	text := strings.Join(strings.Fields(b.String()), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return strings.TrimSpace(string(r[:n])) + "…"
}
