package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_ProfileUpdateReachesFollower: an editor sets the English
// actor's bio and avatar in the desk, and a peer following @en receives an
// Update of the actor, signed as Mastodon checks, whose summary and icon
// changed; the avatar it points at is ours and carries no metadata.
func TestBrowser_ProfileUpdateReachesFollower(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	p := newMastodonPeer(t, "127.0.0.3")
	follow := map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       p.actor + "#follows/1", "type": "Follow",
		"actor": p.actor, "object": srv.URL + "/actors/en",
	}
	if status := p.post(t, srv.URL+"/actors/en/inbox", follow); status != http.StatusAccepted {
		t.Fatalf("Follow answered %d, want 202", status)
	}
	p.await(t, "Accept")
	before := fetchActor(t, srv.URL+"/actors/en")

	photo := filepath.Join(t.TempDir(), "portrait.jpg")
	if err := os.WriteFile(photo, jpegWithMetadata(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, _ := newBrowser(t)
	step, _ := browserSteps(t, ctx, srv.logs)
	step("log in",
		chromedp.Navigate(srv.URL+"/desk/login"),
		chromedp.SetValue(chromedp.CSS("#email"), "vera@example.org"),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
	)
	shoot := func(name string) {
		if dir := os.Getenv("SAMIZDAT_SCREENSHOTS"); dir != "" {
			png, _ := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			os.WriteFile(filepath.Join(dir, name), png, 0o644)
		}
	}
	// A name too long is refused with what was typed kept, and nothing sent.
	step("a name too long",
		chromedp.Click(chromedp.CSS(`.desk-nav a[href="/desk/profiles/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/desk/profiles/en"]`)),
	)
	shoot("desk-profiles.png")
	step("a name too long",
		chromedp.Click(chromedp.CSS(`a[href="/desk/profiles/en"]`)),
		chromedp.WaitVisible(chromedp.CSS("#bio")),
		chromedp.SetValue(chromedp.CSS("#display_name"), strings.Repeat("Samizdat ", 12)),
		chromedp.SetValue(chromedp.CSS("#bio"), "Typed before the mistake."),
		chromedp.Click(chromedp.CSS(".profile-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	)
	shoot("desk-profile-error.png")
	if bio, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#bio"))); bio != "Typed before the mistake." {
		t.Errorf("bio after the refusal = %q", bio)
	}
	step("set the bio and avatar",
		script(`document.getElementById("display_name").value = ""`),
		chromedp.SetValue(chromedp.CSS("#bio"), "Letters *across* the border, every week."),
		chromedp.SetUploadFiles(chromedp.CSS("#avatar"), []string{photo}),
		chromedp.Click(chromedp.CSS(".profile-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	shoot("desk-profile.png")

	update := p.await(t, "Update")
	actor, _ := update["object"].(map[string]any)
	if update["actor"] != srv.URL+"/actors/en" || actor["id"] != srv.URL+"/actors/en" || actor["type"] != "Organization" {
		t.Fatalf("Update = %v", update)
	}
	if got, want := actor["summary"], "<p>Letters <em>across</em> the border, every week.</p>\n"; got != want || got == before["summary"] {
		t.Errorf("summary = %q, want %q (before: %q)", got, want, before["summary"])
	}
	icon, _ := actor["icon"].(map[string]any)
	iconURL, _ := icon["url"].(string)
	oldIcon, _ := before["icon"].(map[string]any)
	if !strings.HasPrefix(iconURL, srv.URL+"/media/") || iconURL == oldIcon["url"] || icon["type"] != "Image" || icon["mediaType"] != "image/jpeg" {
		t.Errorf("icon = %v, was %v", icon, oldIcon)
	}
	resp, err := http.Get(iconURL)
	if err != nil {
		t.Fatal(err)
	}
	avatar, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", iconURL, resp.StatusCode)
	}
	if leaks := jpegMetadata(avatar); len(leaks) > 0 {
		t.Errorf("the served avatar keeps metadata: %v", leaks)
	}
	// What a peer fetches afterwards is the same profile.
	if now := fetchActor(t, srv.URL+"/actors/en"); now["summary"] != actor["summary"] {
		t.Errorf("fetched summary %q, Update's %q", now["summary"], actor["summary"])
	}
	if bad := p.refused(); len(bad) > 0 {
		t.Errorf("the peer refused deliveries: %v", bad)
	}
}

// fetchActor GETs an actor document as a peer does.
func fetchActor(t *testing.T, id string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, id, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatalf("actor %s: %v", id, err)
	}
	return d
}

// metadataMarks are what a JPEG made by jpegWithMetadata carries besides
// pixels: an EXIF block with a GPS entry, an XMP packet and a comment.
var metadataMarks = []string{"Exif\x00\x00", "http://ns.adobe.com/xap/1.0/", "Taken by a secret camera"}

// jpegWithMetadata is a small photo as a phone would save it: an EXIF APP1
// segment (with a GPS IFD pointer), an XMP APP1 and a COM comment.
func jpegWithMetadata(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	segment := func(marker byte, payload []byte) []byte {
		seg := []byte{0xFF, marker, 0, 0}
		binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
		return append(seg, payload...)
	}
	// TIFF, little-endian: IFD0 with one entry, GPSInfo (0x8825).
	tiff := []byte("II*\x00\x08\x00\x00\x00\x01\x00\x25\x88\x04\x00\x01\x00\x00\x00\x1a\x00\x00\x00\x00\x00\x00\x00")
	exif := append([]byte(metadataMarks[0]), tiff...)
	xmp := append([]byte(metadataMarks[1]+"\x00"), []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>`)...)
	out := append([]byte{}, plain.Bytes()[:2]...) // SOI
	out = append(out, segment(0xE1, exif)...)
	out = append(out, segment(0xE1, xmp)...)
	out = append(out, segment(0xFE, []byte(metadataMarks[2]))...)
	return append(out, plain.Bytes()[2:]...)
}

// jpegMetadata lists the metadata marks found in data.
func jpegMetadata(data []byte) []string {
	var found []string
	for _, m := range metadataMarks {
		if bytes.Contains(data, []byte(m)) {
			found = append(found, strings.TrimRight(m, "\x00"))
		}
	}
	return found
}
