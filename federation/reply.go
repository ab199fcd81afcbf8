package federation

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"samizdat/content"
	"samizdat/content/store"
)

// Replies arrive by Create at any inbox, whoever was addressed
// (docs/federation.md#replies-reach-shared-inbox): the target is found from
// inReplyTo, walking up through parents we do not hold yet
// (docs/federation.md#reply-routing-by-in-reply-to), never from to or cc.

// maxParentWalk bounds how many unknown parents one reply makes us fetch on
// its way up to one of our Articles.
const maxParentWalk = 5

// defaultFetchTimeout bounds the time spent fetching for one activity: parents,
// their authors and images together. A peer waits for our answer; when the
// time runs out before a parent is read, the activity is answered 503 and
// the peer sends it again later; an image not read in time is left out.
// Only fetches are bounded so: the database work that follows is not cut
// short.
const defaultFetchTimeout = 20 * time.Second

// maxSummary bounds a content warning, in characters.
const maxSummary = 500

// errRetryLater marks an activity we could not take now for a reason that
// may pass (a parent's server did not answer): the inbox answers 503 so the
// sender tries again, since we keep no queue of our own for it.
var errRetryLater = errors.New("federation: try again later")

// target is what a reply answers: one of our Articles, or a reply in a
// dialogue.
type target struct {
	storyID     int64
	translation *content.Translation // when it answers an Article
	parent      *content.Reply       // when it answers a reply
}

func (t target) depth() int {
	if t.parent != nil {
		return t.parent.Depth + 1
	}
	return 0
}

// receiveCreate takes a Create whose object may be a reply. An object given
// only by its id is fetched from its own server.
func (f *Federation) receiveCreate(ctx context.Context, act *object) error {
	obj := act.Object.Obj
	if obj == nil {
		id := act.Object.ID
		if id == "" || !sameHost(id, act.Actor) {
			return nil
		}
		d, err := f.fetchObject(ctx, id)
		if err != nil {
			return f.fetchFailed(id, err)
		}
		obj = d
	}
	if lang := f.askedLang(obj); lang != "" && obj.Type == "Note" {
		return f.receiveQuestion(withFetchDeadline(ctx, time.Now().Add(f.fetchTimeout)), obj, act.Actor, lang)
	}
	n := parseNote(obj)
	if !noteTypes[n.Type] {
		return nil
	}
	_, _, err := f.ingest(withFetchDeadline(ctx, time.Now().Add(f.fetchTimeout)), n, act.Actor, maxParentWalk)
	return err
}

// receiveForwarded takes a Create that a third party signed: a forwarded
// reply, perhaps. Its embedded object proves nothing, so the object is
// fetched again from its own server by id, and taken only from there
// [GoToSocial, STYLE 2.6].
func (f *Federation) receiveForwarded(ctx context.Context, act *object) error {
	id := act.Object.ID
	if id == "" || !sameHost(id, act.Actor) {
		return nil
	}
	if known, err := f.store.ReplyByAPID(ctx, id); err == nil && known != nil {
		return nil
	} else if err != nil && !isNotFound(err) {
		return err
	}
	return f.receiveCreate(ctx, &object{ID: act.ID, Type: act.Type, Actor: act.Actor, Object: ref{ID: id}})
}

// fetchObject fetches an object by its id. The document served must carry that
// id exactly (docs/federation.md#object-id-served-exactly): we trust an object
// only from its own address.
func (f *Federation) fetchObject(ctx context.Context, id string) (*object, error) {
	d, err := f.fetch(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.ID != id {
		return nil, fmt.Errorf("%w: %s served an object with id %q", errFetch, id, d.ID)
	}
	return d, nil
}

// fetchFailed turns a failed fetch into the inbox's answer: a fault that
// may pass asks the sender to try again; anything else drops the activity.
func (f *Federation) fetchFailed(id string, err error) error {
	if temporary(err) {
		return fmt.Errorf("%w: %w", errRetryLater, err)
	}
	f.logger.Info("remote object not usable", "activity_id", id, "err", err)
	return nil
}

// ingest stores n as a reply by actor if it belongs in one of our dialogues,
// and returns the reply (the one already held, for a duplicate) and whether it
// is new, or nil when it does not belong or is refused. walk is how many
// unknown parents may still be fetched. The checks are Mastodon's
// (docs/federation.md#reply-origin-checks): an http(s) id on the actor's host,
// attributed to the actor, not deleted before, from nobody blocked, and
// addressed to the public (docs/federation.md#reply-visibility).
func (f *Federation) ingest(ctx context.Context, n note, actor string, walk int) (*content.Reply, bool, error) {
	log := f.logger.With("activity_id", n.ID, "actor", actor)
	if _, err := f.remoteURL(n.ID); err != nil || !sameHost(n.ID, actor) || n.AttributedTo != actor {
		log.Info("reply refused: its id or attribution is not its author's", "attributed_to", n.AttributedTo)
		return nil, false, nil
	}
	// Held already, deleted before, blocked, and the author: one round
	// trip for the four, then the checks in that order.
	in, err := f.store.ReplyIntake(ctx, n.ID, actor, f.articleKey(n.InReplyTo))
	if err != nil {
		return nil, false, err
	}
	if in.Existing != nil {
		return in.Existing, false, nil
	}
	if in.Tombstoned || in.Blocked {
		return nil, false, nil
	}
	author := in.Author
	if author == nil {
		if author, err = f.fetchActor(ctx, actor, ""); err != nil {
			return nil, false, f.fetchFailed(actor, err)
		}
	}
	vis := n.visibility(author.Followers)
	if !vis.Showable() {
		// Followers-only and direct replies are never shown, so never kept.
		log.Debug("reply not public; dropped", "visibility", vis)
		return nil, false, nil
	}
	if n.InReplyTo == "" {
		return nil, false, nil
	}
	var (
		tg target
		ok bool
	)
	if f.articleKey(n.InReplyTo) != "" {
		// Our Article, read with the intake: only what a reply records of
		// it, not its text.
		if a := in.Article; a != nil && a.State == content.StatePublished && f.hasLang(a.Lang) {
			tg = target{storyID: a.StoryID, translation: &content.Translation{ID: a.TranslationID, StoryID: a.StoryID, Lang: a.Lang, State: a.State}}
			ok = true
		}
	} else {
		tg, ok, err = f.resolveTarget(ctx, n.InReplyTo, walk)
	}
	if err != nil || !ok {
		return nil, false, err
	}

	r := &content.Reply{
		APID:       n.ID,
		StoryID:    tg.storyID,
		InReplyTo:  n.InReplyTo,
		Author:     actor,
		AuthorHost: strings.ToLower(hostOf(actor)),
		Visibility: vis,
		Depth:      tg.depth(),
		Published:  n.Published,
		URL:        replyURL(n),
	}
	if tg.translation != nil {
		r.TranslationID = tg.translation.ID
	} else {
		r.ParentID = tg.parent.ID
	}
	if now := f.now(); r.Published.IsZero() || r.Published.After(now) {
		r.Published = now // a date in the future would pin the reply to the end
	}
	f.fillContent(ctx, r, n)
	fl := &in.Rules.Flood
	fl.ActorOver = f.actorFlood.over(actor, fl.ActorPerHour, f.now())
	fl.InstanceOver = f.instanceFlood.over(r.AuthorHost, fl.InstancePerHour, f.now())
	r.State, r.HeldFor = initialState(in.Rules, r.ContentHTML, r.Summary)
	if r.Empty() {
		r.State, r.HeldFor = content.ReplyPending, "empty"
	}
	repliesIRI := ""
	if n.Replies != "" && sameHost(n.Replies, n.ID) {
		repliesIRI = n.Replies
	}
	stored, err := f.store.SaveReply(ctx, r, repliesIRI)
	if err != nil {
		return nil, false, err
	}
	if !stored { // a duplicate arriving at the same moment, or a Delete
		held, err := f.store.ReplyByAPID(ctx, n.ID)
		if isNotFound(err) {
			return nil, false, nil
		}
		return held, false, err
	}
	f.copyAvatarOf(ctx, author) // read a moment ago with the intake: no need to read it again
	log.Info("reply stored", "story_id", r.StoryID, "state", r.State, "held_for", r.HeldFor)
	return r, true, nil
}

// fillContent sets a reply's text and media from the note: HTML sanitized
// (docs/federation.md#reply-html-sanitizing), the content warning as plain
// text, mentions (docs/federation.md#mentions), and copies of custom emoji
// (docs/federation.md#custom-emoji) and attached images. An image that cannot
// be copied is left out; the reply is kept.
func (f *Federation) fillContent(ctx context.Context, r *content.Reply, n note) {
	body := n.Content
	if n.Type != "Note" && n.Name != "" {
		// An Article or a Page shows its title the way Mastodon does
		// (docs/federation.md#mastodon-article-rendering).
		body = "<p><strong>" + html.EscapeString(n.Name) + "</strong></p>" + body
	}
	r.ContentHTML = content.SanitizeHTML(body)
	r.Summary = truncate(content.PlainText(n.Summary), maxSummary)
	r.Sensitive = n.Sensitive
	r.Lang = n.Lang
	r.Mentions = n.Mentions
	r.Updated = n.Updated
	r.Emojis, r.Attachments = nil, nil
	for _, e := range n.Emojis {
		if len(r.Emojis) == maxEmojis || !strings.Contains(n.Content+n.Summary, e.Shortcode) {
			continue
		}
		file, _, err := f.copyMedia(ctx, e.URL, maxEmojiBytes)
		if err != nil {
			f.logMediaFailure(e.URL, err)
			continue
		}
		r.Emojis = append(r.Emojis, content.Emoji{Shortcode: e.Shortcode, Media: file})
	}
	for _, img := range n.Images {
		if len(r.Attachments) == maxAttachments {
			break
		}
		file, ct, err := f.copyMedia(ctx, img.URL, maxImageBytes)
		if err != nil {
			f.logMediaFailure(img.URL, err)
			continue
		}
		w, h := f.imageSize(ctx, file)
		r.Attachments = append(r.Attachments, content.Attachment{Media: file, Alt: truncate(img.Alt, 1500), Type: ct, Width: w, Height: h})
	}
}

// initialState decides where a new reply starts: the publication's policy,
// whether the author already has a visible reply, the keyword rules
// matched against the text and the content warning, and the flood limits,
// all read with the reply's intake.
func initialState(rules *store.ReplyRules, body, summary string) (content.ReplyState, string) {
	match := len(rules.Phrases) > 0 && content.MatchKeywords(summary+" "+content.PlainText(body), rules.Phrases) != ""
	state, why := content.InitialState(rules.Policy, rules.AuthorKnown, match)
	if why == "keyword" {
		return state, why
	}
	// Flood limits and the surge switch hold replies that would have gone
	// live, and say so rather than "policy" for those held anyway.
	if flood := rules.Flood.Hold(); flood != "" {
		return content.ReplyPending, flood
	}
	return state, why
}

// keywordMatch reports whether a reply's text matches a keyword rule.
func (f *Federation) keywordMatch(ctx context.Context, body, summary string) (bool, error) {
	phrases, err := f.store.KeywordPhrases(ctx)
	if err != nil || len(phrases) == 0 {
		return false, err
	}
	return content.MatchKeywords(summary+" "+content.PlainText(body), phrases) != "", nil
}

// resolveTarget finds what inReplyTo names: one of our published Articles
// (by its id, or by the story page's URL), a reply we hold, or, walking up
// at most walk steps, a parent we fetch and take into the dialogue first.
// It reports false when the chain does not lead to us.
func (f *Federation) resolveTarget(ctx context.Context, inReplyTo string, walk int) (target, bool, error) {
	if t, local, err := f.localArticle(ctx, inReplyTo); local {
		if err != nil || t == nil {
			return target{}, false, err
		}
		return target{storyID: t.StoryID, translation: t}, true, nil
	}
	parent, err := f.store.ReplyByAPID(ctx, inReplyTo)
	if err == nil {
		return target{storyID: parent.StoryID, parent: parent}, true, nil
	}
	if !isNotFound(err) {
		return target{}, false, err
	}
	if walk <= 0 {
		f.logger.Info("reply chain too long or not ours; dropped", "activity_id", inReplyTo)
		return target{}, false, nil
	}
	if gone, err := f.store.IsReplyTombstoned(ctx, inReplyTo); err != nil || gone {
		return target{}, false, err
	}
	d, err := f.fetchObject(ctx, inReplyTo)
	if err != nil {
		return target{}, false, f.fetchFailed(inReplyTo, err)
	}
	pn := parseNote(d)
	if !noteTypes[pn.Type] {
		return target{}, false, nil
	}
	parent, _, err = f.ingest(ctx, pn, pn.AttributedTo, walk-1)
	if err != nil || parent == nil {
		return target{}, false, err
	}
	return target{storyID: parent.StoryID, parent: parent}, true, nil
}

// articleKey returns the key of the Article that iri names by its id on
// our host (/ap/articles/{key}), or "".
func (f *Federation) articleKey(iri string) string {
	u, err := url.Parse(iri)
	if err != nil || !strings.EqualFold(u.Host, f.iri.Host()) {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) == 3 && parts[0] == "ap" && parts[1] == "articles" && parts[2] != "" {
		return parts[2]
	}
	return ""
}

// localArticle reads an IRI on our own host as an Article: its id
// (/ap/articles/{key}) or its story page (/{lang}/stories/{slug}). local
// is false for IRIs on other hosts. An IRI of ours that names no
// published Article gives nil.
func (f *Federation) localArticle(ctx context.Context, iri string) (t *content.Translation, local bool, err error) {
	u, err := url.Parse(iri)
	if err != nil || !strings.EqualFold(u.Host, f.iri.Host()) {
		return nil, false, nil
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case f.articleKey(iri) != "":
		t, err = f.publishedArticle(ctx, parts[2])
	case len(parts) == 3 && parts[1] == "stories" && f.hasLang(parts[0]):
		slug, uerr := url.PathUnescape(parts[2])
		if uerr != nil {
			return nil, true, nil
		}
		t, err = f.store.TranslationBySlug(ctx, parts[0], slug)
		if isNotFound(err) {
			var current string
			if current, err = f.store.SlugRedirect(ctx, parts[0], slug); err == nil {
				t, err = f.store.TranslationBySlug(ctx, parts[0], current)
			}
		}
		if err == nil && t.State != content.StatePublished {
			t = nil
		}
	default:
		return nil, true, nil
	}
	if isNotFound(err) {
		return nil, true, nil
	}
	return t, true, err
}

// receiveUpdate applies an Update: of a reply by its author
// (docs/federation.md#reply-edits), or of the sending actor's own profile.
func (f *Federation) receiveUpdate(ctx context.Context, act *object) error {
	obj := act.Object.Obj
	if obj == nil {
		return nil
	}
	if actorTypes[obj.Type] {
		if obj.ID == act.Actor {
			return f.refreshActor(ctx, act.Actor)
		}
		return nil
	}
	n := parseNote(obj)
	if !noteTypes[n.Type] || n.AttributedTo != act.Actor || !sameHost(n.ID, act.Actor) {
		return nil
	}
	held, err := f.store.ReplyByAPID(ctx, n.ID)
	if isNotFound(err) {
		// An edit of a reply we never received: take it as the reply.
		_, _, err := f.ingest(withFetchDeadline(ctx, time.Now().Add(f.fetchTimeout)), n, act.Actor, maxParentWalk)
		return err
	}
	if err != nil {
		return err
	}
	if held.Author != act.Actor {
		return nil
	}
	var r content.Reply
	f.fillContent(withFetchDeadline(ctx, time.Now().Add(f.fetchTimeout)), &r, n)
	edit := store.ReplyEdit{
		ContentHTML: r.ContentHTML, Summary: r.Summary, Sensitive: r.Sensitive, Lang: r.Lang,
		Attachments: r.Attachments, Emojis: r.Emojis, Mentions: r.Mentions, Updated: n.Updated,
	}
	if edit.Updated.IsZero() {
		// An Update without updated is not an edit for Mastodon
		// (docs/federation.md#mastodon-article-edits); some servers send edits
		// so, and the newest arrival wins.
		edit.Updated = f.now()
	}
	if held.State == content.ReplyVisible {
		if edit.Review, err = f.editNeedsReview(ctx, r.ContentHTML, r.Summary); err != nil {
			return err
		}
		edit.Review = edit.Review || r.Empty() // never an empty box on the page
	}
	changed, state, err := f.store.UpdateReply(ctx, n.ID, act.Actor, edit)
	if err != nil {
		return err
	}
	if changed {
		f.logger.Info("reply edited", "activity_id", n.ID, "actor", act.Actor, "state", state)
	}
	return nil
}

// editNeedsReview decides whether an edit sends a visible reply back to the
// moderators (docs/federation.md#reply-edits: "ideally an edit of an approved
// reply goes back to review"). It does when the publication reviews every
// reply, or when the new text matches a keyword rule. Under the open and known
// policies an author trusted once stays trusted for their edits: sending every
// typo fix back to the queue would hide good replies for hours, and a reply
// that turns hostile after approval is what reports and hiding are for.
func (f *Federation) editNeedsReview(ctx context.Context, body, summary string) (bool, error) {
	policy, err := f.store.Policy(ctx)
	if err != nil {
		return false, err
	}
	if policy == content.PolicyReviewed {
		return true, nil
	}
	return f.keywordMatch(ctx, body, summary)
}

// receiveDelete removes a reply its author deleted, or everything of an actor
// that deleted its account (docs/federation.md#reply-deletes). Deletes from
// actors we never knew were answered before verification
// (docs/federation.md#account-deletion-floods).
func (f *Federation) receiveDelete(ctx context.Context, act *object) error {
	id := act.Object.ID
	switch {
	case id == "":
		return nil
	case id == act.Actor:
		f.keyCache.forgetOwner(act.Actor)
		res, err := f.store.ForgetActor(ctx, act.Actor)
		if err != nil {
			return err
		}
		f.logger.Info("actor deleted; forgotten", "actor", act.Actor, "replies", res.Replies, "reactions", res.Reactions, "follows", res.Follows)
		return nil
	case !sameHost(id, act.Actor):
		return nil // nobody deletes what another server holds
	}
	gone, err := f.store.DeleteReply(ctx, id, act.Actor)
	if err != nil {
		return err
	}
	// A deleted question is withdrawn (docs/federation.md#ask-questions).
	if _, err := f.store.WithdrawQuestion(ctx, act.Actor, 0, id, f.retractQuestion); err != nil {
		return err
	}
	if gone {
		f.logger.Info("reply deleted by its author", "activity_id", id, "actor", act.Actor)
	}
	// A deleted post that quoted us is no longer counted.
	_, err = f.store.ForgetQuotesOf(ctx, act.Actor, id)
	return err
}

// replyURL is the address of a reply's page on its own server: its url,
// when that is an http(s) address on the same host, else its id.
func replyURL(n note) string {
	if u, err := url.Parse(n.URL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && sameHost(n.URL, n.ID) {
		return n.URL
	}
	return n.ID
}

// hostOf returns an IRI's host with its port.
func hostOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return u.Host
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
