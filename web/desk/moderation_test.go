package desk

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store/storetest"
)

// modSite is a desk site with a story published in English and Russian,
// replies to it, and a moderator and an editor who may sign in.
type modSite struct {
	*deskSite
	story *content.Story
	en    *content.Translation
	ru    *content.Translation
	clock time.Time
}

const modPassword = "correct horse battery staple"

// newModSite builds the desk site with cfg adjusted by opts.
func newModSite(t *testing.T, opts ...func(*Config)) *modSite {
	t.Helper()
	st := storetest.New(t)
	cfg := testConfig(t, "Samizdat Moderation Test")
	for _, o := range opts {
		o(&cfg)
	}
	d := startDeskSite(t, st, cfg)
	story, en := d.addDraft("en", "The bakery on Rustaveli Avenue")
	ru := &content.Translation{StoryID: story.ID, Lang: "ru", Title: "Пекарня на проспекте Руставели", Teaser: "Тизер.", BodyMarkdown: "Текст."}
	if err := st.SaveTranslation(t.Context(), ru); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{en.ID, ru.ID} {
		if _, err := st.SetTranslationState(t.Context(), id, content.StatePublished, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	full := d.story(t, story.ID)
	return &modSite{deskSite: d, story: full, en: full.Translation("en"), ru: full.Translation("ru"),
		clock: time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC)}
}

func (m *modSite) reply(a *content.RemoteAuthor, tr *content.Translation, parent *content.Reply, r content.Reply) *content.Reply {
	m.t.Helper()
	m.clock = m.clock.Add(time.Minute)
	r.StoryID = m.story.ID
	r.APID = fmt.Sprintf("%s/statuses/%d", a.ID, m.clock.Unix())
	r.URL = r.APID
	if r.ContentHTML == "" {
		r.ContentHTML = fmt.Sprintf("<p>Text %d by %s</p>", m.clock.Unix(), a.Username)
	}
	r.Published, r.ReceivedAt = m.clock, m.clock
	if parent != nil {
		r.ParentID, r.InReplyTo = parent.ID, parent.APID
	} else {
		r.TranslationID, r.InReplyTo, r.Lang = tr.ID, "https://x/ap/articles/"+tr.ObjectKey, tr.Lang
	}
	if err := m.store.ImportReply(m.t.Context(), &r, a); err != nil {
		m.t.Fatalf("ImportReply: %v", err)
	}
	return &r
}

func (m *modSite) state(t *testing.T, r *content.Reply) string {
	t.Helper()
	it, err := m.store.ModerationItem(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return string(it.Reply.State)
}

// publicPage reads a public page without the desk's cookies.
func (m *modSite) publicPage(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(m.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDeskModeration_Roles(t *testing.T) {
	t.Parallel()
	m := newModSite(t)
	m.addStaff("ed@example.org", modPassword, content.RoleEditor, content.RoleAdmin)
	m.addStaff("mod@example.org", modPassword, content.RoleModerator)
	r := m.reply(remoteAuthor("anna", "masto.example"), m.en, nil, content.Reply{State: content.ReplyPending})

	ed := m.browser(t)
	ed.login("ed@example.org", modPassword)
	stories := ed.get("/desk/stories/")
	if strings.Contains(stories.Body, `href="/desk/moderation/"`) {
		t.Error("an editor without the moderator role sees the moderation link")
	}
	for _, path := range []string{"/desk/moderation/", "/desk/moderation/blocks", "/desk/moderation/log", "/desk/moderation/reports", "/desk/moderation/keywords", "/desk/moderation/policy"} {
		wantStatus(t, ed.get(path), http.StatusForbidden)
	}
	wantStatus(t, ed.post("/desk/moderation/replies", url.Values{"item": {fmt.Sprint("approve:", r.ID)}}), http.StatusForbidden)
	wantStatus(t, ed.post("/desk/moderation/policy", url.Values{"policy": {"open"}}), http.StatusForbidden)
	if got := m.state(t, r); got != "pending" {
		t.Errorf("after an editor's attempt, the reply is %s", got)
	}

	anon := m.browser(t)
	resp := anon.get("/desk/moderation/")
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/desk/login") {
		t.Errorf("a visitor is sent to %q", loc)
	}

	mod := m.browser(t)
	mod.login("mod@example.org", modPassword)
	page := mod.get("/desk/moderation/")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, `<a href="/desk/moderation/" aria-current="true">Moderation</a>`, "1 pending", "Text ")
}

func TestDeskModeration_Queue(t *testing.T) {
	t.Parallel()
	m := newModSite(t)
	m.addStaff("mira@example.org", modPassword, content.RoleModerator)
	anna, boris := remoteAuthor("anna", "masto.example"), remoteAuthor("boris", "gts.example")
	anna.IconFile = "a1b2.png"
	known := m.reply(anna, m.en, nil, content.Reply{State: content.ReplyVisible, ContentHTML: "<p>Thank you for this story.</p>"})
	p1 := m.reply(anna, nil, known, content.Reply{State: content.ReplyPending, HeldFor: "policy", ContentHTML: "<p>And one more thing</p>"})
	p2 := m.reply(boris, m.ru, nil, content.Reply{State: content.ReplyPending, HeldFor: "keyword", ContentHTML: "<p>Hostile words</p>"})
	p3 := m.reply(boris, m.en, nil, content.Reply{State: content.ReplyPending, ContentHTML: "<p>Spam, spam</p>"})
	p4 := m.reply(boris, m.en, nil, content.Reply{State: content.ReplyPending, ContentHTML: "<p>Fine words</p>"})

	b := m.browser(t)
	b.login("mira@example.org", modPassword)
	page := b.get("/desk/moderation/")
	wantStatus(t, page, http.StatusOK)
	order := regexp.MustCompile(`id="item-(\d+)"`).FindAllStringSubmatch(page.Body, -1)
	var got []string
	for _, o := range order {
		got = append(got, o[1])
	}
	if want := fmt.Sprint(p1.ID, " ", p2.ID, " ", p3.ID, " ", p4.ID, " ", known.ID); strings.Join(got, " ") != want {
		t.Errorf("queue order %v, want %s (pending oldest first)", got, want)
	}
	wantContains(t, page.Body,
		`<strong>Anna</strong> <span class="mod-handle">@anna@masto.example</span>`,
		`<img class="mod-avatar" src="/media/remote/a1b2.png"`,
		"instance <code>gts.example</code>", "held: keyword", "held: policy",
		"Answers the Russian translation", "Answers a reply",
		`<blockquote class="mod-parent"><p><span class="mod-handle">@anna@masto.example</span> <span class="badge reply-visible">visible</span></p><p lang="en">Thank you for this story.</p></blockquote>`,
		"Earlier replies by this author: 1 visible", "Earlier replies by this author: none, this is the first",
		"Earlier replies by this author: 2 pending",
		`<a href="/en/stories/the-bakery-on-rustaveli-avenue" lang="en">The bakery on Rustaveli Avenue</a>`,
		`<option value="hate speech">hate speech</option>`,
		`href="/desk/moderation/blocks?kind=instance&amp;target=gts.example"`,
	)
	if strings.Contains(page.Body, "Report to their instance") {
		t.Error("the report button shows though reports cannot be sent")
	}
	storyPath := "/en/stories/the-bakery-on-rustaveli-avenue"
	if pub := m.publicPage(t, storyPath); strings.Contains(pub, "And one more thing") {
		t.Fatal("a pending reply is on the public page")
	}

	t.Run("Approve one", func(t *testing.T) {
		resp := b.post("/desk/moderation/replies", url.Values{"item": {fmt.Sprint("approve:", p1.ID)}, "back": {"/desk/moderation/"}})
		wantRedirect(t, resp, "/desk/moderation/")
		if got := m.state(t, p1); got != "visible" {
			t.Errorf("state %s", got)
		}
		wantContains(t, b.get("/desk/moderation/").Body, "Approved 1 reply.")
		if pub := m.publicPage(t, storyPath); !strings.Contains(pub, "And one more thing") {
			t.Error("the approved reply is not on the public page")
		}
	})
	t.Run("Hide one with a reason", func(t *testing.T) {
		id := fmt.Sprint(p1.ID)
		resp := b.post("/desk/moderation/replies", url.Values{"item": {"hide:" + id}, "reason-" + id: {"off topic"}, "note-" + id: {"about football"}, "back": {"/desk/moderation/?state=visible"}})
		wantRedirect(t, resp, "/desk/moderation/?state=visible")
		it, _ := m.store.ModerationItem(t.Context(), p1.ID)
		if it.Reply.State != content.ReplyHidden || it.Reply.HiddenReason != "off topic: about football" {
			t.Errorf("reply = %s (%q)", it.Reply.State, it.Reply.HiddenReason)
		}
		for _, path := range []string{storyPath, "/ru/stories/" + m.ru.Slug} {
			if pub := m.publicPage(t, path); strings.Contains(pub, "And one more thing") {
				t.Errorf("the hidden reply is still on %s", path)
			}
		}
	})
	t.Run("Bulk hide needs a reason; nothing is lost", func(t *testing.T) {
		resp := b.post("/desk/moderation/replies", url.Values{"action": {"hide"}, "id": {fmt.Sprint(p2.ID), fmt.Sprint(p3.ID)}, "back": {"/desk/moderation/?state=pending"}})
		wantStatus(t, resp, http.StatusBadRequest)
		wantContains(t, resp.Body, "Nothing was changed: Give a reason for hiding.",
			fmt.Sprintf(`value="%d" id="select-%d" checked`, p2.ID, p2.ID), fmt.Sprintf(`value="%d" id="select-%d" checked`, p3.ID, p3.ID))
		if strings.Contains(resp.Body, fmt.Sprintf(`value="%d" id="select-%d" checked`, p4.ID, p4.ID)) {
			t.Error("a reply that was not selected comes back selected")
		}
		if m.state(t, p2) != "pending" || m.state(t, p3) != "pending" {
			t.Error("replies changed")
		}
		resp = b.post("/desk/moderation/replies", url.Values{"action": {"approve"}, "back": {"/desk/moderation/"}})
		wantStatus(t, resp, http.StatusBadRequest)
		wantContains(t, resp.Body, "select at least one reply")
	})
	t.Run("Bulk hide, then unhide", func(t *testing.T) {
		resp := b.post("/desk/moderation/replies", url.Values{"action": {"hide"}, "id": {fmt.Sprint(p2.ID), fmt.Sprint(p3.ID)}, "reason": {"spam"}, "back": {"/desk/moderation/"}})
		wantRedirect(t, resp, "/desk/moderation/")
		wantContains(t, b.get("/desk/moderation/").Body, "Hid 2 replies.")
		if m.state(t, p2) != "hidden" || m.state(t, p3) != "hidden" {
			t.Error("not hidden")
		}
		resp = b.post("/desk/moderation/replies", url.Values{"item": {fmt.Sprint("unhide:", p2.ID)}, "back": {"/desk/moderation/?state=hidden"}})
		wantRedirect(t, resp, "/desk/moderation/?state=hidden")
		if m.state(t, p2) != "visible" {
			t.Error("not unhidden")
		}
		hidden := b.get("/desk/moderation/?state=hidden")
		wantContains(t, hidden.Body, "Hidden because: spam", `value="unhide:`)
	})
	t.Run("Bulk approve", func(t *testing.T) {
		resp := b.post("/desk/moderation/replies", url.Values{"action": {"approve"}, "id": {fmt.Sprint(p4.ID), fmt.Sprint(p2.ID)}, "back": {"/desk/moderation/"}})
		wantRedirect(t, resp, "/desk/moderation/")
		wantContains(t, b.get("/desk/moderation/").Body, "Approved 1 reply. 1 was already so.")
	})
	t.Run("Without the CSRF token nothing changes", func(t *testing.T) {
		resp := b.post("/desk/moderation/replies", url.Values{"csrf_token": {""}, "item": {fmt.Sprint("hide:", p4.ID)}, "reason-" + fmt.Sprint(p4.ID): {"spam"}})
		wantStatus(t, resp, http.StatusForbidden)
		resp = b.post("/desk/moderation/replies", url.Values{"item": {fmt.Sprint("hide:", p4.ID)}, "reason-" + fmt.Sprint(p4.ID): {"spam"}}, "Origin", "https://evil.example")
		wantStatus(t, resp, http.StatusForbidden)
		if m.state(t, p4) != "visible" {
			t.Error("a forged request changed a reply")
		}
	})
	t.Run("The log", func(t *testing.T) {
		log := b.get("/desk/moderation/log")
		wantStatus(t, log, http.StatusOK)
		wantContains(t, log.Body,
			"<td>mira</td><td>approved <code>"+p1.APID+"</code></td>",
			"<td>mira</td><td>hid <code>"+p1.APID+"</code></td><td>off topic: about football</td>",
			"hid <code>"+p2.APID+"</code></td><td>spam</td>", "hid <code>"+p3.APID+"</code></td><td>spam</td>",
			"unhid <code>"+p2.APID+"</code>", "approved <code>"+p4.APID+"</code>")
		if n := strings.Count(log.Body, "<td>mira</td>"); n != 6 {
			t.Errorf("%d log lines, want 6", n)
		}
	})
}

func TestDeskModeration_Blocks(t *testing.T) {
	t.Parallel()
	m := newModSite(t)
	m.addStaff("mira@example.org", modPassword, content.RoleModerator)
	troll, friend, good := remoteAuthor("troll", "bad.example"), remoteAuthor("friend", "bad.example"), remoteAuthor("good", "good.example")
	t1 := m.reply(troll, m.en, nil, content.Reply{State: content.ReplyVisible, ContentHTML: "<p>TROLL-TEXT</p>"})
	f1 := m.reply(friend, m.en, nil, content.Reply{State: content.ReplyVisible, ContentHTML: "<p>FRIEND-TEXT</p>"})
	g1 := m.reply(good, m.ru, nil, content.Reply{State: content.ReplyVisible, ContentHTML: "<p>GOOD-TEXT</p>"})
	ctx := t.Context()
	for _, a := range []*content.RemoteAuthor{troll, friend, good} {
		if _, err := m.store.Follow(ctx, "en", a.ID, a.ID+"#f", nil); err != nil {
			t.Fatal(err)
		}
	}
	b := m.browser(t)
	b.login("mira@example.org", modPassword)

	t.Run("Prefilled from the queue", func(t *testing.T) {
		page := b.get("/desk/moderation/blocks?kind=instance&target=bad.example")
		wantContains(t, page.Body, `id="kind-instance" name="kind" value="instance" checked`, `value="bad.example"`, "Nobody is blocked.")
	})
	t.Run("Unknown handle", func(t *testing.T) {
		resp := b.post("/desk/moderation/blocks", url.Values{"kind": {"account"}, "target": {"@nobody@bad.example"}})
		wantStatus(t, resp, http.StatusBadRequest)
		wantContains(t, resp.Body, "No account with this handle has written to us", `value="@nobody@bad.example"`)
	})
	t.Run("Account by handle", func(t *testing.T) {
		resp := b.post("/desk/moderation/blocks", url.Values{"kind": {"account"}, "target": {"@troll@bad.example"}, "reason": {"insults"}})
		wantRedirect(t, resp, "/desk/moderation/blocks")
		page := b.get("/desk/moderation/blocks")
		wantContains(t, page.Body, "Blocked account "+troll.ID+": 1 reply hidden, 1 follow removed.", "Account <code>"+troll.ID+"</code></td><td>insults</td>")
		if m.state(t, t1) != "hidden" || m.state(t, f1) != "visible" {
			t.Error("wrong replies hidden")
		}
	})
	t.Run("Instance", func(t *testing.T) {
		resp := b.post("/desk/moderation/blocks", url.Values{"kind": {"instance"}, "target": {"https://bad.example/"}, "reason": {"raid"}})
		wantRedirect(t, resp, "/desk/moderation/blocks")
		wantContains(t, b.get("/desk/moderation/blocks").Body, "Blocked instance bad.example: 1 reply hidden, 1 follow removed.")
		if m.state(t, f1) != "hidden" || m.state(t, g1) != "visible" {
			t.Error("wrong replies hidden")
		}
		for _, a := range []*content.RemoteAuthor{troll, friend} {
			if ok, _ := m.store.IsFollower(ctx, "en", a.ID); ok {
				t.Errorf("%s still follows", a.ID)
			}
		}
		if ok, _ := m.store.IsFollower(ctx, "en", good.ID); !ok {
			t.Error("the good follower is gone")
		}
		pub := m.publicPage(t, "/ru/stories/"+m.ru.Slug)
		if strings.Contains(pub, "TROLL-TEXT") || strings.Contains(pub, "FRIEND-TEXT") || !strings.Contains(pub, "GOOD-TEXT") {
			t.Error("the public page does not show exactly the unblocked reply")
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		resp := b.post("/desk/moderation/blocks", url.Values{"kind": {"instance"}, "target": {"not a host!"}})
		wantStatus(t, resp, http.StatusBadRequest)
		wantContains(t, resp.Body, "Give the instance&#39;s domain name", `aria-invalid="true"`)
	})
	t.Run("Lift", func(t *testing.T) {
		resp := b.post("/desk/moderation/blocks/lift", url.Values{"kind": {"instance"}, "target": {"bad.example"}})
		wantRedirect(t, resp, "/desk/moderation/blocks")
		page := b.get("/desk/moderation/blocks")
		wantContains(t, page.Body, "The replies it hid stay hidden")
		if strings.Contains(page.Body, "Instance <code>bad.example</code>") {
			t.Error("the block is still listed")
		}
		if m.state(t, f1) != "hidden" {
			t.Error("lifting the block unhid a reply")
		}
		if blocked, _ := m.store.IsBlocked(ctx, friend.ID); blocked {
			t.Error("still blocked")
		}
		wantStatus(t, b.post("/desk/moderation/blocks/lift", url.Values{"kind": {"instance"}, "target": {"bad.example"}}), http.StatusNotFound)
	})
	t.Run("Logged", func(t *testing.T) {
		wantContains(t, b.get("/desk/moderation/log").Body,
			"blocked <code>account "+troll.ID+"</code></td><td>insults</td>", "hid <code>"+t1.APID+"</code></td><td>blocked account: insults</td>",
			"blocked <code>instance bad.example</code></td><td>raid</td>", "lifted the block on <code>instance bad.example</code>")
	})
}

// reportCall is one call of a fake ReportRemote.
type reportCall struct {
	staffID, replyID int64
	comment          string
}

func TestDeskModeration_ReportsAndRemoteReports(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls []reportCall
	m := newModSite(t, func(c *Config) {
		c.ReportRemote = func(_ context.Context, staffID, replyID int64, comment string) error {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, reportCall{staffID, replyID, comment})
			return nil
		}
	})
	mira := m.addStaff("mira@example.org", modPassword, content.RoleModerator)
	troll := remoteAuthor("troll", "bad.example")
	r := m.reply(troll, m.en, nil, content.Reply{State: content.ReplyVisible, ContentHTML: "<p>REPORTED-TEXT</p>"})
	flag := &content.Report{ActivityID: "https://m.example/flags/1", Reporter: "https://m.example/actor", Comment: "Harasses the author",
		Objects: []string{troll.ID, r.APID}, ReplyID: r.ID}
	about := &content.Report{ActivityID: "https://m.example/flags/2", Reporter: "https://m.example/actor", TranslationID: m.ru.ID,
		Objects: []string{"https://x/ap/articles/" + m.ru.ObjectKey}}
	for _, p := range []*content.Report{flag, about} {
		if err := m.store.ImportReport(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	}
	b := m.browser(t)
	b.login("mira@example.org", modPassword)

	page := b.get("/desk/moderation/reports")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, "2 open", "Report from <code>m.example</code>", "Harasses the author", "REPORTED-TEXT",
		`About the story <a href="/ru/stories/`+m.ru.Slug+`" lang="ru">`, `value="hide:`, "Report to their instance")

	t.Run("Hide from a report", func(t *testing.T) {
		id := fmt.Sprint(r.ID)
		resp := b.post("/desk/moderation/replies", url.Values{"item": {"hide:" + id}, "reason-" + id: {"harassment"}, "back": {"/desk/moderation/reports"}})
		wantRedirect(t, resp, "/desk/moderation/reports")
		if m.state(t, r) != "hidden" {
			t.Error("not hidden")
		}
	})
	t.Run("Resolve", func(t *testing.T) {
		wantRedirect(t, b.post(fmt.Sprintf("/desk/moderation/reports/%d/resolve", flag.ID), url.Values{}), "/desk/moderation/reports")
		open := b.get("/desk/moderation/reports")
		wantContains(t, open.Body, "The report is resolved.", "1 open")
		if strings.Contains(open.Body, "Harasses the author") {
			t.Error("a resolved report is still among the open ones")
		}
		wantContains(t, b.get("/desk/moderation/reports?state=resolved").Body, "Harasses the author", "resolved ")
	})
	t.Run("Report the author to their instance", func(t *testing.T) {
		form := b.get(fmt.Sprintf("/desk/moderation/replies/%d/report", r.ID))
		wantStatus(t, form, http.StatusOK)
		wantContains(t, form.Body, "Report @troll@bad.example to bad.example", "REPORTED-TEXT")
		long := b.post(fmt.Sprintf("/desk/moderation/replies/%d/report", r.ID), url.Values{"comment": {strings.Repeat("x", 1001)}})
		wantStatus(t, long, http.StatusBadRequest)
		resp := b.post(fmt.Sprintf("/desk/moderation/replies/%d/report", r.ID), url.Values{"comment": {"Harassment of our author"}})
		wantRedirect(t, resp, "/desk/moderation/")
		wantContains(t, b.get("/desk/moderation/").Body, "The report about @troll@bad.example is on its way to bad.example.")
		mu.Lock()
		defer mu.Unlock()
		if len(calls) != 1 || calls[0] != (reportCall{mira.ID, r.ID, "Harassment of our author"}) {
			t.Errorf("ReportRemote calls = %+v", calls)
		}
	})
	t.Run("Logged", func(t *testing.T) {
		wantContains(t, b.get("/desk/moderation/log").Body, "resolved the report <code>https://m.example/flags/1</code>", "hid <code>"+r.APID+"</code></td><td>harassment</td>")
	})
}

func TestDeskModeration_NoRemoteReports(t *testing.T) {
	t.Parallel()
	m := newModSite(t)
	m.addStaff("mira@example.org", modPassword, content.RoleModerator)
	r := m.reply(remoteAuthor("troll", "bad.example"), m.en, nil, content.Reply{})
	b := m.browser(t)
	b.login("mira@example.org", modPassword)
	wantStatus(t, b.get(fmt.Sprintf("/desk/moderation/replies/%d/report", r.ID)), http.StatusNotFound)
	wantStatus(t, b.post(fmt.Sprintf("/desk/moderation/replies/%d/report", r.ID), url.Values{"comment": {"x"}}), http.StatusNotFound)
}

func TestDeskModeration_KeywordsAndPolicy(t *testing.T) {
	t.Parallel()
	m := newModSite(t)
	m.addStaff("mira@example.org", modPassword, content.RoleModerator)
	b := m.browser(t)
	b.login("mira@example.org", modPassword)

	resp := b.post("/desk/moderation/keywords", url.Values{"phrase": {"  ВОЙНА  "}})
	wantRedirect(t, resp, "/desk/moderation/keywords")
	page := b.get("/desk/moderation/keywords")
	wantContains(t, page.Body, "Replies containing “война” will now wait for review.", "<td><code>война</code></td>")
	dup := b.post("/desk/moderation/keywords", url.Values{"phrase": {"Война"}})
	wantStatus(t, dup, http.StatusConflict)
	wantContains(t, dup.Body, "This phrase is already on the list.", `value="Война"`)
	wantStatus(t, b.post("/desk/moderation/keywords", url.Values{"phrase": {"   "}}), http.StatusBadRequest)
	phrases, err := m.store.KeywordPhrases(t.Context())
	if err != nil || len(phrases) != 1 || content.MatchKeywords("Это ВОЙНА", phrases) != "война" {
		t.Errorf("phrases = %q, %v", phrases, err)
	}
	rules, _ := m.store.KeywordRules(t.Context())
	wantRedirect(t, b.post(fmt.Sprintf("/desk/moderation/keywords/%d/remove", rules[0].ID), url.Values{}), "/desk/moderation/keywords")
	wantContains(t, b.get("/desk/moderation/keywords").Body, "No keyword rules.")

	policy := b.get("/desk/moderation/policy")
	wantContains(t, policy.Body, `id="policy-known" name="policy" value="known" checked`)
	wantRedirect(t, b.post("/desk/moderation/policy", url.Values{"policy": {"reviewed"}}), "/desk/moderation/policy")
	wantContains(t, b.get("/desk/moderation/policy").Body, `id="policy-reviewed" name="policy" value="reviewed" checked`, "The policy is now “Reviewed”.")
	if p, _ := m.store.Policy(t.Context()); p != content.PolicyReviewed {
		t.Errorf("policy = %s", p)
	}
	wantStatus(t, b.post("/desk/moderation/policy", url.Values{"policy": {"lax"}}), http.StatusBadRequest)

	log := b.get("/desk/moderation/log")
	wantContains(t, log.Body, "added the keyword <code>война</code>", "removed the keyword <code>война</code>",
		"set the policy to <code>reviewed</code></td><td>was known</td>")
	entries, _ := m.store.ModerationLog(t.Context(), 100, 0)
	if len(entries) != 3 {
		t.Errorf("%d log entries, want 3", len(entries))
	}
}
