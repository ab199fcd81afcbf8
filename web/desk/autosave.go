package desk

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"samizdat/content"
)

// Autosave: the editors' script (static/editor.js) sends the story or page
// form every few seconds while it changes, and once more when the page is
// left, to /desk/autosave. The copy is kept apart from the text readers
// see (store.Autosave) until the form is saved; the editor offers it back
// when it is newer than the saved text. Without the script the forms work
// as before, without the copies.

// autosaveKey names a form: "story/{id}/{lang}" or "page/{id}/{lang}",
// or "story/new", the form of a story not created yet.
var autosaveKey = regexp.MustCompile(`^((story|page)/[1-9][0-9]{0,18}/[a-z]{2,3}|story/new)$`)

// autosaveFields are the fields a copy keeps.
var autosaveFields = []string{"title", "teaser", "body", "slug", "tags", "cover_alt", "byline_kind", "byline_name", "lang"}

// autosavePath is the editor of the form key.
func autosavePath(key string) string {
	return "/desk/" + strings.Replace(strings.Replace(key, "story/", "stories/", 1), "page/", "pages/", 1)
}

// autosaveView is the offer of a copy on an editor.
type autosaveView struct {
	SavedAt    string
	RestoreURL string
	Key        string
	Back       string
}

func (s *Server) handleAutosave(w http.ResponseWriter, r *http.Request) {
	key := r.PostFormValue("key")
	m := staffFrom(r.Context())
	if !autosaveKey.MatchString(key) || m == nil {
		http.Error(w, "bad autosave", http.StatusBadRequest)
		return
	}
	fields := map[string]string{}
	for _, f := range autosaveFields {
		if v, ok := r.PostForm[f]; ok && len(v) > 0 {
			// Kept as typed, minus what is not text, which jsonb refuses;
			// the form's own check speaks about it on saving.
			fields[f] = strings.ToValidUTF8(strings.ReplaceAll(v[0], "\x00", ""), "\uFFFD")
		}
	}
	if len(fields) == 0 {
		http.Error(w, "nothing to keep", http.StatusBadRequest)
		return
	}
	if err := s.store.SaveAutosave(r.Context(), m.ID, key, fields); err != nil {
		s.logger.Error("autosave", "err", err)
		http.Error(w, "not saved", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAutosaveDiscard forgets a copy and goes back to its editor.
func (s *Server) handleAutosaveDiscard(w http.ResponseWriter, r *http.Request) {
	key := r.PostFormValue("key")
	if !autosaveKey.MatchString(key) {
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	if err := s.store.DeleteAutosave(r.Context(), staffFrom(r.Context()).ID, key); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The unsaved copy is discarded.")
	seeOther(w, r, autosavePath(key))
}

// findAutosave returns the signed-in member's copy of form key when it is
// newer than updated (zero for a form not saved yet), or nil.
func (s *Server) findAutosave(r *http.Request, key string, updatedUnix int64) (map[string]string, *autosaveView) {
	m := staffFrom(r.Context())
	if m == nil {
		return nil, nil
	}
	a, err := s.store.Autosave(r.Context(), m.ID, key)
	if errors.Is(err, content.ErrNotFound) || (err == nil && a.SavedAt.Unix() <= updatedUnix) {
		return nil, nil
	}
	if err != nil {
		s.logger.Warn("reading an autosave", "err", err)
		return nil, nil
	}
	path := autosavePath(key)
	return a.Fields, &autosaveView{SavedAt: deskTime(a.SavedAt), RestoreURL: path + "?restore=1", Key: key, Back: path}
}
