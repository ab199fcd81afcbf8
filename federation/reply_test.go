package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"samizdat/content"
)

// dialogueEnv is a federation with a story published in English and
// Russian, a media directory, and a peer that serves the images the
// fixtures name.
type dialogueEnv struct {
	*env
	p      *peer
	en, ru *content.Translation
	vars   map[string]string // fixture placeholders
}

func newDialogueEnv(t *testing.T) *dialogueEnv {
	t.Helper()
	e := newEnv(t, envOptions{allowPrivate: true, copyMedia: true})
	p := newPeer(t, e)
	d := &dialogueEnv{env: e, p: p}
	d.en, d.ru = e.publishStory(t, "Lights out in Kharkiv", "Свет погас в Харькове")
	png := testPNG(t, 16, 16)
	p.serveFile("/media/avatar-alice.png", "image/png", png)
	p.serveFile("/emoji/blob.png", "image/png", png)
	p.serveFile("/files/emoji-dove.png", "image/png", testPNG(t, 32, 32))
	p.serveFile("/media/photo.jpg", "image/jpeg", testJPEG(t, 64, 48))
	d.vars = map[string]string{
		"{{peer}}":       p.base,
		"{{peer_host}}":  strings.TrimPrefix(p.base, "http://"),
		"{{host}}":       e.fed.iri.Host(),
		"{{article}}":    e.fed.ArticleIRI(d.en.ObjectKey),
		"{{article_ru}}": e.fed.ArticleIRI(d.ru.ObjectKey),
		"{{context}}":    e.fed.iri.Context(d.en.ObjectKey),
		"{{actor_en}}":   e.fed.ActorURL("en"),
		"{{actor_ru}}":   e.fed.ActorURL("ru"),
		"{{story_url}}":  e.fed.iri.StoryURL("en", d.en.Slug),
	}
	return d
}

// publishStory creates one story with a translation per title, in the
// languages en, ru, fr in that order, and publishes them.
func (e *env) publishStory(t *testing.T, titles ...string) (en, ru *content.Translation) {
	t.Helper()
	ctx := t.Context()
	st := &content.Story{BylineKind: content.BylinePublication}
	if err := e.store.CreateStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	var out []*content.Translation
	for i, title := range titles {
		tr := &content.Translation{
			StoryID: st.ID, Lang: []string{"en", "ru", "fr"}[i], Title: title,
			Teaser:       "Told by those who were there.",
			BodyMarkdown: "The first paragraph.",
		}
		if err := e.store.SaveTranslation(ctx, tr); err != nil {
			t.Fatal(err)
		}
		got, err := e.store.SetTranslationState(ctx, tr.ID, content.StatePublished, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got)
	}
	for len(out) < 2 {
		out = append(out, nil)
	}
	return out[0], out[1]
}

// fixture is an activity from testdata/fixtures, its placeholders filled.
type fixture struct {
	Description string         `json:"description"`
	Actor       string         `json:"actor"` // the peer actor that signs it
	Path        string         `json:"path"`  // our inbox; the shared one when ""
	Activity    map[string]any `json:"activity"`
	Serve       string         `json:"serve"` // for documents the peer serves
	Document    map[string]any `json:"document"`
}

func (d *dialogueEnv) fixture(t *testing.T, name string) fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fixtures", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for k, v := range d.vars {
		s = strings.ReplaceAll(s, k, v)
	}
	if i := strings.Index(s, "{{"); i >= 0 {
		t.Fatalf("fixture %s: unfilled placeholder at %q", name, s[i:min(len(s), i+30)])
	}
	var f fixture
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return f
}

// deliver sends a fixture's activity, signed by its actor, and checks the
// status.
func (d *dialogueEnv) deliver(t *testing.T, name string, want int) fixture {
	t.Helper()
	f := d.fixture(t, name)
	w := d.p.send(d.env, d.p.actorByName(f.Actor), f.Activity, sendOpts{path: f.Path})
	if w.Code != want {
		t.Fatalf("%s: status %d, want %d (%s)", name, w.Code, want, strings.TrimSpace(w.Body.String()))
	}
	return f
}

// objectID returns the id of a fixture's object.
func objectID(f fixture) string { return idOf(f.Activity["object"]) }

// reply returns the stored reply with an ActivityPub id, or nil.
func (d *dialogueEnv) reply(t *testing.T, apID string) *content.Reply {
	t.Helper()
	r, err := d.store.ReplyByAPID(t.Context(), apID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// replyCount counts the stored replies.
func (d *dialogueEnv) replyCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := d.store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM replies`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (d *dialogueEnv) reactions(t *testing.T, tr *content.Translation) content.Reactions {
	t.Helper()
	r, err := d.store.TranslationReactions(t.Context(), tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mediaExists reports whether a copied file is kept in the media table.
func (d *dialogueEnv) mediaExists(file string) bool {
	_, err := d.store.MediaSize(context.Background(), "remote/"+file)
	return file != "" && err == nil
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 100, 50, 255})
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// approve makes a reply visible, as a moderator would.
func (d *dialogueEnv) approve(t *testing.T, r *content.Reply) {
	t.Helper()
	if _, err := d.store.SetReplyState(t.Context(), 0, []int64{r.ID}, content.ReplyVisible, ""); err != nil {
		t.Fatal(err)
	}
}

// TestInbox_MastodonDialogue runs the Mastodon fixtures through the shared
// and personal inboxes, in the order a thread lives them.
func TestInbox_MastodonDialogue(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	ctx := t.Context()

	// A public reply from an author with no visible reply yet: held under
	// the default policy ("known"), everything copied.
	pub := d.deliver(t, "mastodon/reply-public", http.StatusAccepted)
	r := d.reply(t, objectID(pub))
	if r == nil {
		t.Fatal("the public reply was not stored")
	}
	if r.State != content.ReplyPending || r.HeldFor != "policy" || r.Visibility != content.VisibilityPublic ||
		r.TranslationID != d.en.ID || r.ParentID != 0 || r.StoryID != d.en.StoryID || r.Depth != 0 || r.Lang != "en" {
		t.Errorf("stored %+v", r)
	}
	if !strings.Contains(r.ContentHTML, `<a href="`+d.vars["{{actor_en}}"]+`" class="u-url mention" rel="nofollow noopener noreferrer ugc">@<span>en</span></a>`) ||
		!strings.Contains(r.ContentHTML, `class="mention hashtag"`) || !strings.Contains(r.ContentHTML, ":blob:") {
		t.Errorf("content %s: want the mention and the hashtag linked and the shortcode kept", r.ContentHTML)
	}
	if r.URL != d.p.base+"/@alice/113400000000000001" {
		t.Errorf("url %q", r.URL)
	}
	if len(r.Emojis) != 1 || r.Emojis[0].Shortcode != ":blob:" || !d.mediaExists(r.Emojis[0].Media) {
		t.Errorf("emoji %+v not copied", r.Emojis)
	}
	if len(r.Attachments) != 1 || r.Attachments[0].Alt != "Candles on a windowsill" || r.Attachments[0].Type != "image/jpeg" ||
		r.Attachments[0].Width != 64 || r.Attachments[0].Height != 48 || // for pages to reserve its place
		!d.mediaExists(r.Attachments[0].Media) || !strings.HasSuffix(r.Attachments[0].Media, ".jpg") {
		t.Errorf("attachment %+v not copied", r.Attachments)
	}
	if r.AuthorInfo.Username != "alice" || r.AuthorInfo.Name != "Alice Liddell" || !d.mediaExists(r.AuthorInfo.IconFile) {
		t.Errorf("author %+v: want the name and a copy of the avatar", r.AuthorInfo)
	}
	if len(r.Mentions) != 1 || r.Mentions[0].Href != d.vars["{{actor_en}}"] {
		t.Errorf("mentions %+v", r.Mentions)
	}
	var repliesIRI string
	d.store.Pool().QueryRow(ctx, `SELECT replies_iri FROM replies WHERE id = $1`, r.ID).Scan(&repliesIRI) //nolint:errcheck
	if repliesIRI != r.APID+"/replies" {
		t.Errorf("replies collection %q", repliesIRI)
	}

	// The same Create again: one reply.
	d.deliver(t, "mastodon/reply-public", http.StatusAccepted)
	if n := d.replyCount(t); n != 1 {
		t.Errorf("%d replies after a duplicate Create, want 1", n)
	}

	// Once approved, alice is known: her next reply shows at once.
	d.approve(t, r)
	unl := d.deliver(t, "mastodon/reply-unlisted", http.StatusAccepted)
	if u := d.reply(t, objectID(unl)); u == nil || u.State != content.ReplyVisible || u.Visibility != content.VisibilityUnlisted {
		t.Errorf("unlisted reply %+v: want visible and unlisted", u)
	}

	// What must never be kept: non-public replies
	// (docs/federation.md#reply-visibility), forged ids or attribution
	// (docs/federation.md#reply-origin-checks). All answered 202.
	for _, name := range []string{"mastodon/reply-followers", "mastodon/reply-direct", "mastodon/reply-spoofed-attribution", "mastodon/reply-foreign-id"} {
		f := d.deliver(t, name, http.StatusAccepted)
		if got := d.reply(t, objectID(f)); got != nil {
			t.Errorf("%s was stored: %+v", name, got)
		}
	}

	// Hostile HTML is kept, inert.
	h := d.deliver(t, "mastodon/reply-hostile", http.StatusAccepted)
	hr := d.reply(t, objectID(h))
	if hr == nil {
		t.Fatal("the hostile reply was not stored")
	}
	low := strings.ToLower(hr.ContentHTML)
	for _, bad := range []string{"<script", "onclick", "onerror", "onload", "javascript:", "data:", "style", "<iframe", "<img", "<form", "<input", "<meta", "<base", "<svg", "target="} {
		if strings.Contains(low, bad) {
			t.Errorf("hostile content kept %q: %s", bad, hr.ContentHTML)
		}
	}
	if !strings.Contains(hr.ContentHTML, "<p><strong>Shouting</strong></p>") || !strings.HasSuffix(hr.ContentHTML, "</b></blockquote>") {
		t.Errorf("hostile content %s: want the heading bold and the blockquote closed", hr.ContentHTML)
	}
	if hr.Summary != "Content warning" {
		t.Errorf("content warning %q, want plain text", hr.Summary)
	}

	// docs/federation.md#reply-edits: an edit replaces the content and keeps
	// the state.
	d.clock.Set(t0.Add(time.Hour))
	d.deliver(t, "mastodon/update", http.StatusAccepted)
	if e := d.reply(t, r.APID); !strings.Contains(e.ContentHTML, "edited") || e.State != content.ReplyVisible || e.Updated.IsZero() {
		t.Errorf("after Update: %q %s %v", e.ContentHTML, e.State, e.Updated)
	}

	// Likes and boosts, on both kinds of inbox
	// (docs/federation.md#boosts-and-likes, #personal-and-shared-inboxes).
	d.deliver(t, "mastodon/like", http.StatusAccepted)
	d.deliver(t, "mastodon/like", http.StatusAccepted)
	d.deliver(t, "mastodon/announce", http.StatusAccepted)
	if got := d.reactions(t, d.en); got != (content.Reactions{Likes: 1, Shares: 1}) {
		t.Errorf("reactions %+v, want one like and one boost", got)
	}
	art := decode(t, d.getAP(t, "/ap/articles/"+d.en.ObjectKey))
	if likes := art["likes"].(map[string]any); likes["totalItems"] != 1.0 {
		t.Errorf("Article likes %v", likes)
	}
	if shares := decode(t, d.getAP(t, "/ap/articles/"+d.en.ObjectKey+"/shares")); shares["totalItems"] != 1.0 {
		t.Errorf("shares collection %v", shares)
	}
	// docs/federation.md#signer-is-actor: an activity signed by someone other
	// than its actor is answered 202, as Mastodon does, and dropped: mallory
	// cannot undo alice's like.
	undo := d.fixture(t, "mastodon/undo-like")
	if w := d.p.send(d.env, d.p.actorByName(undo.Actor), undo.Activity, sendOpts{path: undo.Path, keyID: d.p.mallory() + "#main-key"}); w.Code != http.StatusAccepted {
		t.Errorf("Undo signed by another actor: status %d, want 202", w.Code)
	}
	if got := d.reactions(t, d.en); got != (content.Reactions{Likes: 1, Shares: 1}) {
		t.Errorf("reactions after an Undo signed by another actor %+v, want the like kept", got)
	}
	d.deliver(t, "mastodon/undo-like", http.StatusAccepted)
	d.deliver(t, "mastodon/undo-announce", http.StatusAccepted)
	if got := d.reactions(t, d.en); got != (content.Reactions{}) {
		t.Errorf("reactions after Undo %+v, want none", got)
	}

	// Reports (docs/federation.md#reports-inbound): about the story, and about
	// a reply in the dialogue.
	d.deliver(t, "mastodon/flag-story", http.StatusAccepted)
	d.vars["{{reported_reply}}"] = r.APID
	d.deliver(t, "mastodon/flag-reply", http.StatusAccepted)
	reports, err := d.store.Reports(ctx, "open")
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 {
		t.Fatalf("%d reports, want 2", len(reports))
	}
	byComment := map[string]*content.Report{}
	for _, rep := range reports {
		byComment[rep.Comment] = &rep.Report
	}
	if s := byComment["This story names a private person."]; s == nil || s.TranslationID != d.en.ID || s.Reporter != d.p.instance() {
		t.Errorf("story report %+v", s)
	}
	if s := byComment["Harassment of the author."]; s == nil || s.ReplyID != r.ID {
		t.Errorf("reply report %+v (comments %v)", s, byComment)
	}

	// docs/federation.md#reply-deletes: a Delete leaves a tombstone; the same
	// Create later is ignored.
	d.deliver(t, "mastodon/delete-tombstone", http.StatusAccepted)
	if d.reply(t, r.APID) != nil {
		t.Error("the deleted reply is still there")
	}
	d.deliver(t, "mastodon/reply-public", http.StatusAccepted)
	if d.reply(t, r.APID) != nil {
		t.Error("a Create after the Delete brought the reply back")
	}

	// The account goes: everything of alice goes, and alice is unknown.
	d.deliver(t, "mastodon/delete-actor", http.StatusAccepted)
	if n := d.replyCount(t); n != 0 {
		t.Errorf("%d replies left after the account was deleted", n)
	}
	if known, _ := d.store.RemoteActorKnown(ctx, d.p.alice()); known {
		t.Error("alice is still known")
	}
}

// TestInbox_GoToSocialDialogue runs the activities adapted from the real
// GoToSocial 0.20 captures.
func TestInbox_GoToSocialDialogue(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	if err := d.store.SetPolicy(t.Context(), 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	c := d.deliver(t, "gotosocial/create-note", http.StatusAccepted)
	r := d.reply(t, objectID(c))
	if r == nil || r.State != content.ReplyVisible || r.TranslationID != d.ru.ID || r.Lang != "ru" ||
		r.Visibility != content.VisibilityPublic || r.ContentHTML != "<p>Привет от Эрин. Спасибо за перевод.</p>" {
		t.Fatalf("stored %+v", r)
	}
	d.deliver(t, "gotosocial/update-note", http.StatusAccepted)
	if e := d.reply(t, r.APID); e.ContentHTML != "<p>Привет от Эрин. Спасибо за перевод (edited).</p>" || e.State != content.ReplyVisible {
		t.Errorf("after Update: %q %s", e.ContentHTML, e.State)
	}
	d.deliver(t, "gotosocial/like", http.StatusAccepted)
	d.deliver(t, "gotosocial/announce", http.StatusAccepted)
	if got := d.reactions(t, d.ru); got != (content.Reactions{Likes: 1, Shares: 1}) {
		t.Errorf("reactions %+v", got)
	}
	if got := d.reactions(t, d.en); got != (content.Reactions{}) {
		t.Errorf("the English Article got %+v", got)
	}
	d.deliver(t, "gotosocial/undo-like", http.StatusAccepted)
	d.deliver(t, "gotosocial/undo-announce", http.StatusAccepted)
	if got := d.reactions(t, d.ru); got != (content.Reactions{}) {
		t.Errorf("reactions after Undo %+v", got)
	}
	d.deliver(t, "gotosocial/delete", http.StatusAccepted)
	if d.reply(t, r.APID) != nil {
		t.Error("Delete with a bare id left the reply")
	}
}

// TestInbox_MisskeyDialogue runs the Misskey shapes.
func TestInbox_MisskeyDialogue(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	if err := d.store.SetPolicy(t.Context(), 0, content.PolicyOpen); err != nil {
		t.Fatal(err)
	}
	c := d.deliver(t, "misskey/reply", http.StatusAccepted)
	r := d.reply(t, objectID(c))
	if r == nil {
		t.Fatal("the Misskey reply was not stored")
	}
	if r.Lang != "" || r.State != content.ReplyVisible || strings.Contains(r.ContentHTML, "x.misskeymarkdown") {
		t.Errorf("stored %+v", r)
	}
	if !strings.Contains(r.ContentHTML, "平和を願っています :misskey_dove:<br/>") {
		t.Errorf("content %q: want the HTML content, not the MFM", r.ContentHTML)
	}
	if len(r.Emojis) != 1 || r.Emojis[0].Shortcode != ":misskey_dove:" || !d.mediaExists(r.Emojis[0].Media) {
		t.Errorf("emoji with a null id: %+v", r.Emojis)
	}
	if r.AuthorInfo.Username != "mika" || r.AuthorInfo.Name != "ミカ" {
		t.Errorf("author %+v", r.AuthorInfo)
	}
	h := d.deliver(t, "misskey/reply-home", http.StatusAccepted)
	if got := d.reply(t, objectID(h)); got == nil || got.Visibility != content.VisibilityUnlisted {
		t.Errorf("home reply %+v, want kept as unlisted", got)
	}
	f := d.deliver(t, "misskey/reply-followers", http.StatusAccepted)
	if got := d.reply(t, objectID(f)); got != nil {
		t.Errorf("followers-only reply stored: %+v", got)
	}
	d.deliver(t, "misskey/like-reaction", http.StatusAccepted)
	d.deliver(t, "misskey/emojireact", http.StatusAccepted)
	if got := d.reactions(t, d.en); got != (content.Reactions{Likes: 1}) {
		t.Errorf("reactions %+v: want one like from one reader", got)
	}
	d.deliver(t, "misskey/undo-like", http.StatusAccepted)
	if got := d.reactions(t, d.en); got != (content.Reactions{}) {
		t.Errorf("reactions after Undo %+v", got)
	}
}

// TestInbox_NestedReply checks docs/federation.md#reply-routing-by-in-reply-to:
// a reply to a reply we do not hold gets its parent fetched (signed, from the
// parent's own server), walked up to our Article, and both are stored,
// threaded.
func TestInbox_NestedReply(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	parent := d.fixture(t, "gotosocial/parent-note")
	child := d.fixture(t, "mastodon/reply-nested")

	// The parent's server serves something that is not a document: a
	// final answer, so the reply is dropped with a 202.
	d.p.serveFile(parent.Serve, "text/plain", []byte("hello"))
	w := d.p.send(d.env, d.p.alice(), child.Activity, sendOpts{})
	if w.Code != http.StatusAccepted {
		t.Fatalf("parent unusable: %d, want 202", w.Code)
	}
	if d.replyCount(t) != 0 {
		t.Fatal("stored a reply whose parent could not be read")
	}

	d.p.mu.Lock()
	delete(d.p.files, parent.Serve)
	d.p.mu.Unlock()
	d.p.serveDoc(parent.Serve, parent.Document)
	d.deliver(t, "mastodon/reply-nested", http.StatusAccepted)
	p := d.reply(t, str(parent.Document["id"]))
	c := d.reply(t, objectID(child))
	if p == nil || c == nil {
		t.Fatalf("parent %v, child %v: want both stored", p, c)
	}
	if p.TranslationID != d.ru.ID || p.Depth != 0 || p.Author != d.p.erin() || p.Lang != "ru" {
		t.Errorf("parent %+v", p)
	}
	if c.ParentID != p.ID || c.TranslationID != 0 || c.Depth != 1 || c.StoryID != d.ru.StoryID || c.InReplyTo != p.APID {
		t.Errorf("child %+v", c)
	}
	fetched := strings.Join(d.p.fetched(), " ")
	if !strings.Contains(fetched, parent.Serve) || !strings.Contains(fetched, "/users/erin") {
		t.Errorf("fetched %s: want the parent and its author", fetched)
	}
}
