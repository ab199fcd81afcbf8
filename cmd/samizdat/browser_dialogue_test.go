package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"samizdat/content"
	"samizdat/content/store"
)

// fakeMastodon is a reader's instance on its own loopback address: its
// WebFinger answers as Mastodon does, and its authorize_interaction page
// says which object it was asked about. gotosocial makes it answer as
// GoToSocial does instead: no interaction templates.
type fakeMastodon struct {
	base, host string
	mu         sync.Mutex
	asked      []string // the uri parameters authorize_interaction got
}

func newFakeMastodon(t *testing.T, addr string, gotosocial bool) *fakeMastodon {
	t.Helper()
	ln := listenOn(t, addr)
	f := &fakeMastodon{host: ln.Addr().String()}
	f.base = "http://" + f.host
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/webfinger", func(w http.ResponseWriter, r *http.Request) {
		res := r.URL.Query().Get("resource")
		if res != "acct:reader@"+f.host {
			http.NotFound(w, r)
			return
		}
		links := []map[string]string{
			{"rel": "self", "type": "application/activity+json", "href": f.base + "/users/reader"},
		}
		if !gotosocial {
			links = append(links,
				map[string]string{"rel": "https://w3id.org/fep/3b86/Object", "template": f.base + "/authorize_interaction?uri={object}"},
				map[string]string{"rel": "http://ostatus.org/schema/1.0/subscribe", "template": f.base + "/authorize_interaction?uri={uri}"})
		}
		w.Header().Set("Content-Type", "application/jrd+json")
		json.NewEncoder(w).Encode(map[string]any{"subject": res, "links": links})
	})
	mux.HandleFunc("GET /authorize_interaction", func(w http.ResponseWriter, r *http.Request) {
		uri := r.URL.Query().Get("uri")
		f.mu.Lock()
		f.asked = append(f.asked, uri)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Authorize</title><h1 id="fake-authorize">Reply to %s</h1>`, html.EscapeString(uri))
	})
	serveOn(t, ln, mux)
	return f
}

func (f *fakeMastodon) uris() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// dialogueData is a story in English and Russian with a dialogue under it,
// stored as the federation side stores what it receives.
type dialogueData struct {
	st              *store.Store
	story           *content.Story
	en, ru          *content.Translation
	first, second   *content.Reply
	answer, pending *content.Reply
	toHide          *content.Reply
	hostile         []*content.Reply
}

// hostileHTML are replies as hostile instances could send them. Each
// payload that ran would set window.__pwned or open a dialog.
var hostileHTML = []string{
	`<p>Hi<script>window.__pwned=1</script></p>`,
	`<p><img src=x onerror="window.__pwned=2;alert(2)">image</p>`,
	`<p><a href="javascript:window.__pwned=3">click</a> <a href=" JaVaScRiPt:alert(3)">mixed case</a></p>`,
	`<p onclick="window.__pwned=4" onmouseover="window.__pwned=4">hover me</p><svg onload="window.__pwned=4"></svg>`,
	`<details open ontoggle="window.__pwned=5">x</details><iframe srcdoc="<script>parent.__pwned=5</script>"></iframe>`,
	`<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=6"></style></mglyph></table></mtext></math>`,
	`<noscript><p title="</noscript><img src=x onerror=window.__pwned=7>"></noscript>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD04PC9zY3JpcHQ+">data</a><form action="javascript:window.__pwned=9"><button>go</button></form>`,
	`<p style="position:fixed;inset:0;background:url(javascript:window.__pwned=10)">overlay</p><base href="javascript:/"><meta http-equiv="refresh" content="0;url=javascript:window.__pwned=11">`,
	`<blockquote>unclosed <b>bold <a href="https://evil.example/">link`,
}

func seedDialogue(t *testing.T, srv *testServer) *dialogueData {
	t.Helper()
	ctx := t.Context()
	pool, err := openPool(ctx, srv.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	d := &dialogueData{st: store.New(pool)}
	d.story = &content.Story{BylineKind: content.BylinePublication}
	d.en = &content.Translation{Lang: "en", Title: "The bakery on Rustaveli Avenue", Teaser: "Two neighbours queue for bread.", BodyMarkdown: "The queue was *long*."}
	if err := d.st.CreateStoryWithTranslation(ctx, d.story, d.en); err != nil {
		t.Fatal(err)
	}
	d.ru = &content.Translation{StoryID: d.story.ID, Lang: "ru", Title: "Пекарня на проспекте Руставели", Teaser: "Две соседки стоят в очереди.", BodyMarkdown: "Очередь была *длинной*.", Slug: "pekarnya"}
	if err := d.st.SaveTranslation(ctx, d.ru); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []*content.Translation{d.en, d.ru} {
		got, err := d.st.SetTranslationState(ctx, tr.ID, content.StatePublished, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		tr.ObjectKey, tr.Slug = got.ObjectKey, got.Slug
	}
	clock := time.Now().Add(-time.Hour)
	n := 0
	add := func(user, host, lang string, tr *content.Translation, parent *content.Reply, state content.ReplyState, html, summary string) *content.Reply {
		t.Helper()
		n++
		clock = clock.Add(time.Minute)
		a := &content.RemoteAuthor{ID: "https://" + host + "/users/" + user, Username: user, Host: host,
			Name: strings.ToUpper(user[:1]) + user[1:], URL: "https://" + host + "/@" + user}
		r := &content.Reply{StoryID: d.story.ID, APID: fmt.Sprintf("%s/statuses/%d", a.ID, n), URL: fmt.Sprintf("https://%s/@%s/%d", host, user, n),
			ContentHTML: content.SanitizeHTML(html), Summary: summary, State: state, Published: clock, ReceivedAt: clock}
		r.Lang = lang
		if parent != nil {
			r.ParentID, r.InReplyTo = parent.ID, parent.APID
		} else {
			r.TranslationID, r.InReplyTo = tr.ID, srv.URL+"/ap/articles/"+tr.ObjectKey
		}
		if err := d.st.ImportReply(ctx, r, a); err != nil {
			t.Fatal(err)
		}
		return r
	}
	d.first = add("anna", "masto.example", "en", d.en, nil, content.ReplyVisible, "<p>Thank you for telling this.</p>", "")
	d.second = add("boris", "gts.example", "ru", d.ru, nil, content.ReplyVisible, "<p>Спасибо, это и про нас тоже.</p>", "")
	d.answer = add("chloe", "misskey.example", "fr", nil, d.first, content.ReplyVisible, "<p>Merci Anna, je pense la même chose.</p>", "")
	d.pending = add("dmitri", "masto.example", "en", d.en, nil, content.ReplyPending, "<p>WAITING-FOR-REVIEW</p>", "")
	d.toHide = add("evil", "bad.example", "ru", d.ru, nil, content.ReplyVisible, "<p>TO-BE-HIDDEN</p>", "")
	for i, h := range hostileHTML {
		summary := ""
		if i == 0 {
			summary = `<script>window.__pwned=12</script>CW`
		}
		d.hostile = append(d.hostile, add(fmt.Sprintf("hostile%d", i), "bad.example", "en", d.en, nil, content.ReplyVisible, h, summary))
	}
	return d
}

// dialogSpy accepts and counts every JavaScript dialog a page opens.
type dialogSpy struct {
	mu       sync.Mutex
	messages []string
}

// recordViolations runs before any page's own content and keeps what the
// Content-Security-Policy refused, so a test can tell that nothing even
// tried to run.
const recordViolations = `window.__violations = [];
document.addEventListener("securitypolicyviolation", e => window.__violations.push(e.violatedDirective + " " + (e.blockedURI || e.sample)));`

// watchDialogs records every dialog the browser's pages open, and the
// Content-Security-Policy violations of every page it loads from now on.
func watchDialogs(t *testing.T, ctx context.Context) *dialogSpy {
	t.Helper()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations}); err != nil {
		t.Fatalf("add the violation recorder: %v", err)
	}
	s := &dialogSpy{}
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			s.mu.Lock()
			s.messages = append(s.messages, ev.Message)
			s.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}) //nolint:errcheck
		}
	}()
	return s
}

func (s *dialogSpy) opened() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messages...)
}

// TestBrowser_Dialogue is the dialogue in Chromium: a reader sees the
// threaded dialogue in two languages and "Reply from your instance" takes
// them to their instance's page for this story's Article; a moderator
// approves one pending reply and hides another from the queue, and the
// reader's page follows; no hostile reply runs any script, on the public
// page or in the desk.
func TestBrowser_Dialogue(t *testing.T) {
	t.Parallel()
	mastodon := newFakeMastodon(t, "127.0.0.31", false)
	srv := startServer(t, nil)
	d := seedDialogue(t, srv)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "mira@example.org", "--name", "Mira", "--roles", "moderator")
	enPath := srv.URL + "/en/stories/" + d.en.Slug
	ruPath := srv.URL + "/ru/stories/" + d.ru.Slug

	reader, seen := newBrowser(t)
	dialogs := watchDialogs(t, reader)
	do := func(ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(stepCtx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %v\nat %s:\n%.3000s\nserver log:\n%s", what, err, loc, body, srv.logs)
		}
	}
	eval := func(ctx context.Context, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	openCWs := script(`document.querySelectorAll("details").forEach(d => d.open = true)`)
	// Hover over and click everything in the replies, without following
	// links: a handler that survived would run.
	hover := script(`document.addEventListener("click", e => { if (e.target.closest(".reply-content")) e.preventDefault() }, true);
		document.querySelectorAll(".reply-content *").forEach(e => {
			e.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
			e.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
		})`)
	// inert checks, on the page a browser shows, that the hostile replies
	// came out inert: only the elements and attributes the sanitizer allows
	// are in them, nothing ran, and nothing even tried and met the CSP.
	inert := func(ctx context.Context, where string) {
		t.Helper()
		bad := eval(ctx, `Array.from(document.querySelectorAll(".reply-content, .reply-content *, .cw summary *")).flatMap(e => {
			const bad = [];
			if (!["DIV","P","BR","A","SPAN","DEL","PRE","CODE","EM","STRONG","B","I","U","UL","OL","LI","BLOCKQUOTE","IMG"].includes(e.tagName)) bad.push(e.tagName);
			if (e.tagName === "IMG" && !e.classList.contains("emoji")) bad.push("IMG " + e.getAttribute("src"));
			for (const a of e.attributes) {
				if (/^on/i.test(a.name) || a.name === "style" || a.name === "srcdoc" || a.name === "target" || /^\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(e.tagName + " " + a.name + "=" + a.value);
			}
			return bad;
		}).join("; ")`)
		if bad != "" {
			t.Errorf("%s: hostile markup survived: %s", where, bad)
		}
		if got := eval(ctx, `String(window.__pwned)`); got != "undefined" {
			t.Errorf("%s: a hostile reply ran a script: window.__pwned = %s", where, got)
		}
		if got := eval(ctx, `(window.__violations || ["the recorder did not run"]).join("; ")`); got != "" {
			t.Errorf("%s: something tried to run and met the CSP: %s", where, got)
		}
	}
	// threads lists the page's replies as "author@depth", in order.
	threads := `Array.from(document.querySelectorAll("li.reply")).filter(li => !li.textContent.includes("hostile")).map(li => li.querySelector(".reply-author a").textContent + "@" + li.className.replace(/.*depth-/, "")).join(" ")`

	do(reader, "read the English page", chromedp.Navigate(enPath), chromedp.WaitVisible(chromedp.CSS("section.dialogue")), openCWs, hover, chromedp.Sleep(300*time.Millisecond))
	if got, want := eval(reader, threads), "Anna@0 Chloe@1 Boris@0 Evil@0"; got != want {
		t.Errorf("English page threads: %q, want %q", got, want)
	}
	if got := eval(reader, `document.querySelector("li.reply .reply-content").getAttribute("lang") + " " + document.querySelector("li.reply li.reply .reply-lang").textContent`); got != "en Language: French" {
		t.Errorf("labels = %q", got)
	}
	if got := eval(reader, `String(document.body.textContent.includes("WAITING-FOR-REVIEW"))`); got != "false" {
		t.Error("a pending reply is on the page")
	}
	inert(reader, "English page")

	do(reader, "read the Russian page", chromedp.Navigate(ruPath), chromedp.WaitVisible(chromedp.CSS("section.dialogue")), openCWs, hover, chromedp.Sleep(300*time.Millisecond))
	if got, want := eval(reader, threads), "Anna@0 Chloe@1 Boris@0 Evil@0"; got != want {
		t.Errorf("Russian page threads: %q, want %q", got, want)
	}
	if got := eval(reader, `document.querySelector("li.reply .reply-lang").textContent`); got != "Язык: английский" {
		t.Errorf("Russian label of an English reply = %q", got)
	}
	if foreign := seen.foreignRequests(srv.URL); len(foreign) > 0 {
		t.Errorf("reading the dialogue made requests to other hosts: %v", foreign)
	}
	inert(reader, "Russian page")

	// Reply from your instance: the reader's Mastodon, found through
	// WebFinger, receives them on its authorize_interaction page.
	do(reader, "back to the English page", chromedp.Navigate(enPath), chromedp.WaitVisible(chromedp.CSS("#reply-address")))
	articleID := eval(reader, `document.querySelector('link[rel="alternate"][type="application/activity+json"]').href`)
	do(reader, "reply from my instance",
		chromedp.SetValue(chromedp.CSS("#reply-address"), "@reader@"+mastodon.host),
		chromedp.Click(chromedp.CSS(`form.interact:not(.interact-follow) button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#fake-authorize")),
	)
	loc, err := chromedp.Run(reader, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if want := mastodon.base + "/authorize_interaction?uri=" + url.QueryEscape(articleID); loc != want {
		t.Errorf("landed on %s, want %s", loc, want)
	}
	if uris := mastodon.uris(); len(uris) != 1 || uris[0] != articleID || !strings.HasPrefix(articleID, srv.URL+"/ap/articles/") {
		t.Errorf("authorize_interaction was asked about %q, want [%s]", uris, articleID)
	}

	// A moderator approves one reply and hides another from the queue.
	mod, _ := newBrowser(t)
	modDialogs := watchDialogs(t, mod)
	do(mod, "log in",
		chromedp.Navigate(srv.URL+"/desk/login"),
		chromedp.SetValue(chromedp.CSS("#email"), "mira@example.org"),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
	)
	approve := fmt.Sprintf(`button[name="item"][value="approve:%d"]`, d.pending.ID)
	do(mod, "approve the pending reply",
		chromedp.Navigate(srv.URL+"/desk/moderation/"),
		chromedp.WaitVisible(chromedp.CSS(approve)),
		openCWs, hover,
		chromedp.Click(chromedp.CSS(approve)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := eval(mod, `document.querySelector(".flash").textContent`); got != "Approved 1 reply." {
		t.Errorf("after approving: %q", got)
	}
	hide := fmt.Sprintf(`button[name="item"][value="hide:%d"]`, d.toHide.ID)
	do(mod, "hide a reply",
		chromedp.Navigate(srv.URL+"/desk/moderation/?state=visible"),
		chromedp.WaitVisible(chromedp.CSS(hide)),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf("#reason-%d", d.toHide.ID)), "hostile"),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf("#note-%d", d.toHide.ID)), "insults the neighbours"),
		chromedp.Click(chromedp.CSS(hide)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		openCWs, hover, chromedp.Sleep(300*time.Millisecond),
	)
	for _, r := range []struct {
		reply *content.Reply
		want  string
	}{{d.pending, "visible"}, {d.toHide, "hidden"}} {
		it, err := d.st.ModerationItem(t.Context(), r.reply.ID)
		if err != nil || string(it.Reply.State) != r.want {
			t.Errorf("reply %d: %v, %v; want %s", r.reply.ID, it, err, r.want)
		} else if r.want == "hidden" && it.Reply.HiddenReason != "hostile: insults the neighbours" {
			t.Errorf("hidden for %q", it.Reply.HiddenReason)
		}
	}
	inert(mod, "the desk's queue")

	// The reader's next page load follows the moderator.
	do(reader, "read again", chromedp.Navigate(ruPath), chromedp.WaitVisible(chromedp.CSS("section.dialogue")))
	if got, want := eval(reader, threads), "Anna@0 Chloe@1 Boris@0 Dmitri@0"; got != want {
		t.Errorf("after moderation: %q, want %q", got, want)
	}
	if got := eval(reader, `String(document.body.textContent.includes("TO-BE-HIDDEN"))`); got != "false" {
		t.Error("the hidden reply is still shown")
	}

	if got := dialogs.opened(); len(got) > 0 {
		t.Errorf("the reader's browser opened dialogs: %q", got)
	}
	if got := modDialogs.opened(); len(got) > 0 {
		t.Errorf("the moderator's browser opened dialogs: %q", got)
	}
	if len(seen.setCookie) > 0 {
		t.Errorf("public pages set cookies: %v", seen.setCookie)
	}
}

// TestServe_Interact checks remote interaction through the whole program,
// without a browser: the real lookup against a fake Mastodon and a fake
// GoToSocial, and input that is no address.
func TestServe_Interact(t *testing.T) {
	t.Parallel()
	mastodon := newFakeMastodon(t, "127.0.0.32", false)
	gts := newFakeMastodon(t, "127.0.0.33", true)
	srv := startServer(t, nil)
	d := seedDialogue(t, srv)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(lang string, form url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := client.PostForm(srv.URL+"/"+lang+"/interact", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	article := srv.URL + "/ap/articles/" + d.ru.ObjectKey

	resp, _ := post("ru", url.Values{"intent": {"reply"}, "story": {d.ru.Slug}, "address": {"reader@" + mastodon.host}})
	if want := mastodon.base + "/authorize_interaction?uri=" + url.QueryEscape(article); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("Mastodon: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	resp, _ = post("en", url.Values{"intent": {"follow"}, "address": {"reader@" + mastodon.host}})
	if want := mastodon.base + "/authorize_interaction?uri=" + url.QueryEscape(srv.URL+"/actors/en"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("Mastodon follow: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	resp, body := post("ru", url.Values{"intent": {"reply"}, "story": {d.ru.Slug}, "address": {"reader@" + gts.host}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<code class="paste">`+article+`</code>`) {
		t.Errorf("GoToSocial: %d; want the paste page with %s:\n%.3000s", resp.StatusCode, article, body)
	}
	resp, body = post("fr", url.Values{"intent": {"follow"}, "address": {"not an address"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="not an address"`) || !strings.Contains(body, "Cela ne ressemble pas") {
		t.Errorf("bad input: %d:\n%.3000s", resp.StatusCode, body)
	}
	if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("the interaction form set cookies: %v", c)
	}
	if strings.Contains(srv.logs.String(), "reader@") || strings.Contains(srv.logs.String(), "not an address") {
		t.Errorf("what readers typed is in the log:\n%s", srv.logs)
	}
}
