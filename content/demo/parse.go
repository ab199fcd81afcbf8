package demo

import (
	"bufio"
	"bytes"
	"fmt"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"time"

	"samizdat/content"
)

// The demo's text files share one tiny format: "key: value" lines, a line
// "---", then (for stories and pages) the Markdown body:
//
//	title: The classroom I carried to Tbilisi
//	tags: exile, teaching
//	---
//	For twenty-two years…
//
// Keys are lower-case words; a value runs to the end of its line. Every file
// is checked against the keys its kind allows, so a typo fails the tests
// instead of quietly dropping a field.

var keyRE = regexp.MustCompile(`^[a-z]+$`)

// header is a file's "key: value" lines.
type header map[string]string

// parseFile splits a file into its header and body.
func parseFile(data []byte) (header, string, error) {
	h := header{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "---" {
			body := data
			// Skip the header lines and the separator; the body keeps its bytes.
			for range n {
				_, body, _ = bytes.Cut(body, []byte("\n"))
			}
			return h, strings.TrimSpace(string(body)) + "\n", nil
		}
		if line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok || !keyRE.MatchString(key) {
			return nil, "", fmt.Errorf("line %d: want \"key: value\", got %q", n, line)
		}
		if _, dup := h[key]; dup {
			return nil, "", fmt.Errorf("line %d: %s given twice", n, key)
		}
		h[key] = strings.TrimSpace(value)
	}
	return nil, "", fmt.Errorf("no \"---\" line after the header")
}

// check reports keys outside allowed and required keys that are missing or empty.
func (h header) check(allowed, required []string) error {
	for k := range h {
		if !contains(allowed, k) {
			return fmt.Errorf("unknown key %q", k)
		}
	}
	for _, k := range required {
		if h[k] == "" {
			return fmt.Errorf("%s is required", k)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseAge reads a span such as "34d", "2d 6h" or "90m": whole days, hours
// and minutes, space-separated. Dates in the demo are spans from the moment it
// is loaded, so the publication always looks recently active.
func parseAge(s string) (time.Duration, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return 0, fmt.Errorf("empty span")
	}
	var d time.Duration
	for _, f := range fields {
		if len(f) < 2 {
			return 0, fmt.Errorf("bad span %q", s)
		}
		n, err := strconv.Atoi(f[:len(f)-1])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad span %q", s)
		}
		switch f[len(f)-1] {
		case 'd':
			d += time.Duration(n) * 24 * time.Hour
		case 'h':
			d += time.Duration(n) * time.Hour
		case 'm':
			d += time.Duration(n) * time.Minute
		default:
			return 0, fmt.Errorf("bad span %q: use d, h or m", s)
		}
	}
	return d, nil
}

// storyFile is story.txt: who the story is credited to and how its cover looks.
type storyFile struct {
	Byline content.BylineKind
	Name   string
	Pinned bool
	Cover  coverSpec
}

func parseStoryFile(data []byte) (storyFile, error) {
	h, body, err := parseFile(data)
	if err != nil {
		return storyFile{}, err
	}
	if strings.TrimSpace(body) != "" {
		return storyFile{}, fmt.Errorf("story.txt has a body; text goes in the language files")
	}
	if err := h.check([]string{"byline", "name", "pinned", "cover"}, []string{"byline", "cover"}); err != nil {
		return storyFile{}, err
	}
	f := storyFile{Byline: content.BylineKind(h["byline"]), Name: h["name"]}
	s := content.Story{BylineKind: f.Byline, BylineName: f.Name}
	if err := s.Validate(); err != nil {
		return storyFile{}, err
	}
	if f.Byline == content.BylinePublication && f.Name != "" {
		return storyFile{}, fmt.Errorf("a story credited to the publication has no name")
	}
	switch h["pinned"] {
	case "", "no":
	case "yes":
		f.Pinned = true
	default:
		return storyFile{}, fmt.Errorf("pinned is yes or no, got %q", h["pinned"])
	}
	if f.Cover, err = parseCoverSpec(h["cover"]); err != nil {
		return storyFile{}, err
	}
	return f, nil
}

// translationFile is one language of a story: {lang}.md.
type translationFile struct {
	T *content.Translation // text, tags and slug; State is where it should end up
	// Published is how long before loading it was published (published and
	// withdrawn translations); PublishIn is how long after loading a
	// scheduled one goes out.
	Published, PublishIn time.Duration
}

func parseTranslationFile(lang string, data []byte) (translationFile, error) {
	h, body, err := parseFile(data)
	if err != nil {
		return translationFile{}, err
	}
	allowed := []string{"title", "slug", "teaser", "tags", "alt", "state", "published", "publish"}
	if err := h.check(allowed, []string{"title", "slug", "teaser", "tags", "alt", "state"}); err != nil {
		return translationFile{}, err
	}
	t := &content.Translation{
		Lang: lang, Title: h["title"], Slug: h["slug"], Teaser: h["teaser"], CoverAlt: h["alt"],
		Tags: strings.Split(h["tags"], ","), BodyMarkdown: body, State: content.State(h["state"]),
	}
	t.Normalize()
	if err := t.Validate(); err != nil {
		return translationFile{}, err
	}
	if n := len(t.Tags); n < 2 || n > 4 {
		return translationFile{}, fmt.Errorf("give 2 to 4 tags, got %d", n)
	}
	f := translationFile{T: t}
	switch t.State {
	case content.StatePublished, content.StateWithdrawn:
		if h["publish"] != "" {
			return translationFile{}, fmt.Errorf("publish is only for scheduled translations")
		}
		if f.Published, err = parseAge(h["published"]); err != nil {
			return translationFile{}, fmt.Errorf("published: %w", err)
		}
	case content.StateScheduled:
		if h["published"] != "" {
			return translationFile{}, fmt.Errorf("a scheduled translation has no published date")
		}
		if f.PublishIn, err = parseAge(h["publish"]); err != nil || f.PublishIn <= 0 {
			return translationFile{}, fmt.Errorf("publish: give a span in the future such as 3d")
		}
	case content.StateDraft:
		if h["published"] != "" || h["publish"] != "" {
			return translationFile{}, fmt.Errorf("a draft has no dates")
		}
	}
	return f, nil
}

// pageFile is pages/{lang}/{slug}.md.
func parsePageFile(lang, slug string, data []byte) (*content.Page, error) {
	h, body, err := parseFile(data)
	if err != nil {
		return nil, err
	}
	if err := h.check([]string{"title"}, []string{"title"}); err != nil {
		return nil, err
	}
	return &content.Page{Lang: lang, Slug: slug, Title: h["title"], BodyMarkdown: body}, nil
}

// parseColor reads #rrggbb.
func parseColor(s string) (color.RGBA, error) {
	if len(s) != 7 || s[0] != '#' {
		return color.RGBA{}, fmt.Errorf("colour %q: want #rrggbb", s)
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return color.RGBA{}, fmt.Errorf("colour %q: want #rrggbb", s)
	}
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}, nil
}
