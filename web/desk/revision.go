package desk

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// Revisions: every save of a translation's text is kept (migration 027);
// editors list them, compare one with the current text and restore it.
// Restoring is a save like the editor's: for a published translation it
// changes what readers see and the fediverse gets an Update.

// revisionsPage is the data of templates/revisions.html.
type revisionsPage struct {
	deskPage
	Story      *content.Story
	StoryTitle string
	T          *content.Translation
	LangName   string
	FormURL    string
	Revisions  []revisionRow
}

type revisionRow struct {
	ID      int64
	SavedAt string
	Title   string
	Chars   int
	Current bool // the text as it is now
}

// revisionPage is the data of templates/revision.html: one revision
// against the current text.
type revisionPage struct {
	deskPage
	Story      *content.Story
	StoryTitle string
	T          *content.Translation
	LangName   string
	FormURL    string
	Rev        *store.Revision
	SavedAt    string
	Fields     []fieldDiff
	Same       bool
}

// fieldDiff is one field of a revision compared with the current text.
type fieldDiff struct {
	Name    string
	Changed bool
	Lines   []content.DiffLine
}

func (s *Server) revisionsOf(w http.ResponseWriter, r *http.Request) (*content.Story, string, *content.Translation, bool) {
	st, lang, t, ok := s.deskTranslation(w, r)
	if !ok {
		return nil, "", nil, false
	}
	if t == nil {
		s.deskError(w, r, http.StatusNotFound, "This translation has not been saved yet.")
		return nil, "", nil, false
	}
	return st, lang, t, true
}

func (s *Server) handleRevisions(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.revisionsOf(w, r)
	if !ok {
		return
	}
	revs, err := s.store.Revisions(r.Context(), t.ID)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := revisionsPage{
		deskPage: s.deskPage(r, "Revisions of "+t.Title, "stories"),
		Story:    st, StoryTitle: storyTitle(st), T: t, LangName: serve.LangName(lang),
		FormURL: fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang),
	}
	for i, rv := range revs {
		p.Revisions = append(p.Revisions, revisionRow{ID: rv.ID, SavedAt: deskTime(rv.SavedAt), Title: rv.Title,
			Chars: len([]rune(rv.BodyMarkdown)), Current: i == 0 && sameAsRevision(t, rv)})
	}
	s.render(w, r, http.StatusOK, "revisions.html", p)
}

func sameAsRevision(t *content.Translation, rv *store.Revision) bool {
	return t.Title == rv.Title && t.Teaser == rv.Teaser && t.BodyMarkdown == rv.BodyMarkdown &&
		t.Slug == rv.Slug && slices.Equal(t.Tags, rv.Tags) && t.CoverAlt == rv.CoverAlt
}

func (s *Server) revisionFrom(w http.ResponseWriter, r *http.Request, t *content.Translation) (*store.Revision, bool) {
	id, ok := idParam(r, "rev")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return nil, false
	}
	rv, err := s.store.Revision(r.Context(), t.ID, id)
	if err != nil {
		s.deskFail(w, r, err)
		return nil, false
	}
	return rv, true
}

func (s *Server) handleRevision(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.revisionsOf(w, r)
	if !ok {
		return
	}
	rv, ok := s.revisionFrom(w, r, t)
	if !ok {
		return
	}
	p := revisionPage{
		deskPage: s.deskPage(r, "A revision of "+t.Title, "stories"),
		Story:    st, StoryTitle: storyTitle(st), T: t, LangName: serve.LangName(lang),
		FormURL: fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang),
		Rev:     rv, SavedAt: deskTime(rv.SavedAt), Same: sameAsRevision(t, rv),
	}
	for _, f := range []struct{ name, old, now string }{
		{"Title", rv.Title, t.Title},
		{"Teaser", rv.Teaser, t.Teaser},
		{"Text", rv.BodyMarkdown, t.BodyMarkdown},
		{"Slug", rv.Slug, t.Slug},
		{"Tags", strings.Join(rv.Tags, ", "), strings.Join(t.Tags, ", ")},
		{"Cover image description", rv.CoverAlt, t.CoverAlt},
	} {
		p.Fields = append(p.Fields, fieldDiff{Name: f.name, Changed: f.old != f.now, Lines: content.LineDiff(f.now, f.old)})
	}
	s.render(w, r, http.StatusOK, "revision.html", p)
}

// handleRevisionRestore saves a revision's text as the translation's
// current one, through the same save as the editor's.
func (s *Server) handleRevisionRestore(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.revisionsOf(w, r)
	if !ok {
		return
	}
	rv, ok := s.revisionFrom(w, r, t)
	if !ok {
		return
	}
	restored := *t
	restored.Title, restored.Teaser, restored.BodyMarkdown = rv.Title, rv.Teaser, rv.BodyMarkdown
	restored.Slug, restored.Tags, restored.CoverAlt = rv.Slug, slices.Clone(rv.Tags), rv.CoverAlt
	if err := s.store.SaveTranslation(r.Context(), &restored); err != nil {
		if errs := fieldErrors(err); errs != nil {
			// A slug taken since, for one: the editor shows why, with the
			// restored text in the form, nothing saved.
			s.renderTranslation(w, r, http.StatusUnprocessableEntity, st, lang, translationFormOf(&restored), errs, "")
			return
		}
		s.deskFail(w, r, err)
		return
	}
	msg := "The text of " + deskTime(rv.SavedAt) + " is restored."
	if restored.State == content.StatePublished {
		msg += " Readers see it now, and the fediverse is told of the edit."
	}
	s.flash(r, msg)
	seeOther(w, r, fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang))
}

// handleOutdatedDismiss takes the "out of date" mark off a translation.
func (s *Server) handleOutdatedDismiss(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.revisionsOf(w, r)
	if !ok {
		return
	}
	if err := s.store.DismissOutdated(r.Context(), t.ID); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Marked as following the original.")
	seeOther(w, r, fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang))
}

// outdatedSince returns when the original of story st changed after its
// translation in lang was last saved or dismissed, or the zero time.
func (s *Server) outdatedSince(r *http.Request, st *content.Story, lang string) (time.Time, string) {
	orig := originalTranslation(st)
	if orig == nil || orig.Lang == lang {
		return time.Time{}, ""
	}
	marks, err := s.store.OutdatedTranslations(r.Context(), st.ID, orig.Lang)
	if err != nil {
		s.logger.Warn("reading outdated translations", "err", err)
		return time.Time{}, ""
	}
	return marks[lang], orig.Lang
}
