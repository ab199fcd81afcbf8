package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"samizdat/content"
	"samizdat/web/internal/serve"
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

// dialoguePageThreads is how many threads a page of the dialogue shows.
// A story with thousands of replies would otherwise send a megabyte of
// HTML to every reader (docs/benchmarks.md); threads are never split, so a
// page may hold more replies than this.
const dialoguePageThreads = 200

// dialogueView is the data of the "dialogue" partial.
type dialogueView struct {
	Lang       string       // the reader's language
	Threads    []*replyView // those of this page
	Count      int          // replies on every page
	CountText  string
	PageNum    int
	PageCount  int
	Earlier    string   // the previous page of the dialogue, "" on the first
	Later      string   // the next page, "" on the last
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
	Images      []serve.Image
	Children    []*replyView
	ReplyingTo  string // whom it answers, when the thread no longer nests
	Orphan      bool   // it answers a reply that is not shown
	Depth       int

	parentID int64
	order    int
}

// dialogue builds page n (from 1) of the dialogue of st for a page of
// translation t. A page past the last is content.ErrNotFound; a story
// without replies has one page.
func (s *Server) dialogue(r *http.Request, st *content.Story, t *content.Translation, n int) (*dialogueView, error) {
	lang := t.Lang
	replies, err := s.store.Dialogue(r.Context(), st.ID)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.ReactionCounts(r.Context(), st.ID)
	if err != nil {
		return nil, err
	}
	d := &dialogueView{Lang: lang, Count: len(replies), CountText: N(lang, "dialogue.replies", len(replies))}
	threads := thread(lang, replies)
	per := cmp.Or(s.cfg.DialoguePage, dialoguePageThreads)
	d.PageNum, d.PageCount = n, max(1, (len(threads)+per-1)/per)
	if n < 1 || n > d.PageCount {
		return nil, fmt.Errorf("web: dialogue page %d of %d: %w", n, d.PageCount, content.ErrNotFound)
	}
	d.Threads = threads[(n-1)*per : min(n*per, len(threads))]
	path := storyURL(lang, t.Slug)
	if n > 1 {
		d.Earlier = pageURL(path, n-1)
	}
	if n < d.PageCount {
		d.Later = pageURL(path, n+1)
	}
	if counts.Total.Likes > 0 {
		d.Reactions = append(d.Reactions, N(lang, "dialogue.likes", counts.Total.Likes))
	}
	if counts.Total.Shares > 0 {
		d.Reactions = append(d.Reactions, N(lang, "dialogue.boosts", counts.Total.Shares))
	}
	if counts.Total.Quotes > 0 {
		d.Reactions = append(d.Reactions, N(lang, "dialogue.quotes", counts.Total.Quotes))
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
	parts := serve.ReplyOf(r)
	v := &replyView{
		ID:          r.ID,
		Reader:      lang,
		Anchor:      "reply-" + strconv.FormatInt(r.ID, 10),
		Lang:        r.Lang,
		LangName:    serve.LanguageName(lang, r.Lang),
		AuthorName:  parts.AuthorName,
		Handle:      parts.Handle,
		ProfileURL:  parts.ProfileURL,
		Avatar:      parts.Avatar,
		Date:        formatDate(lang, r.Published),
		DateISO:     isoTime(r.Published),
		URL:         parts.URL,
		Summary:     r.Summary,
		Sensitive:   r.Sensitive,
		ContentHTML: parts.ContentHTML,
		Images:      parts.Images,
		parentID:    r.ParentID,
	}
	if first, _ := utf8.DecodeRuneInString(v.AuthorName); first != utf8.RuneError {
		v.Initial = string(unicode.ToUpper(first))
	}
	return v
}
