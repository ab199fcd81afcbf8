package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_PageInNavigation: an editor creates a page, translates it
// with the original beside it, publishes both, puts it in the header, and
// a reader finds it there in each language.
func TestBrowser_PageInNavigation(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	ctx, _ := newBrowser(t)
	step, _ := browserSteps(t, ctx, srv.logs)
	step("log in",
		chromedp.Navigate(srv.URL+"/desk/login"),
		chromedp.SetValue(chromedp.CSS("#email"), "vera@example.org"),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
	)
	step("new page",
		chromedp.Navigate(srv.URL+"/desk/pages/"),
		chromedp.Click(chromedp.CSS(`a[href="/desk/pages/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SetValue(chromedp.CSS("#lang"), "en"),
		chromedp.SetValue(chromedp.CSS("#title"), "How we work"),
		chromedp.SetValue(chromedp.CSS("#body"), "We read every story *twice*."),
		chromedp.Click(chromedp.CSS("form.editor-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS("#state-heading")),
		chromedp.Click(chromedp.CSS(`#state button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("#state .badge.state-published")),
	)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	pageDesk := strings.TrimSuffix(loc, "/en")
	step("translate",
		chromedp.Navigate(pageDesk+"/ru"),
		chromedp.WaitVisible(chromedp.CSS(".original-body em")),
		chromedp.SetValue(chromedp.CSS("#title"), "Как мы работаем"),
		chromedp.SetValue(chromedp.CSS("#slug"), "kak-my-rabotaem"),
		chromedp.SetValue(chromedp.CSS("#body"), "Мы читаем каждую историю *дважды*."),
		chromedp.Click(chromedp.CSS("form.editor-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS("#state-heading")),
		chromedp.Click(chromedp.CSS(`#state button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("#state .badge.state-published")),
	)
	step("into the header",
		chromedp.Navigate(srv.URL+"/desk/navigation/"),
		chromedp.Click(chromedp.CSS(`form[action="/desk/navigation/customize"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".nav-links")),
		chromedp.Click(chromedp.CSS("#kind-page")),
		chromedp.SetValue(chromedp.CSS("#page_id"), strings.TrimPrefix(pageDesk, srv.URL+"/desk/pages/")),
		chromedp.Click(chromedp.CSS(".nav-add button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".nav-links li:nth-child(3)")),
	)

	reader, traffic := newBrowser(t)
	for lang, want := range map[string]string{"en": "How we work", "ru": "Как мы работаем"} {
		if err := chromedp.Do(reader,
			chromedp.Navigate(srv.URL+"/"+lang+"/"),
			chromedp.Click(chromedp.CSS(`.site-nav a[href$="`+map[string]string{"en": "/en/how-we-work", "ru": "/ru/kak-my-rabotaem"}[lang]+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(".static-page h1")),
		); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		h1, _ := chromedp.Run(reader, chromedp.Text(chromedp.CSS(".static-page h1")))
		current, _ := chromedp.Run(reader, chromedp.Text(chromedp.CSS(`.site-nav a[aria-current="page"]`)))
		if h1 != want || current != want {
			t.Errorf("%s: page %q, current link %q; want %q", lang, h1, current, want)
		}
	}
	if foreign := traffic.foreignRequests(srv.URL); len(foreign) > 0 {
		t.Errorf("requests to other hosts: %v", foreign)
	}
}
