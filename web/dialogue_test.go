package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"samizdat/content"
)

// dialogueSite is a test site with a story in English and Russian and a
// way to add replies to it as the federation side stores them.
type dialogueSite struct {
	*testSite
	story *content.Story
	en    *content.Translation
	ru    *content.Translation
	clock time.Time
}

func newDialogueSite(t *testing.T, opts ...func(*Config)) *dialogueSite {
	t.Helper()
	s := newSite(t, append([]func(*Config){withFederation}, opts...)...)
	st := twoLanguageStory(s)
	return &dialogueSite{testSite: s, story: st, en: st.Translation("en"), ru: st.Translation("ru"),
		clock: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}
}

func remoteAuthor(user, host string) *content.RemoteAuthor {
	return &content.RemoteAuthor{ID: "https://" + host + "/users/" + user, Username: user, Host: host,
		Name: strings.ToUpper(user[:1]) + user[1:], URL: "https://" + host + "/@" + user}
}

// reply stores a reply by a, to translation tr or (tr nil) to parent,
// shaped by r, a minute after the previous one.
func (d *dialogueSite) reply(a *content.RemoteAuthor, tr *content.Translation, parent *content.Reply, r content.Reply) *content.Reply {
	d.t.Helper()
	d.clock = d.clock.Add(time.Minute)
	r.StoryID = d.story.ID
	r.APID = fmt.Sprintf("%s/statuses/%d", a.ID, d.clock.Unix())
	r.URL = fmt.Sprintf("https://%s/@%s/%d", a.Host, a.Username, d.clock.Unix())
	if r.ContentHTML == "" {
		r.ContentHTML = fmt.Sprintf("<p>Words of %s at %s</p>", a.Username, d.clock.Format("15:04"))
	}
	if r.State == "" {
		r.State = content.ReplyVisible
	}
	r.Published = d.clock
	if parent != nil {
		r.ParentID, r.InReplyTo = parent.ID, parent.APID
	} else {
		r.TranslationID, r.InReplyTo = tr.ID, testBase+"/ap/articles/"+tr.ObjectKey
		if r.Lang == "" {
			r.Lang = tr.Lang
		}
	}
	if err := d.store.ImportReply(d.t.Context(), &r, a); err != nil {
		d.t.Fatalf("ImportReply: %v", err)
	}
	return &r
}

// replyOrder lists the reply anchors of a page in document order, with
// their nesting depth: "reply-12@0".
var replyLI = regexp.MustCompile(`<li class="reply depth-(\d+)" id="(reply-\d+)">`)

func replyOrder(body string) []string {
	var out []string
	for _, m := range replyLI.FindAllStringSubmatch(body, -1) {
		out = append(out, m[2]+"@"+m[1])
	}
	return out
}

func anchor(r *content.Reply, depth int) string { return fmt.Sprintf("reply-%d@%d", r.ID, depth) }

// checkLocalImages fails if any image on a page comes from another host;
// links to the replies' own instances are expected.
func checkLocalImages(t *testing.T, body string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`<img\b[^>]*\bsrc="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Errorf("image from elsewhere: %s", m[0])
		}
	}
}

func TestDialogue_Threaded(t *testing.T) {
	t.Parallel()
	d := newDialogueSite(t)
	anna, boris, chloe := remoteAuthor("anna", "masto.example"), remoteAuthor("boris", "gts.example"), remoteAuthor("chloe", "misskey.example")
	anna.IconFile = "a1b2c3.png"
	boris.IconFile = "https://evil.example/x.png" // never a remote address, whatever the row says

	first := d.reply(anna, d.en, nil, content.Reply{})
	second := d.reply(boris, d.ru, nil, content.Reply{ContentHTML: "<p>Спасибо за историю</p>"})
	answer := d.reply(chloe, nil, first, content.Reply{Lang: "fr", ContentHTML: "<p>Merci, <span class=\"h-card\"><a href=\"https://masto.example/@anna\" class=\"u-url mention\">@<span>anna</span></a></span></p>"})
	deeper := d.reply(anna, nil, answer, content.Reply{})
	cw := d.reply(boris, d.en, nil, content.Reply{Summary: "war, loss", Sensitive: true,
		Attachments: []content.Attachment{{Media: "f00d.jpg", Alt: "Ruins of a school", Type: "image/jpeg", Width: 640, Height: 480}}})
	emoji := d.reply(chloe, d.en, nil, content.Reply{Lang: "", ContentHTML: `<p>Solidarity :heart_fist: <a href="https://x.example/:heart_fist:">link</a></p>`,
		Emojis: []content.Emoji{{Shortcode: ":heart_fist:", Media: "e1e1.png"}}})
	pending := d.reply(chloe, d.en, nil, content.Reply{State: content.ReplyPending, ContentHTML: "<p>PENDING-TEXT</p>"})
	hidden := d.reply(boris, d.en, nil, content.Reply{State: content.ReplyHidden, HiddenReason: "hostile", ContentHTML: "<p>HIDDEN-TEXT</p>"})
	followers := d.reply(anna, d.ru, nil, content.Reply{Visibility: content.VisibilityFollowers, ContentHTML: "<p>FOLLOWERS-TEXT</p>"})
	direct := d.reply(anna, d.ru, nil, content.Reply{Visibility: content.VisibilityDirect, ContentHTML: "<p>DIRECT-TEXT</p>"})
	orphan := d.reply(chloe, nil, hidden, content.Reply{ContentHTML: "<p>An answer to a hidden reply</p>"})
	if err := d.store.ImportReaction(t.Context(), "like", "https://a.example/l/1", "https://a.example/users/1", d.en.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.store.ImportReaction(t.Context(), "like", "https://a.example/l/2", "https://a.example/users/2", d.ru.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.store.ImportReaction(t.Context(), "announce", "https://a.example/b/1", "https://a.example/users/1", d.ru.ID); err != nil {
		t.Fatal(err)
	}
	// A quote we authorized counts beside the boosts.
	if _, err := d.store.SaveQuote(t.Context(), &content.Quote{TranslationID: d.ru.ID, Actor: "https://a.example/users/3",
		Post: "https://a.example/statuses/3", RequestID: "https://a.example/q/3"}, nil); err != nil {
		t.Fatal(err)
	}

	want := []string{anchor(first, 0), anchor(answer, 1), anchor(deeper, 2), anchor(second, 0), anchor(cw, 0), anchor(emoji, 0), anchor(orphan, 0)}
	pages := map[string]string{}
	for _, path := range []string{"/en/stories/letters-from-tbilisi", "/ru/stories/pisma-iz-tbilisi"} {
		lang := path[1:3]
		rec := d.get(path)
		body := expect(t, rec, http.StatusOK)
		pages[lang] = body
		if got := replyOrder(body); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: replies %v, want %v", path, got, want)
		}
		lacks(t, body, "PENDING-TEXT", "HIDDEN-TEXT", "FOLLOWERS-TEXT", "DIRECT-TEXT",
			fmt.Sprint("reply-", pending.ID, `"`), fmt.Sprint("reply-", hidden.ID, `"`),
			fmt.Sprint("reply-", followers.ID, `"`), fmt.Sprint("reply-", direct.ID, `"`),
			"evil.example")
		checkLocalImages(t, body)
		contains(t, body,
			// Who, where from, where the original is.
			`<a id="reply-`+fmt.Sprint(first.ID)+`-author" href="https://masto.example/@anna" rel="nofollow noopener ugc">Anna</a> <span class="handle">@anna@masto.example</span>`,
			`<img class="avatar" src="/media/remote/a1b2c3.png" alt=""`,
			`<span class="avatar avatar-none" aria-hidden="true">B</span>`,
			`href="`+first.URL+`" rel="nofollow noopener ugc"`,
			// Content in its own language, as stored.
			`<div class="reply-content" lang="ru"><p>Спасибо за историю</p></div>`,
			`<div class="reply-content" lang="fr"><p>Merci, <span class="h-card"><a href="https://masto.example/@anna" class="u-url mention">@<span>anna</span></a></span></p></div>`,
			// Content warning, folding the text and the images.
			`<details class="cw">`, `<span lang="en">war, loss</span></summary>`,
			`<img src="/media/remote/f00d.jpg" alt="Ruins of a school" width="640" height="480" loading="lazy">`,
			// Custom emoji as our image, in text only.
			`Solidarity <img class="emoji" src="/media/remote/e1e1.png" alt=":heart_fist:" title=":heart_fist:" width="20" height="20"> <a href="https://x.example/:heart_fist:">`,
			`<div class="reply-content" lang="">`,
			`<time datetime="2026-03-04T10:01:00Z">`,
			// The forms.
			`<form class="interact" method="post" action="/`+lang+`/interact">`,
			`<input type="hidden" name="story" value="`,
			`<input type="hidden" name="intent" value="follow">`,
		)
	}
	contains(t, pages["en"],
		`<h2 id="dialogue-heading">Dialogue</h2>`, "7 replies",
		`<span class="reaction">2 likes</span> · <span class="reaction">1 boost</span> · <span class="reaction">1 quote</span>`,
		"Russian</span>", "French</span>", "English</span>",
		"in reply to a message not shown here",
		"Original on their instance", "4 March 2026",
		`<label for="reply-address">Reply from your instance</label>`,
		`<label for="follow-address">Follow @en@samizdat.test from your instance</label>`,
	)
	contains(t, pages["ru"],
		`<h2 id="dialogue-heading">Диалог</h2>`, "7 ответов",
		`<span class="reaction">2 отметки «Нравится»</span> · <span class="reaction">1 репост</span>`,
		"русский</span>", "французский</span>", "английский</span>",
		"Оригинал на сервере автора", "4 марта 2026 г.",
		`<input type="hidden" name="story" value="pisma-iz-tbilisi">`,
	)

	t.Run("Hiding takes a reply off every page at once", func(t *testing.T) {
		paths := []string{"/en/stories/letters-from-tbilisi", "/ru/stories/pisma-iz-tbilisi"}
		etags := map[string]string{}
		for _, path := range paths {
			etags[path] = d.get(path).Header().Get("ETag")
		}
		if _, err := d.store.SetReplyState(t.Context(), 0, []int64{answer.ID}, content.ReplyHidden, "hostile"); err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			// A browser revalidating what it saw before gets the new page.
			body := expect(t, d.get(path, "If-None-Match", etags[path]), http.StatusOK)
			got := strings.Join(replyOrder(body), " ")
			if strings.Contains(got, fmt.Sprint("reply-", answer.ID, "@")) || !strings.Contains(got, anchor(deeper, 0)) {
				t.Errorf("%s after hiding %d: %s; want it gone and its answer %d on its own", path, answer.ID, got, deeper.ID)
			}
		}
	})
	t.Run("Preview has no dialogue", func(t *testing.T) {
		st := d.story
		p, err := d.srv.storyView(httptestRequest(t, "/desk/stories/x/en/preview"), st, d.en, true, 1)
		if err != nil || p.Dialogue != nil || !p.Preview {
			t.Errorf("preview: dialogue %v, err %v", p.Dialogue, err)
		}
	})
}

func httptestRequest(t *testing.T, path string) *http.Request {
	t.Helper()
	r, err := http.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDialogue_Empty(t *testing.T) {
	t.Parallel()
	d := newDialogueSite(t)
	body := expectPage(t, d.get("/fr/s/"+fmt.Sprint(d.story.ID)), http.StatusOK, "fr")
	lacks(t, body, "dialogue-heading") // the "not yet translated" page has no dialogue
	body = expectPage(t, d.get("/en/stories/letters-from-tbilisi"), http.StatusOK, "en")
	contains(t, body, "No replies yet.")
	lacks(t, body, `class="dialogue-count"`, `class="reactions"`)
}

func TestDialogue_NestingIsCapped(t *testing.T) {
	t.Parallel()
	d := newDialogueSite(t)
	a, b := remoteAuthor("anna", "a.example"), remoteAuthor("boris", "b.example")
	chain := []*content.Reply{d.reply(a, d.en, nil, content.Reply{})}
	for i := 1; i < 7; i++ {
		who := a
		if i%2 == 1 {
			who = b
		}
		chain = append(chain, d.reply(who, nil, chain[i-1], content.Reply{}))
	}
	side := d.reply(a, nil, chain[2], content.Reply{})
	body := expect(t, d.get("/en/stories/letters-from-tbilisi"), http.StatusOK)
	want := []string{
		anchor(chain[0], 0), anchor(chain[1], 1), anchor(chain[2], 2), anchor(chain[3], 3),
		anchor(chain[4], 4), anchor(chain[5], 4), anchor(chain[6], 4), anchor(side, 3),
	}
	if got := replyOrder(body); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("replies %v\nwant %v", got, want)
	}
	// Below the cap each reply says whom it answers, except the first,
	// which answers the reply it sits under.
	contains(t, body, "in reply to @anna@a.example</p>", "in reply to @boris@b.example</p>")
	if n := strings.Count(body, "in reply to @"); n != 2 {
		t.Errorf("%d replies say whom they answer, want 2", n)
	}
}

// fakeInteract stands in for federation.Interact: it records what the site
// asked and answers by the address typed.
type fakeInteract struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeInteract) interact(_ context.Context, input, target string, follow bool) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf("%s %s %v", input, target, follow))
	f.mu.Unlock()
	switch {
	case strings.HasSuffix(input, "@masto.example"):
		return "https://masto.example/authorize_interaction?uri=" + strings.ReplaceAll(url.QueryEscape(target), "+", "%20"), nil
	case strings.HasSuffix(input, "@gts.example"):
		return "", nil
	case strings.HasSuffix(input, "@down.example"):
		return "", fmt.Errorf("webfinger down.example: connection refused")
	default:
		v := &content.ValidationError{}
		v.Add("address", "Type your address.")
		return "", v
	}
}

func TestDialogue_Interact(t *testing.T) {
	t.Parallel()
	fake := &fakeInteract{}
	var logs bytes.Buffer
	var logMu sync.Mutex
	d := newDialogueSite(t, func(c *Config) { c.Interact = fake.interact })
	srv, err := New(d.cfg, d.store, slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	d.srv = srv
	article := testBase + "/ap/articles/" + d.en.ObjectKey

	t.Run("Mastodon: 303 to its authorize_interaction", func(t *testing.T) {
		rec := d.post("/en/interact", url.Values{"intent": {"reply"}, "story": {"letters-from-tbilisi"}, "address": {"@reader@masto.example"}})
		expect(t, rec, http.StatusSeeOther)
		want := "https://masto.example/authorize_interaction?uri=" + url.QueryEscape(article)
		if got := rec.Header().Get("Location"); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if !strings.Contains(want, "uri=https%3A%2F%2Fsamizdat.test%2Fap%2Farticles%2F") {
			t.Errorf("the Article id is not percent-encoded: %s", want)
		}
	})
	t.Run("Follow from a section", func(t *testing.T) {
		body := expect(t, d.get("/ru/"), http.StatusOK)
		contains(t, body, `<aside class="follow-box"><form class="interact interact-follow" method="post" action="/ru/interact">`,
			"Подписаться на @ru@samizdat.test со своего сервера")
		rec := d.post("/ru/interact", url.Values{"intent": {"follow"}, "address": {"reader@masto.example"}})
		expect(t, rec, http.StatusSeeOther)
		if got, want := rec.Header().Get("Location"), "https://masto.example/authorize_interaction?uri="+url.QueryEscape(testBase+"/ap/actors/ru"); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
	})
	t.Run("GoToSocial: what to paste", func(t *testing.T) {
		body := expectPage(t, d.post("/ru/interact", url.Values{"intent": {"reply"}, "story": {"pisma-iz-tbilisi"}, "address": {"reader@gts.example"}}), http.StatusOK, "ru")
		contains(t, body, "<h1>Ответить со своего сервера</h1>", "Нам не удалось найти",
			`<code class="paste">`+testBase+"/ap/articles/"+d.ru.ObjectKey+`</code>`,
			`<code class="paste">`+testBase+`/ru/stories/pisma-iz-tbilisi</code>`,
			"Вставьте его в строку поиска", `<a href="/ru/stories/pisma-iz-tbilisi">Вернуться к истории</a>`,
			`value="reader@gts.example"`)
		body = expectPage(t, d.post("/fr/interact", url.Values{"intent": {"follow"}, "address": {"reader@gts.example"}}), http.StatusOK, "fr")
		contains(t, body, "<h1>Suivre depuis votre instance</h1>", `<code class="paste">@fr@samizdat.test</code>`, "Ouvrez le compte trouvé")
	})
	t.Run("Instance unreachable: what to paste", func(t *testing.T) {
		body := expectPage(t, d.post("/en/interact", url.Values{"intent": {"reply"}, "story": {"letters-from-tbilisi"}, "address": {"me@down.example"}}), http.StatusOK, "en")
		contains(t, body, "We could not find a page on your instance", `<code class="paste">`+article+`</code>`)
	})
	t.Run("Bad input: 400, what was typed kept", func(t *testing.T) {
		body := expectPage(t, d.post("/fr/interact", url.Values{"intent": {"follow"}, "address": {"pas une adresse <b>"}}), http.StatusBadRequest, "fr")
		contains(t, body, "Cela ne ressemble pas à une adresse du fédivers", `value="pas une adresse &lt;b&gt;"`, `aria-invalid="true"`,
			`<p class="field-error" id="interact-address-error">`)
	})
	t.Run("Unknown or unpublished story", func(t *testing.T) {
		expect(t, d.post("/en/interact", url.Values{"intent": {"reply"}, "story": {"no-such-story"}, "address": {"reader@masto.example"}}), http.StatusNotFound)
		expect(t, d.post("/fr/interact", url.Values{"intent": {"reply"}, "story": {"letters-from-tbilisi"}, "address": {"reader@masto.example"}}), http.StatusNotFound)
	})
	t.Run("What was asked, and nothing logged", func(t *testing.T) {
		fake.mu.Lock()
		calls := strings.Join(fake.calls, "\n")
		fake.mu.Unlock()
		contains(t, calls, "@reader@masto.example "+article+" false", "reader@masto.example "+testBase+"/ap/actors/ru true")
		logMu.Lock()
		defer logMu.Unlock()
		if !strings.Contains(logs.String(), "/interact") {
			t.Fatalf("the requests were not logged at all, so this check proves nothing:\n%s", logs.String())
		}
		lacks(t, logs.String(), "masto.example", "gts.example", "down.example", "pas une adresse")
	})
}

// lockedWriter lets handlers running in parallel share one log buffer.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestDialogue_InteractWithoutLookup(t *testing.T) {
	t.Parallel()
	d := newDialogueSite(t) // no Interact: the paste page, always
	body := expectPage(t, d.post("/en/interact", url.Values{"intent": {"reply"}, "story": {"letters-from-tbilisi"}, "address": {"x@y.example"}}), http.StatusOK, "en")
	contains(t, body, "Copy this address:", testBase+"/ap/articles/"+d.en.ObjectKey)
	lacks(t, body, "We could not find")
}

func TestDialogue_RemoteMedia(t *testing.T) {
	t.Parallel()
	d := newDialogueSite(t)
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	for name, b := range map[string][]byte{"remote/a1b2c3.png": png, "remote/evil.svg": []byte("<svg onload=alert(1)>")} {
		if _, err := d.store.PutMedia(t.Context(), name, "image/png", b); err != nil {
			t.Fatal(err)
		}
	}
	rec := d.get("/media/remote/a1b2c3.png")
	expect(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "image/png" || !bytes.Equal(rec.Body.Bytes(), png) {
		t.Errorf("got %q, %q", ct, rec.Body.Bytes())
	}
	for _, p := range []string{"/media/remote/evil.svg", "/media/remote/..%2Fsecret.png", "/media/remote/missing.png"} {
		expect(t, d.get(p), http.StatusNotFound)
	}
}
