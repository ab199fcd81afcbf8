package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_EditorPublishesReaderReads is the whole publication in a real
// browser: an editor logs in, writes a story and its Russian translation with
// the original beside it, previews and publishes; a reader with a fresh
// browser reads it in both languages, finds the French "not yet translated"
// notice, and is never given a cookie nor made to contact another host.
func TestBrowser_EditorPublishesReaderReads(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")

	ctx, edTraffic := newBrowser(t)
	step, text := browserSteps(t, ctx, srv.logs)
	location := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// The editor logs in.
	step("log in",
		chromedp.Navigate(srv.URL+"/desk/login"),
		chromedp.SetValue(chromedp.CSS("#email"), "vera@example.org"),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
	)
	if loc := location(); strings.Contains(loc, "/login") {
		t.Fatalf("still on the login page: %s: %s (cookies set: %v)", loc, text("main"), edTraffic.setCookie)
	}

	// She writes a story, credited to a pseudonym, in English.
	step("new story",
		chromedp.Navigate(srv.URL+"/desk/stories/new"),
		chromedp.Click(chromedp.CSS("#byline-pseudonym")),
		chromedp.SetValue(chromedp.CSS("#byline_name"), "A neighbour"),
		chromedp.SetValue(chromedp.CSS("#lang"), "en"),
		chromedp.SetValue(chromedp.CSS("#title"), "The bakery on Rustaveli Avenue"),
		chromedp.SetValue(chromedp.CSS("#teaser"), "Every morning two neighbours queue for bread and, slowly, start talking."),
		chromedp.SetValue(chromedp.CSS("#body"), "The queue was *long* that morning.\n\n> \"We are not our governments,\" she said."),
		chromedp.SetValue(chromedp.CSS("#tags"), "dialogue, exile"),
		chromedp.Click(chromedp.CSS("form.editor-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS("#state-heading")),
	)
	m := regexp.MustCompile(`/desk/stories/(\d+)/en`).FindStringSubmatch(location())
	if m == nil {
		t.Fatalf("after creating, at %s; want the English translation's page", location())
	}
	storyDesk := srv.URL + "/desk/stories/" + m[1]

	// She adds the Russian translation, with the English original beside it.
	step("open the Russian translation",
		chromedp.Navigate(storyDesk+"/ru"),
		chromedp.WaitVisible(chromedp.CSS("section.original")),
	)
	if got := text("section.original .original-title"); got != "The bakery on Rustaveli Avenue" {
		t.Errorf("original beside the Russian form = %q", got)
	}
	fillRussian := chromedp.Steps(
		chromedp.SetValue(chromedp.CSS("#title"), "Пекарня на проспекте Руставели"),
		chromedp.SetValue(chromedp.CSS("#teaser"), "Каждое утро две соседки стоят в очереди за хлебом и понемногу начинают разговаривать."),
		chromedp.SetValue(chromedp.CSS("#body"), "В то утро очередь была *длинной*.\n\n> \"Мы — не наши правительства\", — сказала она."),
		chromedp.SetValue(chromedp.CSS("#slug"), "pekarnya-na-rustaveli"),
		chromedp.SetValue(chromedp.CSS("#tags"), "диалог, эмиграция"),
	)

	// The preview is the public page, with the unsaved text. (The button
	// opens a new tab; here it stays in this one.)
	step("preview",
		fillRussian,
		script(`document.querySelector('button[formaction$="/preview"]').removeAttribute('formtarget')`),
		chromedp.Click(chromedp.CSS(`button[formaction$="/preview"]`)),
		chromedp.WaitVisible(chromedp.CSS(".preview-banner")),
	)
	if got := text("article.story h1"); got != "Пекарня на проспекте Руставели" {
		t.Errorf("preview heading = %q", got)
	}
	if got := text(".story-body blockquote"); !strings.Contains(got, "«Мы — не наши правительства»") {
		t.Errorf("preview body quote = %q; want Russian guillemets from the typographer", got)
	}

	step("save the Russian translation",
		chromedp.Navigate(storyDesk+"/ru"),
		fillRussian,
		chromedp.Click(chromedp.CSS("form.editor-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS("#state-heading")),
	)
	publish := `form.state-action:has(input[name="action"][value="publish"]) button`
	for _, lang := range []string{"en", "ru"} {
		step("publish "+lang,
			chromedp.Navigate(storyDesk+"/"+lang),
			chromedp.Click(chromedp.CSS(publish)),
			chromedp.WaitVisible(chromedp.CSS(".badge.state-published")),
		)
	}

	// A reader, in a browser of their own, reads it.
	reader, seen := newBrowser(t)
	rtext := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(reader, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reader: text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	rstep := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(reader, actions...); err != nil {
			t.Fatalf("reader: %s: %v", what, err)
		}
	}
	rstep("open the section", chromedp.Navigate(srv.URL+"/en/"), chromedp.WaitVisible(chromedp.CSS("main")))
	rstep("open the story",
		chromedp.Click(chromedp.CSS(`a[href="/en/stories/the-bakery-on-rustaveli-avenue"]`)),
		chromedp.WaitVisible(chromedp.CSS("article.story")),
	)
	if got := rtext("article.story h1"); got != "The bakery on Rustaveli Avenue" {
		t.Errorf("English heading = %q", got)
	}
	if got := rtext(".story-header .meta"); !strings.Contains(got, "A neighbour") {
		t.Errorf("byline = %q; want the pseudonym", got)
	}
	rstep("switch to Russian",
		chromedp.Click(chromedp.CSS(`nav.translations a[hreflang="ru"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ru"] article.story`)),
	)
	if got := rtext("article.story h1"); got != "Пекарня на проспекте Руставели" {
		t.Errorf("Russian heading = %q", got)
	}
	rstep("switch to French",
		chromedp.Click(chromedp.CSS(`nav.translations a[hreflang="fr"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] section.untranslated`)),
	)
	if got := rtext("section.untranslated p"); !strings.Contains(got, "pas encore") {
		t.Errorf("French notice = %q; want a 'not yet translated' notice in French", got)
	}
	if got := rtext("section.untranslated ul.available"); !strings.Contains(got, "Пекарня") || !strings.Contains(got, "The bakery") {
		t.Errorf("French notice lists %q; want links to the English and Russian versions", got)
	}

	// The privacy promise, as the browser saw it.
	if foreign := seen.foreignRequests(srv.URL); len(foreign) > 0 {
		t.Errorf("public pages made requests to other hosts: %v", foreign)
	}
	if len(seen.setCookie) > 0 {
		t.Errorf("public pages set cookies: %v", seen.setCookie)
	}
	if jar, err := cookies(reader, srv.URL+"/"); err != nil || len(jar) > 0 {
		t.Errorf("the reader's browser holds cookies %v (err %v)", jar, err)
	}
	seen.mu.Lock()
	n := len(seen.requests)
	seen.mu.Unlock()
	if n < 4 {
		t.Errorf("recorded only %d requests: the traffic listener is not working", n)
	}
}

// script runs JavaScript in the page for its effect.
func script(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](js)(ctx, t)
		return err
	})
}
