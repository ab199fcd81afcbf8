package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"samizdat/content"
)

// TestBrowser_Search: a reader types a Russian word in an inflected form
// into the header's search box and finds the story that has it in another
// form, the match highlighted; a hostile query gets a plain page.
func TestBrowser_Search(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	st := openStore(t, srv.env["DATABASE_URL"])
	story := &content.Story{BylineKind: content.BylinePseudonym, BylineName: "Ольха"}
	tr := &content.Translation{Lang: "ru", Title: "Письмо с Урала", Teaser: "Письмо от читательницы.",
		BodyMarkdown: "Эта война разделила нашу семью, но не нашу кухню."}
	if err := st.CreateStoryWithTranslation(t.Context(), story, tr); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); err != nil {
		t.Fatal(err)
	}

	ctx, traffic := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/ru/"),
		chromedp.SetValue(chromedp.CSS("#site-search-q"), "войны"),
		chromedp.Click(chromedp.CSS(".site-search button")),
		chromedp.WaitVisible(chromedp.CSS(".search-results")),
	); err != nil {
		t.Fatalf("search: %v\n%s", err, srv.logs)
	}
	results, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".search-results")))
	if err != nil {
		t.Fatal(err)
	}
	marks, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".search-results mark")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(results, "Письмо с Урала") || marks != "война" {
		t.Errorf("results %q, first mark %q", results, marks)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".search-results h2 a")), chromedp.WaitVisible(chromedp.CSS("article h1"))); err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/ru/stories/"+tr.Slug) {
		t.Errorf("the result led to %s", loc)
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/ru/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%20%22%20%26%26"),
		chromedp.WaitVisible(chromedp.CSS(".search-message")),
	); err != nil {
		t.Fatal(err)
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".search-message"))); !strings.Contains(msg, "ничего не найдено") {
		t.Errorf("hostile query: %q", msg)
	}
	if foreign := traffic.foreignRequests(srv.URL); len(foreign) > 0 {
		t.Errorf("requests to other hosts: %v", foreign)
	}
}
