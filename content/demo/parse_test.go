package demo

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"samizdat/content"
)

func TestParseFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantHead header
		wantBody string
		wantErr  string
	}{
		{"OK", "title: A: b\nslug:  x \n---\nBody *one*.\n\nTwo.\n", header{"title": "A: b", "slug": "x"}, "Body *one*.\n\nTwo.\n", ""},
		{"OK blank lines and CRLF", "\ntitle: A\r\n\r\n---\r\nBody\r\n", header{"title": "A"}, "Body\n", ""},
		{"OK empty body", "byline: publication\n---\n", header{"byline": "publication"}, "\n", ""},
		{"OK separator inside the body", "title: A\n---\nOne\n\n---\n\nTwo\n", header{"title": "A"}, "One\n\n---\n\nTwo\n", ""},
		{"ErrNoSeparator", "title: A\nBody\n", nil, "", "line 2"},
		{"ErrNoSeparatorAtAll", "title: A\n", nil, "", "no \"---\""},
		{"ErrBadKey", "Title: A\n---\n", nil, "", "line 1"},
		{"ErrNoColon", "title A\n---\n", nil, "", "line 1"},
		{"ErrDuplicate", "title: A\ntitle: B\n---\n", nil, "", "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, body, err := parseFile([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != len(tt.wantHead) {
				t.Errorf("header = %v, want %v", h, tt.wantHead)
			}
			for k, v := range tt.wantHead {
				if h[k] != v {
					t.Errorf("header[%s] = %q, want %q", k, h[k], v)
				}
			}
			if body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
		})
	}
}

func TestParseAge(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"34d", 34 * day, true},
		{"2d 6h", 2*day + 6*time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"0d", 0, true},
		{"", 0, false},
		{"3w", 0, false},
		{"-2d", 0, false},
		{"d", 0, false},
		{"2 d", 0, false},
	}
	for _, tt := range tests {
		got, err := parseAge(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseAge(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseStoryFile(t *testing.T) {
	t.Parallel()
	const cover = "cover: bands #000000 #ffffff #123456 #abcdef\n"
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"OK name", "byline: name\nname: Vera\n" + cover + "---\n", true},
		{"OK publication pinned", "byline: publication\npinned: yes\n" + cover + "---\n", true},
		{"ErrUnknownKey", "byline: name\nname: Vera\nauthor: x\n" + cover + "---\n", false},
		{"ErrNoCover", "byline: name\nname: Vera\n---\n", false},
		{"ErrPseudonymWithoutName", "byline: pseudonym\n" + cover + "---\n", false},
		{"ErrPublicationWithName", "byline: publication\nname: Vera\n" + cover + "---\n", false},
		{"ErrBadKind", "byline: anonymous\n" + cover + "---\n", false},
		{"ErrPinned", "byline: publication\npinned: true\n" + cover + "---\n", false},
		{"ErrBody", "byline: publication\n" + cover + "---\ntext\n", false},
		{"ErrCoverKind", "byline: publication\ncover: stripes #000000 #ffffff #123456 #abcdef\n---\n", false},
		{"ErrCoverColour", "byline: publication\ncover: bands #000 #ffffff #123456 #abcdef\n---\n", false},
		{"ErrCoverCount", "byline: publication\ncover: bands #000000\n---\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseStoryFile([]byte(tt.in))
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestParseTranslationFile(t *testing.T) {
	t.Parallel()
	head := "title: A title\nslug: a-title\nteaser: A teaser.\ntags: war, exile\nalt: A picture.\n"
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"OK published", head + "state: published\npublished: 3d\n---\nBody\n", true},
		{"OK withdrawn", head + "state: withdrawn\npublished: 30d 2h\n---\nBody\n", true},
		{"OK scheduled", head + "state: scheduled\npublish: 3d\n---\nBody\n", true},
		{"OK draft", head + "state: draft\n---\nBody\n", true},
		{"ErrPublishedWithoutDate", head + "state: published\n---\nBody\n", false},
		{"ErrScheduledInThePast", head + "state: scheduled\npublish: 0d\n---\nBody\n", false},
		{"ErrScheduledWithPublished", head + "state: scheduled\npublish: 1d\npublished: 1d\n---\nBody\n", false},
		{"ErrDraftWithDate", head + "state: draft\npublished: 1d\n---\nBody\n", false},
		{"ErrUnknownState", head + "state: archived\n---\nBody\n", false},
		{"ErrMissingAlt", strings.Replace(head, "alt: A picture.\n", "", 1) + "state: draft\n---\nBody\n", false},
		{"ErrOneTag", strings.Replace(head, "war, exile", "war", 1) + "state: draft\n---\nBody\n", false},
		{"ErrFiveTags", strings.Replace(head, "war, exile", "a, b, c, d, e", 1) + "state: draft\n---\nBody\n", false},
		{"ErrBadSlug", strings.Replace(head, "a-title", "A Title", 1) + "state: draft\n---\nBody\n", false},
		{"ErrTeaserMarkup", strings.Replace(head, "A teaser.", "A <b>teaser</b>.", 1) + "state: draft\n---\nBody\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTranslationFile("en", []byte(tt.in))
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// TestEmbedded checks the demo's own files against what the issue asks of
// them, so an edit that breaks one fails here rather than at load time.
func TestEmbedded(t *testing.T) {
	t.Parallel()
	stories, err := readStories(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) < 7 {
		t.Errorf("%d stories, want at least 7", len(stories))
	}
	var (
		kinds                     = map[content.BylineKind]int{}
		states                    = map[content.State]int{}
		withFrench, withoutFrench int
		hasTable, hasFootnote     bool
		hasQuote, hasList         bool
		covers                    = map[string]string{}
	)
	for _, s := range stories {
		kinds[s.Byline]++
		langs := map[string]bool{}
		for _, tf := range s.Translations {
			tr := tf.T
			langs[tr.Lang] = true
			states[tr.State]++
			if strings.Count(tr.BodyMarkdown, "\n\n") < 3 {
				t.Errorf("%s/%s: the body should have several paragraphs", s.Dir, tr.Lang)
			}
			hasTable = hasTable || strings.Contains(tr.BodyHTML, "<table>")
			hasFootnote = hasFootnote || strings.Contains(tr.BodyHTML, `class="footnotes"`)
			hasQuote = hasQuote || strings.Contains(tr.BodyHTML, "<blockquote>")
			hasList = hasList || strings.Contains(tr.BodyHTML, "<li>")
			if strings.Contains(tr.BodyHTML, "&quot;") {
				t.Errorf("%s/%s: straight quotes left in the HTML", s.Dir, tr.Lang)
			}
		}
		if !langs["en"] || !langs["ru"] {
			t.Errorf("%s: every demo story is in English and Russian", s.Dir)
		}
		if langs["fr"] {
			withFrench++
		} else {
			withoutFrench++
		}
		key := fmt.Sprint(s.Cover)
		if other, dup := covers[key]; dup {
			t.Errorf("%s has the same cover as %s", s.Dir, other)
		}
		covers[key] = s.Dir
	}
	if kinds[content.BylinePseudonym] == 0 || kinds[content.BylinePublication] == 0 || kinds[content.BylineName] < 3 {
		t.Errorf("bylines = %v: want a pseudonym, the publication and named people", kinds)
	}
	if withoutFrench == 0 || withFrench <= withoutFrench {
		t.Errorf("%d stories with French, %d without: want most with, at least one without", withFrench, withoutFrench)
	}
	for _, st := range content.States {
		if states[st] == 0 {
			t.Errorf("no translation is %s: the desk should show every state", st)
		}
	}
	if !hasTable || !hasFootnote || !hasQuote || !hasList {
		t.Errorf("table %v, footnote %v, blockquote %v, list %v: want each somewhere", hasTable, hasFootnote, hasQuote, hasList)
	}

	pages, err := readPages(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(pages), 3*len(content.PageSlugs); got != want {
		t.Errorf("%d pages, want %d", got, want)
	}
	for _, p := range pages {
		if p.Title == "" || strings.Count(p.BodyMarkdown, "\n\n") < 2 {
			t.Errorf("page %s/%s is thin", p.Lang, p.Slug)
		}
	}
}

func TestReadStories_Languages(t *testing.T) {
	t.Parallel()
	stories, err := readStories([]string{"fr", "de"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stories {
		for _, tf := range s.Translations {
			if tf.T.Lang != "fr" {
				t.Errorf("%s: loaded %s", s.Dir, tf.T.Lang)
			}
		}
	}
	all, _ := readStories(nil)
	if len(stories) >= len(all) {
		t.Errorf("a story without French should be left out: %d of %d", len(stories), len(all))
	}
	pages, err := readPages([]string{"ru"})
	if err != nil || len(pages) != len(content.PageSlugs) {
		t.Errorf("pages for ru: %d, %v", len(pages), err)
	}
}
