package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store/storetest"
	"samizdat/picture"
)

// TestMedia_Variants gives a cover kept before variants existed its
// variants and its sized name, once: the story points at the new name, the
// old one still answers, a second run changes nothing, and the story page
// offers the variants.
func TestMedia_Variants(t *testing.T) {
	t.Parallel()
	url := storetest.NewURL(t)
	st := openStore(t, url)

	img := image.NewRGBA(image.Rect(0, 0, 900, 500))
	for y := range 500 {
		for x := range 900 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	old := hex.EncodeToString(sum[:]) + ".jpg"
	if _, err := st.PutMedia(t.Context(), old, "image/jpeg", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	story := &content.Story{BylineKind: content.BylinePublication, CoverImage: old}
	tr := &content.Translation{Lang: "en", Title: "An Old Cover", Teaser: "A cover from before.", BodyMarkdown: "Text."}
	if err := st.CreateStoryWithTranslation(t.Context(), story, tr); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); err != nil {
		t.Fatal(err)
	}

	s := &testServer{env: map[string]string{"DATABASE_URL": url}}
	out := s.command(t, "", "media", "variants")
	got, err := st.Story(t.Context(), story.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := picture.Parse(got.CoverImage)
	if !ok || n.Width != 900 || n.Height != 500 || n.Hash != strings.TrimSuffix(old, ".jpg") || !strings.Contains(out, "1 covers given their variants") {
		t.Fatalf("cover %q after:\n%s", got.CoverImage, out)
	}
	if out := s.command(t, "", "media", "variants"); !strings.Contains(out, "0 covers given their variants") {
		t.Errorf("second run said:\n%s", out)
	}

	srv := startServer(t, map[string]string{"DATABASE_URL": url})
	for _, name := range []string{old, got.CoverImage, n.Variant(480, "webp"), n.Variant(800, "jpg"), n.Variant(900, "webp")} {
		resp, err := http.Get(srv.URL + "/media/" + name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /media/%s: %s", name, resp.Status)
		}
	}
	resp, err := http.Get(srv.URL + "/en/stories/" + tr.Slug)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `srcset="/media/`+n.Variant(480, "webp")+` 480w, /media/`+n.Variant(800, "webp")+` 800w, /media/`+n.Variant(900, "webp")+` 900w"`) {
		t.Errorf("the story page does not offer the variants:\n%s", page)
	}
}
