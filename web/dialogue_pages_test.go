package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"samizdat/content"
)

// TestDialogue_Pages pages a dialogue of seven threads three threads a
// page: a thread crossing the boundary stays whole on the page it starts
// on, each page links the next and previous with rel, the canonical stays
// the story's, and a page past the last is not found.
func TestDialogue_Pages(t *testing.T) {
	t.Parallel()
	d := newDialogueSite(t, func(c *Config) { c.DialoguePage = 3 })
	a, b := remoteAuthor("anna", "a.example"), remoteAuthor("boris", "b.example")
	var tops []*content.Reply
	for i := range 7 {
		tops = append(tops, d.reply(a, d.en, nil, content.Reply{ContentHTML: fmt.Sprintf("<p>thread %d</p>", i)}))
	}
	// Thread 2 is the last of page 1; its answers come later in time,
	// after thread 6 began, and still belong to page 1.
	answer := d.reply(b, nil, tops[2], content.Reply{})
	deeper := d.reply(a, nil, answer, content.Reply{})

	path := "/en/stories/letters-from-tbilisi"
	canonical := `<link rel="canonical" href="` + testBase + path + `">`
	page := func(query string, want []string) string {
		t.Helper()
		body := expect(t, d.get(path+query), http.StatusOK)
		if got := replyOrder(body); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: replies %v\nwant %v", query, got, want)
		}
		contains(t, body, canonical)
		return body
	}

	first := page("", []string{anchor(tops[0], 0), anchor(tops[1], 0), anchor(tops[2], 0), anchor(answer, 1), anchor(deeper, 2)})
	contains(t, first, "9 replies · Page 1 of 3", `<link rel="next" href="`+testBase+path+`?page=2">`, `href="`+path+`?page=2#dialogue" rel="next"`)
	lacks(t, first, `rel="prev"`)

	second := page("?page=2", []string{anchor(tops[3], 0), anchor(tops[4], 0), anchor(tops[5], 0)})
	contains(t, second, `<link rel="prev" href="`+testBase+path+`">`, `href="`+path+`#dialogue" rel="prev"`,
		`<link rel="next" href="`+testBase+path+`?page=3">`, "Page 2 of 3")

	last := page("?page=3", []string{anchor(tops[6], 0)})
	contains(t, last, `<link rel="prev" href="`+testBase+path+`?page=2">`)
	lacks(t, last, `rel="next"`)

	expect(t, d.get(path+"?page=4"), http.StatusNotFound)
	// Other queries show the first page, as before paging.
	page("?page=1", []string{anchor(tops[0], 0), anchor(tops[1], 0), anchor(tops[2], 0), anchor(answer, 1), anchor(deeper, 2)})
	page("?utm_source=x", []string{anchor(tops[0], 0), anchor(tops[1], 0), anchor(tops[2], 0), anchor(answer, 1), anchor(deeper, 2)})

	// Kept pages stay fresh: a new thread lands on the last page and
	// moves nothing before it.
	late := d.reply(b, d.en, nil, content.Reply{})
	page("?page=3", []string{anchor(tops[6], 0), anchor(late, 0)})
	page("?page=2", []string{anchor(tops[3], 0), anchor(tops[4], 0), anchor(tops[5], 0)})
}

// TestDialogue_OnePage: up to the threshold there is no pager at all.
func TestDialogue_OnePage(t *testing.T) {
	t.Parallel()
	d := newDialogueSite(t, func(c *Config) { c.DialoguePage = 3 })
	a := remoteAuthor("anna", "a.example")
	for range 3 {
		d.reply(a, d.en, nil, content.Reply{})
	}
	body := expect(t, d.get("/en/stories/letters-from-tbilisi"), http.StatusOK)
	lacks(t, body, `rel="next"`, `rel="prev"`, `class="pager"`, "Page 1 of")
	expect(t, d.get("/en/stories/letters-from-tbilisi?page=2"), http.StatusNotFound)
}
