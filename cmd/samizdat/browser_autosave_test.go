package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"samizdat/content"
)

// TestBrowser_AutosaveAndLivePreview: an editor types into a story; the
// live preview beside the text shows it as the public page renders it; the
// tab is closed mid-typing, and the editor opened again offers back what
// was typed, which the saved story does not have yet.
func TestBrowser_AutosaveAndLivePreview(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	st := openStore(t, srv.env["DATABASE_URL"])
	story := &content.Story{BylineKind: content.BylinePublication}
	tr := &content.Translation{Lang: "en", Title: "The crossing", Teaser: "At night.", BodyMarkdown: "Saved text."}
	if err := st.CreateStoryWithTranslation(t.Context(), story, tr); err != nil {
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
	); err != nil {
		t.Fatal(err)
	}

	tab, closeTab := chromedp.NewContext(ctx)
	if err := chromedp.Do(tab,
		chromedp.Navigate(editor),
		chromedp.WaitVisible(chromedp.CSS("iframe.live-preview")),
		chromedp.SendKeys(chromedp.CSS("#body"), " We crossed *slowly*."),
	); err != nil {
		t.Fatalf("typing: %v\n%s", err, srv.logs)
	}
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.querySelector("iframe.live-preview").srcdoc.includes("<em>slowly</em>")`)); err != nil {
		t.Errorf("the live preview never showed the typed text: %v", err)
	}
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.querySelector(".autosave-status").textContent.includes("kept")`)); err != nil {
		t.Fatalf("no copy kept while typing: %v\n%s", err, srv.logs)
	}
	if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS("#body"), " And then")); err != nil {
		t.Fatal(err)
	}
	closeTab() // mid-typing: no Save was pressed

	if saved, _ := st.Story(t.Context(), story.ID); saved.Translation("en").BodyMarkdown != "Saved text." {
		t.Fatalf("the saved text changed without Save: %q", saved.Translation("en").BodyMarkdown)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(editor),
		chromedp.WaitVisible(chromedp.CSS(".autosave-offer")),
		chromedp.Click(chromedp.CSS(".autosave-offer a.button")),
		chromedp.WaitNotPresent(chromedp.CSS(".autosave-offer")),
	); err != nil {
		t.Fatalf("reopening: %v\n%s", err, srv.logs)
	}
	body, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "We crossed *slowly*.") {
		t.Errorf("restored text %q, want what was typed before the tab closed", body)
	}
	// Saving the restored text makes it the story's, and the copy goes.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("form.editor-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatal(err)
	}
	if saved, _ := st.Story(t.Context(), story.ID); !strings.Contains(saved.Translation("en").BodyMarkdown, "slowly") {
		t.Errorf("after Save: %q", saved.Translation("en").BodyMarkdown)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS("#body"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".autosave-offer").length`)); n != 0 {
		t.Error("the copy is still offered after saving")
	}
}
