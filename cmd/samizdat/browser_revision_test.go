package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"samizdat/content"
)

// TestBrowser_RevisionRestored: an editor changes a published story, finds
// the earlier text among its revisions, sees what differs, restores it,
// and readers see the earlier text again.
func TestBrowser_RevisionRestored(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	st := openStore(t, srv.env["DATABASE_URL"])
	story := &content.Story{BylineKind: content.BylinePublication}
	tr := &content.Translation{Lang: "en", Title: "The bridge", Teaser: "At dawn.", BodyMarkdown: "We met on the bridge at dawn."}
	if err := st.CreateStoryWithTranslation(t.Context(), story, tr); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); err != nil {
		t.Fatal(err)
	}
	editor := fmt.Sprintf("%s/desk/stories/%d/en", srv.URL, story.ID)
	ctx, _ := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/desk/login"),
		chromedp.SetValue(chromedp.CSS("#email"), "vera@example.org"),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
		chromedp.Navigate(editor),
		chromedp.SetValue(chromedp.CSS("#body"), "We never met."),
		chromedp.Click(chromedp.CSS("form.editor-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.Click(chromedp.CSS(`a[href$="/revisions"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href*="/revisions/"]`)),
		chromedp.Click(chromedp.CSS(`a[href*="/revisions/"]`)),
		chromedp.WaitVisible(chromedp.CSS(".diff")),
	); err != nil {
		t.Fatalf("to the revision: %v\n%s", err, srv.logs)
	}
	diff, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".diff")))
	if !strings.Contains(diff, "− We never met.") || !strings.Contains(diff, "+ We met on the bridge at dawn.") {
		t.Errorf("the comparison reads %q", diff)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action$="/restore"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatal(err)
	}
	flash, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash")))
	if !strings.Contains(flash, "is restored") || !strings.Contains(flash, "told of the edit") {
		t.Errorf("after restoring: %q", flash)
	}
	page := getPage(t, srv.URL+"/en/stories/the-bridge")
	if !strings.Contains(page, "We met on the bridge at dawn.") || strings.Contains(page, "We never met.") {
		t.Error("readers do not see the restored text")
	}
}
