package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"samizdat/content"
)

// storyPhotoWithMetadata is a small JPEG carrying an EXIF segment, an XMP
// packet and a comment that name a place and a person, as a phone's photo
// would.
func storyPhotoWithMetadata(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	segment := func(marker byte, payload []byte) []byte {
		s := []byte{0xFF, marker, 0, 0}
		binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
		return append(s, payload...)
	}
	out := append([]byte{}, buf.Bytes()[:2]...)
	out = append(out, segment(0xE1, []byte("Exif\x00\x00MM\x00\x2aGPS-SECRET-PLACE"))...)
	out = append(out, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>XMP-SECRET-AUTHOR</x:xmpmeta>"))...)
	out = append(out, segment(0xFE, []byte("taken at the safe house"))...)
	return append(out, buf.Bytes()[2:]...)
}

// TestBrowser_ImageInStory: an editor uploads a photo into a story's text
// from the editor, with its description; the story published shows it,
// served by Samizdat, with no metadata left.
func TestBrowser_ImageInStory(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	st := openStore(t, srv.env["DATABASE_URL"])
	story := &content.Story{BylineKind: content.BylinePublication}
	tr := &content.Translation{Lang: "en", Title: "The kitchen", Teaser: "At night.", BodyMarkdown: "We sat in the kitchen."}
	if err := st.CreateStoryWithTranslation(t.Context(), story, tr); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "kitchen.jpg")
	if err := os.WriteFile(photo, storyPhotoWithMetadata(t), 0o600); err != nil {
		t.Fatal(err)
	}
	editor := fmt.Sprintf("%s/desk/stories/%d/en", srv.URL, story.ID)
	ctx, traffic := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/desk/login"),
		chromedp.SetValue(chromedp.CSS("#email"), "vera@example.org"),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
		chromedp.Navigate(editor),
		chromedp.WaitVisible(chromedp.CSS("#image")),
		chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{photo}),
		chromedp.SetValue(chromedp.CSS("#image-alt"), "A kitchen table under a lamp"),
		chromedp.Click(chromedp.CSS(".text-image button")),
	); err != nil {
		t.Fatalf("upload: %v\n%s", err, srv.logs)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#body").value.includes("![A kitchen table under a lamp](/media/")`)); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".text-image-status")))
		t.Fatalf("the line never reached the text (%q): %v", status, err)
	}
	if dir := os.Getenv("SAMIZDAT_SCREENSHOTS"); dir != "" {
		png, _ := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		os.WriteFile(filepath.Join(dir, "desk-text-image.png"), png, 0o644)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("form.editor-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); err != nil {
		t.Fatal(err)
	}
	traffic.reset()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/en/stories/the-kitchen"),
		chromedp.WaitVisible(chromedp.CSS(`.story-body img[alt="A kitchen table under a lamp"]`)),
	); err != nil {
		t.Fatalf("public page: %v", err)
	}
	src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".story-body img").getAttribute("src")`))
	if err != nil || !regexp.MustCompile(`^/media/[0-9a-f]{64}\.jpg$`).MatchString(src) {
		t.Fatalf("image src %q, %v", src, err)
	}
	resp, err := http.Get(srv.URL + src)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Contains(string(data), "GPS-SECRET") || strings.Contains(string(data), "XMP-SECRET") ||
		strings.Contains(string(data), "safe house") || bytes.Contains(data, []byte("Exif\x00")) {
		t.Errorf("served image: %d, %d bytes, metadata kept: %v", resp.StatusCode, len(data), strings.Contains(string(data), "SECRET"))
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("served image does not decode: %v", err)
	}
	if foreign := traffic.foreignRequests(srv.URL); len(foreign) > 0 {
		t.Errorf("requests to other hosts: %v", foreign)
	}
}
