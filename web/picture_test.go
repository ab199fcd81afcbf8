package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"samizdat/content"
)

// TestPicture_Covers: covers stored with their size are offered as WebP
// and JPEG variants with srcset and sizes, with width and height; the
// first image of a page is fetched eagerly and early, the others lazily.
func TestPicture_Covers(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	wide := strings.Repeat("a1", 32) + "-1200x630.jpg"
	narrow := strings.Repeat("b2", 32) + "-600x400.jpg"
	tr := published("en", "Wide Cover")
	tr.CoverAlt = "A wide view"
	s.addStory(storySpec{Cover: wide, Translations: []content.Translation{tr}})
	tr = published("en", "Narrow Cover")
	tr.CoverAlt = "A narrow view"
	s.addStory(storySpec{Cover: narrow, Translations: []content.Translation{tr}})

	body := expect(t, s.get("/en/stories/wide-cover"), http.StatusOK)
	w := "/media/" + strings.TrimSuffix(wide, ".jpg")
	contains(t, body, `<figure class="cover">
<picture>
<source type="image/webp" srcset="`+w+`-480.webp 480w, `+w+`-800.webp 800w, `+w+`-1200.webp 1200w" sizes="`+storyCoverSizes+`">
<img src="`+w+`-1200.jpg" srcset="`+w+`-480.jpg 480w, `+w+`-800.jpg 800w, `+w+`-1200.jpg 1200w" sizes="`+storyCoverSizes+`" width="1200" height="630" alt="A wide view" fetchpriority="high">
</picture>
</figure>`)
	lacks(t, body, `loading="lazy" fetchpriority`)

	list := expect(t, s.get("/en/"), http.StatusOK)
	n := "/media/" + strings.TrimSuffix(narrow, ".jpg")
	contains(t, list,
		// the newest story first: its cover is the list's first image
		`<source type="image/webp" srcset="`+n+`-480.webp 480w, `+n+`-600.webp 600w" sizes="`+entryCoverSizes+`">`,
		`<img src="`+n+`-600.jpg" srcset="`+n+`-480.jpg 480w, `+n+`-600.jpg 600w" sizes="`+entryCoverSizes+`" width="600" height="400" alt="A narrow view" fetchpriority="high">`,
		`<img src="`+w+`-1200.jpg" srcset="`+w+`-480.jpg 480w, `+w+`-800.jpg 800w, `+w+`-1200.jpg 1200w" sizes="`+entryCoverSizes+`" width="1200" height="630" alt="A wide view" loading="lazy">`)
	if n := strings.Count(list, `fetchpriority="high"`); n != 1 {
		t.Errorf("%d images fetched with high priority, want 1", n)
	}
	// Every image on both pages has its size.
	for _, page := range []string{body, list} {
		for _, img := range regexp.MustCompile(`<img\b[^>]*>`).FindAllString(page, -1) {
			if !strings.Contains(img, ` width="`) || !strings.Contains(img, ` height="`) {
				t.Errorf("image without its size: %s", img)
			}
		}
	}
}

// TestBodyPictures: images in a story's text (as goldmark writes them) get variants when their name
// carries their size, and every one loads lazily but the first of a story
// without a cover; markup that is not an image of ours is left alone.
func TestBodyPictures(t *testing.T) {
	sized := strings.Repeat("c3", 32) + "-1000x500.jpg"
	v := "/media/" + strings.TrimSuffix(sized, ".jpg")
	in := `<p>Text</p><p><img src="/media/` + sized + `" alt="A &quot;quiet&quot; street" /></p>` +
		`<p><img src="/media/0a1b2c.jpg" alt="An old one" title="Old" /></p><p>&lt;img src="/media/x.jpg"&gt;</p>`
	want := `<p>Text</p><p><picture><source type="image/webp" srcset="` + v + `-480.webp 480w, ` + v + `-800.webp 800w, ` + v + `-1000.webp 1000w" sizes="` + storyBodySizes + `">` +
		`<img src="` + v + `-1000.jpg" srcset="` + v + `-480.jpg 480w, ` + v + `-800.jpg 800w, ` + v + `-1000.jpg 1000w" sizes="` + storyBodySizes + `" width="1000" height="500" alt="A &quot;quiet&quot; street" fetchpriority="high"></picture></p>` +
		`<p><img src="/media/0a1b2c.jpg" alt="An old one" title="Old" loading="lazy"></p><p>&lt;img src="/media/x.jpg"&gt;</p>`
	if got := bodyPictures(in, true); got != want {
		t.Errorf("eager:\n got %s\nwant %s", got, want)
	}
	if got := bodyPictures(in, false); strings.Contains(got, "fetchpriority") || strings.Count(got, `loading="lazy"`) != 2 {
		t.Errorf("after a cover, every image should load lazily:\n%s", got)
	}
}
