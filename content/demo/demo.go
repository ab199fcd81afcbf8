// Package demo loads a fictional publication into an empty Samizdat: stories
// told in several languages, the static pages, and an editor account to try
// the desk with. Everything in it was written for this project; the people,
// their stories and the team are invented, and the about page says so.
//
// The text lives in embedded files (stories/NN-name/ and pages/{lang}/, in
// the small format parse.go reads); cover images are drawn at load time.
package demo

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"samizdat/content"
	"samizdat/content/store"
)

//go:embed stories pages
var files embed.FS

// The demo editor. The password is public on purpose: the demo is for trying
// Samizdat on one's own machine, never for a public site.
const (
	EditorEmail    = "editor@demo.samizdat.test"
	EditorPassword = "samizdat-demo"
	EditorName     = "Demo Editor"
)

// Options says where and how to load the demo.
type Options struct {
	Languages          []string // load only translations and pages in these; all when empty
	EditorEmail        string   // the demo editor's address; EditorEmail when empty
	EditorPasswordHash string   // the hash of the demo editor's password; needed only when the account is created
	// BaseURL is the site's, from which the ids of the Articles the demo
	// dialogue answers are built. Without it the dialogue is not loaded.
	BaseURL string
}

// Result says what Load did.
type Result struct {
	Loaded       bool   // false when the demo was already there, or not wanted (see Reason)
	Reason       string // why nothing was loaded, when Loaded is false
	Stories      int    // stories created by this run
	Translations int    // translations created by this run
	Pages        int    // static pages created by this run
	Replies      int    // dialogue replies stored by this run
	Reactions    int    // likes and boosts stored by this run
	Team         int    // members of the team list stored by this run
}

// story is one directory under stories/.
type story struct {
	Dir string
	storyFile
	Translations []translationFile
}

// Load puts the demo publication into the database behind st and its cover
// images into its media table.
//
// With opts.BaseURL it also loads a dialogue under three of the stories
// (dialogue.go), completed on every run, even once the rest is loaded.
//
// It is idempotent. The demo editor account is created last and is the mark
// that the demo is complete: when it exists, Load changes nothing and returns
// Loaded false. Until then every step checks before it writes (a story is
// found by the slugs of its translations, a translation by its language, a
// page by its address, a cover by its content hash) and settles each
// translation into the state it should have, so a run that died halfway is
// completed by the next one rather than duplicated. The store has no
// transaction spanning its methods, which is why the loader is built this way
// instead of as one big transaction. An advisory lock keeps two runs from
// interleaving.
//
// A database that already holds stories, none of them the demo's, is someone's
// publication: Load leaves it alone and says why in Result.Reason.
func Load(ctx context.Context, st *store.Store, opts Options) (Result, error) {
	if opts.EditorEmail == "" {
		opts.EditorEmail = EditorEmail
	}
	stories, err := readStories(opts.Languages)
	if err != nil {
		return Result{}, err
	}
	pages, err := readPages(opts.Languages)
	if err != nil {
		return Result{}, err
	}
	unlock, err := st.LockDemo(ctx)
	if err != nil {
		return Result{}, err
	}
	defer unlock()

	if _, err := st.StaffByEmail(ctx, opts.EditorEmail); err == nil {
		// The dialogue came later than the rest of the demo: a publication
		// loaded before it gets it now. Replies already held stay as they are.
		res := Result{Reason: "the demo is already loaded"}
		if opts.BaseURL != "" {
			res.Replies, res.Reactions, err = loadDialogue(ctx, st, stories, opts.BaseURL, st.Now())
		}
		return res, err
	} else if !errors.Is(err, content.ErrNotFound) {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if opts.EditorPasswordHash == "" {
		return Result{}, errors.New("demo: no password hash for the demo editor")
	}

	existing, err := findStories(ctx, st, stories)
	if err != nil {
		return Result{}, err
	}
	if len(existing) == 0 {
		others, err := st.Stories(ctx, store.StoryFilter{Limit: 1})
		if err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		if len(others) > 0 {
			return Result{Reason: "the database already holds stories that are not the demo's; the demo only goes into an empty publication"}, nil
		}
	}

	// Minutes are enough, and whole ones survive PostgreSQL's microseconds,
	// so a time read back compares equal to the one written.
	now := st.Now().Truncate(time.Minute)
	res := Result{Loaded: true}
	for _, s := range stories {
		created, n, err := loadStory(ctx, st, s, existing[s.Dir], now)
		if err != nil {
			return res, fmt.Errorf("demo: story %s: %w", s.Dir, err)
		}
		if created {
			res.Stories++
		}
		res.Translations += n
	}
	for _, p := range pages {
		_, err := st.Page(ctx, p.Lang, p.Slug)
		if err == nil {
			continue // there already, perhaps edited since: keep it
		}
		if !errors.Is(err, content.ErrNotFound) {
			return res, fmt.Errorf("demo: %w", err)
		}
		if err := st.SavePage(ctx, p); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		res.Pages++
	}
	if opts.BaseURL != "" {
		if res.Replies, res.Reactions, err = loadDialogue(ctx, st, stories, opts.BaseURL, now); err != nil {
			return res, err
		}
	}
	if res.Team, err = loadTeam(ctx, st, opts.Languages); err != nil {
		return res, err
	}
	editor := &content.Staff{
		Email: opts.EditorEmail, DisplayName: EditorName, PasswordHash: opts.EditorPasswordHash,
		Roles: []content.Role{content.RoleAdmin, content.RoleEditor, content.RoleModerator},
	}
	if err := st.CreateStaff(ctx, editor); err != nil && !errors.Is(err, content.ErrConflict) {
		return res, fmt.Errorf("demo: editor: %w", err)
	}
	return res, nil
}

// findStories returns the demo stories already in the database, by directory.
func findStories(ctx context.Context, st *store.Store, stories []story) (map[string]*content.Story, error) {
	found := map[string]*content.Story{}
	for _, s := range stories {
		for _, tf := range s.Translations {
			t, err := st.TranslationBySlug(ctx, tf.T.Lang, tf.T.Slug)
			if errors.Is(err, content.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("demo: %w", err)
			}
			if found[s.Dir], err = st.Story(ctx, t.StoryID); err != nil {
				return nil, fmt.Errorf("demo: %w", err)
			}
			break
		}
	}
	return found, nil
}

// loadStory creates a story and its translations, or completes them, and
// reports whether it created the story and how many translations.
func loadStory(ctx context.Context, st *store.Store, s story, cur *content.Story, now time.Time) (bool, int, error) {
	created := false
	if cur == nil {
		img, err := s.Cover.render(s.Dir)
		if err != nil {
			return false, 0, fmt.Errorf("cover: %w", err)
		}
		name, err := writeCover(ctx, st, img)
		if err != nil {
			return false, 0, fmt.Errorf("cover: %w", err)
		}
		cur = &content.Story{BylineKind: s.Byline, BylineName: s.Name, Pinned: s.Pinned, CoverImage: name}
		if err := st.CreateStory(ctx, cur); err != nil {
			return false, 0, err
		}
		created = true
	}
	n := 0
	for _, tf := range s.Translations {
		t := cur.Translation(tf.T.Lang)
		if t == nil {
			t = new(content.Translation)
			*t = *tf.T
			t.Tags = slices.Clone(tf.T.Tags)
			t.StoryID, t.State = cur.ID, content.StateDraft
			if err := st.SaveTranslation(ctx, t); err != nil {
				return created, n, fmt.Errorf("%s: %w", tf.T.Lang, err)
			}
			n++
		}
		if err := settle(ctx, st, t, tf, now); err != nil {
			return created, n, fmt.Errorf("%s: %w", tf.T.Lang, err)
		}
	}
	return created, n, nil
}

// settle moves a translation from wherever an earlier run left it to the
// state its file asks for, with its dates.
func settle(ctx context.Context, st *store.Store, t *content.Translation, want translationFile, now time.Time) error {
	var err error
	switch want.T.State {
	case content.StateDraft:
		return nil
	case content.StateScheduled:
		if t.State == content.StateDraft {
			_, err = st.SetTranslationState(ctx, t.ID, content.StateScheduled, now.Add(want.PublishIn))
		}
		return err
	}
	// Published, or published once and then withdrawn.
	if t.State == content.StateDraft {
		if t, err = st.SetTranslationState(ctx, t.ID, content.StatePublished, time.Time{}); err != nil {
			return err
		}
	}
	if want.T.State == content.StateWithdrawn && t.State == content.StatePublished {
		if t, err = st.SetTranslationState(ctx, t.ID, content.StateWithdrawn, time.Time{}); err != nil {
			return err
		}
	}
	if at := now.Add(-want.Published); !t.PublishedAt.Equal(at) {
		return st.SetPublishedAt(ctx, t.ID, at)
	}
	return nil
}

// wanted reports whether lang is among langs, or langs is empty (all).
func wanted(langs []string, lang string) bool {
	return len(langs) == 0 || slices.Contains(langs, lang)
}

// readStories parses every story directory, keeping the translations in langs.
// A story with none of them is left out.
func readStories(langs []string) ([]story, error) {
	dirs, err := fs.ReadDir(files, "stories")
	if err != nil {
		return nil, err
	}
	var out []story
	for _, d := range dirs {
		s, err := readStory(d.Name(), langs)
		if err != nil {
			return nil, fmt.Errorf("demo: stories/%s: %w", d.Name(), err)
		}
		if len(s.Translations) > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

func readStory(dir string, langs []string) (story, error) {
	s := story{Dir: dir}
	entries, err := fs.ReadDir(files, path.Join("stories", dir))
	if err != nil {
		return s, err
	}
	data, err := files.ReadFile(path.Join("stories", dir, "story.txt"))
	if err != nil {
		return s, err
	}
	if s.storyFile, err = parseStoryFile(data); err != nil {
		return s, fmt.Errorf("story.txt: %w", err)
	}
	for _, e := range entries {
		lang, ok := strings.CutSuffix(e.Name(), ".md")
		if !ok {
			if e.Name() != "story.txt" {
				return s, fmt.Errorf("unexpected file %s", e.Name())
			}
			continue
		}
		if !wanted(langs, lang) {
			continue
		}
		data, err := files.ReadFile(path.Join("stories", dir, e.Name()))
		if err != nil {
			return s, err
		}
		tf, err := parseTranslationFile(lang, data)
		if err != nil {
			return s, fmt.Errorf("%s: %w", e.Name(), err)
		}
		s.Translations = append(s.Translations, tf)
	}
	return s, nil
}

// readPages parses the static pages in langs.
func readPages(langs []string) ([]*content.Page, error) {
	dirs, err := fs.ReadDir(files, "pages")
	if err != nil {
		return nil, err
	}
	var out []*content.Page
	for _, d := range dirs {
		lang := d.Name()
		if !wanted(langs, lang) {
			continue
		}
		for _, slug := range content.PageSlugs {
			data, err := files.ReadFile(path.Join("pages", lang, slug+".md"))
			if err != nil {
				return nil, fmt.Errorf("demo: %w", err)
			}
			p, err := parsePageFile(lang, slug, data)
			if err != nil {
				return nil, fmt.Errorf("demo: pages/%s/%s.md: %w", lang, slug, err)
			}
			out = append(out, p)
		}
	}
	return out, nil
}
