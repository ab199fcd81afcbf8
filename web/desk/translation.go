package desk

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// translationForm is a translation's text as typed in the editor. It keeps
// what was typed (tags as one string, too) so that a form sent back with an
// error shows exactly that.
type translationForm struct {
	Title    string
	Teaser   string
	Body     string
	Slug     string
	Tags     string
	CoverAlt string
}

func translationFormFrom(r *http.Request) translationForm {
	return translationForm{
		Title:    r.PostFormValue("title"),
		Teaser:   r.PostFormValue("teaser"),
		Body:     r.PostFormValue("body"),
		Slug:     r.PostFormValue("slug"),
		Tags:     r.PostFormValue("tags"),
		CoverAlt: r.PostFormValue("cover_alt"),
	}
}

func translationFormOf(t *content.Translation) translationForm {
	return translationForm{
		Title:    t.Title,
		Teaser:   t.Teaser,
		Body:     t.BodyMarkdown,
		Slug:     t.Slug,
		Tags:     strings.Join(t.Tags, ", "),
		CoverAlt: t.CoverAlt,
	}
}

// apply copies the form into a translation. Browsers send textarea line
// breaks as CRLF; the Markdown is kept with plain LF.
func (f translationForm) apply(t *content.Translation) {
	t.Title = f.Title
	t.Teaser = f.Teaser
	t.BodyMarkdown = strings.ReplaceAll(f.Body, "\r\n", "\n")
	t.Slug = f.Slug
	t.Tags = content.SplitTags(f.Tags)
	t.CoverAlt = f.CoverAlt
}

// translationPage is the data of templates/translation.html: the editor for one
// language of a story, with the original beside it and the state actions.
type translationPage struct {
	deskPage
	Story      *content.Story
	StoryTitle string
	StoryLang  string
	Lang       string
	LangName   string
	Current    *content.Translation // as saved; nil for a new translation
	T          translationForm
	Errors     formErrors
	FormURL    string
	Original   *originalView
	Compare    []compareLink // other languages to show beside this one
	Actions    []stateAction
	PublishAt  string // the schedule field's value, "2006-01-02T15:04" in UTC
	NowUTC     string
	When       string
	PublicURL  string
	// AutosaveKey names the form for the autosave script; Autosave offers
	// back a copy newer than the saved text (autosave.go).
	AutosaveKey string
	Autosave    *autosaveView
	// Outdated is when the original changed after this translation was
	// last saved (revision.go); "" when it follows the original.
	Outdated     string
	OriginalName string
}

// originalView is the translation shown beside the one being edited.
type originalView struct {
	Lang     string
	Name     string
	Title    string
	Teaser   string
	BodyHTML template.HTML // rendered by content.RenderMarkdown when saved
}

type compareLink struct {
	Name    string
	URL     string
	Current bool
}

// stateAction is a button that moves a translation to another state.
type stateAction struct {
	Action   string // the form's action value
	Label    string
	Schedule bool // asks for a time
	Danger   bool
}

// deskTranslation loads the story and checks the {lang} route parameter; t is
// the story's translation in lang, nil when it has none yet.
func (s *Server) deskTranslation(w http.ResponseWriter, r *http.Request) (st *content.Story, lang string, t *content.Translation, ok bool) {
	st, ok = s.deskStory(w, r)
	if !ok {
		return nil, "", nil, false
	}
	lang = chi.URLParam(r, "lang")
	if !s.hasLang(lang) {
		s.deskError(w, r, http.StatusNotFound, "The publication has no language "+lang+".")
		return nil, "", nil, false
	}
	return st, lang, st.Translation(lang), true
}

func (s *Server) handleTranslationEdit(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.deskTranslation(w, r)
	if !ok {
		return
	}
	f := translationForm{}
	var updated int64
	if t != nil {
		f, updated = translationFormOf(t), t.UpdatedAt.Unix()
	}
	fields, offer := s.findAutosave(r, autosaveKeyOf("story", st.ID, lang), updated)
	if offer != nil && r.URL.Query().Get("restore") == "1" {
		f = translationForm{Title: fields["title"], Teaser: fields["teaser"], Body: fields["body"], Slug: fields["slug"], Tags: fields["tags"], CoverAlt: fields["cover_alt"]}
		offer = nil
	}
	s.renderTranslation(w, r, http.StatusOK, st, lang, f, nil, "", offer)
}

// autosaveKeyOf names a story's or a page's form in one language.
func autosaveKeyOf(kind string, id int64, lang string) string {
	return fmt.Sprintf("%s/%d/%s", kind, id, lang)
}

// renderTranslation shows the editor. publishAt is the schedule field as
// typed, kept when a schedule is refused.
func (s *Server) renderTranslation(w http.ResponseWriter, r *http.Request, status int, st *content.Story, lang string, f translationForm, errs map[string]string, publishAt string, offer ...*autosaveView) {
	t := st.Translation(lang)
	title := "New " + serve.LangName(lang) + " translation"
	if t != nil {
		title = t.Title + " (" + serve.LangName(lang) + ")"
	}
	compareWith := r.FormValue("original")
	p := translationPage{
		deskPage:    s.deskPage(r, title, "stories"),
		Story:       st,
		StoryTitle:  storyTitle(st),
		StoryLang:   storyLang(st),
		Lang:        lang,
		LangName:    serve.LangName(lang),
		Current:     t,
		T:           f,
		Errors:      errs,
		FormURL:     fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang),
		PublishAt:   publishAt,
		NowUTC:      deskTime(s.cfg.Now()),
		AutosaveKey: autosaveKeyOf("story", st.ID, lang),
	}
	if len(offer) > 0 {
		p.Autosave = offer[0]
	}
	if t != nil {
		if at, origLang := s.outdatedSince(r, st, lang); !at.IsZero() {
			p.Outdated, p.OriginalName = deskTime(at), serve.LangName(origLang)
		}
	}
	orig := pickOriginal(st, lang, compareWith)
	for _, o := range st.Translations {
		if o.Lang == lang {
			continue
		}
		p.Compare = append(p.Compare, compareLink{
			Name:    serve.LangName(o.Lang),
			URL:     p.FormURL + "?original=" + url.QueryEscape(o.Lang),
			Current: orig != nil && orig.Lang == o.Lang,
		})
	}
	if orig != nil {
		p.Original = &originalView{Lang: orig.Lang, Name: serve.LangName(orig.Lang), Title: orig.Title, Teaser: orig.Teaser, BodyHTML: template.HTML(orig.BodyHTML)}
	}
	if t != nil {
		p.Actions = stateActions(t.State)
		p.When = stateTime(t)
		if t.State == content.StatePublished {
			p.PublicURL = "/" + lang + "/stories/" + t.Slug
		}
		if p.PublishAt == "" && !t.PublishAt.IsZero() {
			p.PublishAt = t.PublishAt.UTC().Format(datetimeLocal)
		}
	}
	s.render(w, r, status, "translation.html", p)
}

// pickOriginal chooses the translation to show beside lang's: the one asked
// for, or else the story's first translation, unless that is lang itself.
func pickOriginal(st *content.Story, lang, want string) *content.Translation {
	if want != "" && want != lang {
		if t := st.Translation(want); t != nil {
			return t
		}
	}
	if o := originalTranslation(st); o != nil && o.Lang != lang {
		return o
	}
	return nil
}

// stateActions lists what an editor may do with a translation in state from,
// following content.CanTransition.
func stateActions(from content.State) []stateAction {
	var out []stateAction
	if content.CanTransition(from, content.StatePublished) {
		label := "Publish now"
		if from == content.StateWithdrawn {
			label = "Publish again"
		}
		out = append(out, stateAction{Action: "publish", Label: label})
	}
	if content.CanTransition(from, content.StateScheduled) {
		label := "Schedule"
		if from == content.StateScheduled {
			label = "Reschedule"
		}
		out = append(out, stateAction{Action: "schedule", Label: label, Schedule: true})
	}
	if content.CanTransition(from, content.StateDraft) {
		a := stateAction{Action: "draft", Label: "Back to draft"}
		if from == content.StateScheduled {
			a = stateAction{Action: "unschedule", Label: "Unschedule (back to draft)"}
		}
		out = append(out, a)
	}
	if content.CanTransition(from, content.StateWithdrawn) {
		out = append(out, stateAction{Action: "withdraw", Label: "Withdraw", Danger: true})
	}
	return out
}

// handleTranslationSave saves the text of a translation, creating it as a
// draft when the story has none in this language yet.
func (s *Server) handleTranslationSave(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.deskTranslation(w, r)
	if !ok {
		return
	}
	f := translationFormFrom(r)
	created := t == nil
	if created {
		t = &content.Translation{StoryID: st.ID, Lang: lang}
	} else {
		saved := *t
		t = &saved // keep the story's copy as it is saved, for the form's other parts
	}
	f.apply(t)
	if err := s.store.SaveTranslation(r.Context(), t); err != nil {
		if errs := fieldErrors(err); errs != nil {
			s.renderTranslation(w, r, http.StatusUnprocessableEntity, st, lang, f, errs, "")
			return
		}
		s.deskFail(w, r, err)
		return
	}
	if err := s.store.DeleteAutosave(r.Context(), staffFrom(r.Context()).ID, autosaveKeyOf("story", st.ID, lang)); err != nil {
		s.logger.Warn("forgetting an autosave", "err", err)
	}
	msg := "Saved."
	switch {
	case created:
		msg = "The " + serve.LangName(lang) + " translation is created as a draft."
	case t.State == content.StatePublished:
		msg = "Saved. Readers see the new text now."
	}
	s.flash(r, msg)
	seeOther(w, r, s.translationURL(st.ID, lang, r.PostFormValue("original")))
}

func (s *Server) translationURL(storyID int64, lang, original string) string {
	u := fmt.Sprintf("/desk/stories/%d/%s", storyID, lang)
	if original != "" && s.hasLang(original) {
		u += "?original=" + original
	}
	return u
}

// datetimeLocal is the format of an <input type=datetime-local> value.
const datetimeLocal = "2006-01-02T15:04"

// handleTranslationState publishes, schedules, unschedules or withdraws a
// translation. A move content.CanTransition does not allow comes back as the
// store's message on the editor.
func (s *Server) handleTranslationState(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.deskTranslation(w, r)
	if !ok {
		return
	}
	if t == nil {
		s.deskError(w, r, http.StatusNotFound, "Save the translation before publishing it.")
		return
	}
	var to content.State
	var publishAt time.Time
	typed := r.PostFormValue("publish_at")
	msg := ""
	switch r.PostFormValue("action") {
	case "publish":
		to, msg = content.StatePublished, "Published."
	case "schedule":
		to = content.StateScheduled
		at, err := parseScheduleTime(typed)
		if err != nil {
			s.renderTranslation(w, r, http.StatusUnprocessableEntity, st, lang, translationFormOf(t),
				map[string]string{"publish_at": "Give a date and a time, such as 2026-12-01 09:30 (UTC)."}, typed)
			return
		}
		publishAt, msg = at, "Scheduled for "+deskTime(at)+"."
	case "unschedule", "draft":
		to, msg = content.StateDraft, "Back to draft: readers do not see it."
	case "withdraw":
		// Withdrawing reaches every follower's instance and cannot be
		// taken back there: it is asked a second time, on a page of its
		// own (handleWithdrawConfirm), never through a script's confirm().
		if r.PostFormValue("confirm") != "yes" {
			seeOther(w, r, fmt.Sprintf("/desk/stories/%d/%s/withdraw", st.ID, lang))
			return
		}
		to, msg = content.StateWithdrawn, "Withdrawn: readers no longer see it."
	default:
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	if _, err := s.store.SetTranslationState(r.Context(), t.ID, to, publishAt); err != nil {
		if errs := fieldErrors(err); errs != nil {
			s.renderTranslation(w, r, http.StatusUnprocessableEntity, st, lang, translationFormOf(t), errs, typed)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, msg)
	seeOther(w, r, s.translationURL(st.ID, lang, r.PostFormValue("original")))
}

// parseScheduleTime reads a datetime-local value as UTC, with or without
// seconds.
func parseScheduleTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	t, err := time.ParseInLocation(datetimeLocal, v, time.UTC)
	if err != nil {
		t, err = time.ParseInLocation(datetimeLocal+":05", v, time.UTC)
	}
	return t, err
}

// handleTranslationPreview shows the translation as typed, not saved, on the
// public story page's own template, so the editor sees exactly what readers
// will. Nothing is written.
func (s *Server) handleTranslationPreview(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.deskTranslation(w, r)
	if !ok {
		return
	}
	preview := &content.Translation{StoryID: st.ID, Lang: lang, State: content.StateDraft}
	if t != nil {
		*preview = *t
	}
	translationFormFrom(r).apply(preview)
	preview.Normalize()
	if s.cfg.Preview == nil {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	if err := s.cfg.Preview(w, r, st, preview); err != nil {
		s.deskFail(w, r, err)
	}
}

// withdrawPage is the data of templates/withdraw.html, the second step of
// withdrawing a translation.
type withdrawPage struct {
	deskPage
	Story      *content.Story
	StoryTitle string
	T          *content.Translation
	LangName   string
	FormURL    string
	Federated  bool // it was published as an Article, so instances are told
}

func (s *Server) handleWithdrawConfirm(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.deskTranslation(w, r)
	if !ok {
		return
	}
	if t == nil || !content.CanTransition(t.State, content.StateWithdrawn) {
		s.deskError(w, r, http.StatusConflict, "Only a published translation can be withdrawn.")
		return
	}
	p := withdrawPage{
		deskPage:   s.deskPage(r, "Withdraw "+t.Title+"?", "stories"),
		Story:      st,
		StoryTitle: storyTitle(st),
		T:          t,
		LangName:   serve.LangName(lang),
		FormURL:    fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang),
		Federated:  t.ObjectKey != "",
	}
	s.render(w, r, http.StatusOK, "withdraw.html", p)
}
