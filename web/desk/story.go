package desk

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/picture"
	"samizdat/web/internal/serve"
)

const storiesPerPage = 50

// storyListPage is the data of templates/stories.html.
type storyListPage struct {
	deskPage
	State   content.State // the filter; "" for all
	Tabs    []stateTab
	Stories []storyRow
	PrevURL string
	NextURL string
}

type stateTab struct {
	Label   string
	URL     string
	Current bool
}

// storyRow is one story in the desk's list.
type storyRow struct {
	ID           int64
	Title        string
	Lang         string // the title's
	Byline       string
	Updated      string
	Translations []translationBadge
}

// translationBadge is a translation's language and state, as lists show it.
type translationBadge struct {
	Lang  string
	Name  string
	State content.State
}

func (s *Server) handleStoryList(w http.ResponseWriter, r *http.Request) {
	state := content.State(r.URL.Query().Get("state"))
	if !state.Valid() {
		state = ""
	}
	n := pageParam(r)
	stories, err := s.store.Stories(r.Context(), store.StoryFilter{State: state, Limit: storiesPerPage + 1, Offset: (n - 1) * storiesPerPage})
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := storyListPage{deskPage: s.deskPage(r, "Stories", "stories"), State: state}
	p.Tabs = append(p.Tabs, stateTab{Label: "All", URL: "/desk/stories/", Current: state == ""})
	for _, st := range content.States {
		p.Tabs = append(p.Tabs, stateTab{Label: stateLabel(st), URL: "/desk/stories/?state=" + string(st), Current: state == st})
	}
	listURL := func(page int) string {
		u := fmt.Sprintf("/desk/stories/?page=%d", page)
		if state != "" {
			u += "&state=" + string(state)
		}
		return u
	}
	if len(stories) > storiesPerPage {
		stories = stories[:storiesPerPage]
		p.NextURL = listURL(n + 1)
	}
	if n > 1 {
		p.PrevURL = listURL(n - 1)
	}
	for _, st := range stories {
		row := storyRow{ID: st.ID, Title: storyTitle(st), Lang: storyLang(st), Byline: bylineText(st), Updated: deskTime(st.UpdatedAt)}
		for _, t := range st.Translations {
			row.Translations = append(row.Translations, translationBadge{Lang: t.Lang, Name: serve.LangName(t.Lang), State: t.State})
		}
		p.Stories = append(p.Stories, row)
	}
	s.render(w, r, http.StatusOK, "stories.html", p)
}

// bylineForm is the byline as typed in a form.
type bylineForm struct {
	Kind string
	Name string
}

func bylineFormFrom(r *http.Request) bylineForm {
	return bylineForm{Kind: r.PostFormValue("byline_kind"), Name: r.PostFormValue("byline_name")}
}

// bylineChoice is one way to credit a story, as forms offer it.
type bylineChoice struct {
	Kind  content.BylineKind
	Label string
	Hint  string
}

// bylineKinds are the byline choices, in the order forms offer them.
var bylineKinds = []bylineChoice{
	{content.BylinePublication, "The publication", "No personal name: the story is signed by the publication."},
	{content.BylineName, "A person, by name", ""},
	{content.BylinePseudonym, "A pseudonym", "Protects the author: the real name is never shown."},
}

// storyNewPage is the data of templates/story_new.html.
type storyNewPage struct {
	deskPage
	Byline      bylineForm
	BylineKinds []bylineChoice
	Lang        string
	Languages   []languageLink
	T           translationForm
	Errors      formErrors
	Autosave    *autosaveView // a copy of a new story being typed (autosave.go)
}

func (s *Server) handleStoryNew(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if !s.hasLang(lang) {
		lang = s.cfg.Languages[0]
	}
	b, t := bylineForm{Kind: string(content.BylinePublication)}, translationForm{}
	fields, offer := s.findAutosave(r, "story/new", 0)
	if offer != nil && r.URL.Query().Get("restore") == "1" {
		b = bylineForm{Kind: fields["byline_kind"], Name: fields["byline_name"]}
		t = translationForm{Title: fields["title"], Teaser: fields["teaser"], Body: fields["body"], Slug: fields["slug"], Tags: fields["tags"], CoverAlt: fields["cover_alt"]}
		if s.hasLang(fields["lang"]) {
			lang = fields["lang"]
		}
		offer = nil
	}
	s.renderStoryNew(w, r, http.StatusOK, b, lang, t, nil, offer)
}

func (s *Server) renderStoryNew(w http.ResponseWriter, r *http.Request, status int, b bylineForm, lang string, t translationForm, errs map[string]string, offer ...*autosaveView) {
	p := storyNewPage{deskPage: s.deskPage(r, "New story", "stories"), Byline: b, BylineKinds: bylineKinds, Lang: lang, T: t, Errors: errs}
	if len(offer) > 0 {
		p.Autosave = offer[0]
	}
	for _, l := range s.cfg.Languages {
		p.Languages = append(p.Languages, languageLink{Lang: l, Name: serve.LangName(l)})
	}
	s.render(w, r, status, "story_new.html", p)
}

// handleStoryCreate creates a story with its first translation, as a draft.
func (s *Server) handleStoryCreate(w http.ResponseWriter, r *http.Request) {
	b := bylineFormFrom(r)
	lang := r.PostFormValue("lang")
	tf := translationFormFrom(r)
	st := &content.Story{BylineKind: content.BylineKind(b.Kind), BylineName: b.Name}
	t := &content.Translation{Lang: lang}
	tf.apply(t)
	if !s.hasLang(lang) {
		t.Lang = "" // refused by validation, with every other problem
	}
	if err := s.store.CreateStoryWithTranslation(r.Context(), st, t); err != nil {
		if errs := fieldErrors(err); errs != nil {
			s.renderStoryNew(w, r, http.StatusUnprocessableEntity, b, lang, tf, errs)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	if err := s.store.DeleteAutosave(r.Context(), staffFrom(r.Context()).ID, "story/new"); err != nil {
		s.logger.Warn("forgetting an autosave", "err", err)
	}
	s.flash(r, fmt.Sprintf("The story is created as a draft in %s.", serve.LangName(lang)))
	seeOther(w, r, fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang))
}

// storyEditPage is the data of templates/story.html: the story's own fields and
// its languages.
type storyEditPage struct {
	deskPage
	Story       *content.Story
	TitleLang   string
	Byline      bylineForm
	BylineKinds []bylineChoice
	CoverURL    string
	CoverWidth  int // 0 for a cover stored before its size was in its name
	CoverHeight int
	CoverAlts   []coverAlt
	Languages   []languageRow
	Errors      formErrors
}

// coverAlt is the cover image's description in one translation.
type coverAlt struct {
	Field string
	Lang  string
	Name  string
	Value string
}

// languageRow is one configured language on a story's page.
type languageRow struct {
	Lang      string
	Name      string
	T         *content.Translation // nil when the story has no translation in it yet
	When      string               // when it was or will be published
	PublicURL string
	Outdated  bool // the original changed after it was last saved
}

// storyForm is what the story page's forms hold when they come back with an
// error: the byline and the image descriptions as typed.
type storyForm struct {
	Byline bylineForm
	Alts   map[string]string // by language
}

func storyFormFromStory(st *content.Story) storyForm {
	f := storyForm{Byline: bylineForm{Kind: string(st.BylineKind), Name: st.BylineName}, Alts: map[string]string{}}
	for _, t := range st.Translations {
		f.Alts[t.Lang] = t.CoverAlt
	}
	return f
}

// deskStory loads the story named by the {id} route parameter, answering
// 404 itself when there is none.
func (s *Server) deskStory(w http.ResponseWriter, r *http.Request) (*content.Story, bool) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return nil, false
	}
	st, err := s.store.Story(r.Context(), id)
	if err != nil {
		s.deskFail(w, r, err)
		return nil, false
	}
	return st, true
}

func (s *Server) handleStoryEdit(w http.ResponseWriter, r *http.Request) {
	st, ok := s.deskStory(w, r)
	if !ok {
		return
	}
	s.renderStoryEdit(w, r, http.StatusOK, st, storyFormFromStory(st), nil)
}

func (s *Server) renderStoryEdit(w http.ResponseWriter, r *http.Request, status int, st *content.Story, f storyForm, errs map[string]string) {
	p := storyEditPage{
		deskPage:    s.deskPage(r, storyTitle(st), "stories"),
		Story:       st,
		TitleLang:   storyLang(st),
		Byline:      f.Byline,
		BylineKinds: bylineKinds,
		Errors:      errs,
	}
	if st.CoverImage != "" {
		p.CoverURL = serve.MediaPath(st.CoverImage)
		if n, ok := picture.Parse(st.CoverImage); ok {
			p.CoverWidth, p.CoverHeight = n.Width, n.Height
		}
	}
	for _, t := range st.Translations {
		p.CoverAlts = append(p.CoverAlts, coverAlt{Field: "cover_alt_" + t.Lang, Lang: t.Lang, Name: serve.LangName(t.Lang), Value: f.Alts[t.Lang]})
	}
	var outdated map[string]time.Time
	if orig := originalTranslation(st); orig != nil {
		var err error
		if outdated, err = s.store.OutdatedTranslations(r.Context(), st.ID, orig.Lang); err != nil {
			s.logger.Warn("reading outdated translations", "err", err)
		}
	}
	for _, l := range s.cfg.Languages {
		row := languageRow{Lang: l, Name: serve.LangName(l), T: st.Translation(l), Outdated: !outdated[l].IsZero()}
		if row.T != nil {
			row.When = stateTime(row.T)
			if row.T.State == content.StatePublished {
				row.PublicURL = "/" + l + "/stories/" + row.T.Slug
			}
		}
		p.Languages = append(p.Languages, row)
	}
	s.render(w, r, status, "story.html", p)
}

// handleStoryUpdate saves the story's byline.
func (s *Server) handleStoryUpdate(w http.ResponseWriter, r *http.Request) {
	st, ok := s.deskStory(w, r)
	if !ok {
		return
	}
	f := storyFormFromStory(st)
	f.Byline = bylineFormFrom(r)
	st.BylineKind, st.BylineName = content.BylineKind(f.Byline.Kind), f.Byline.Name
	if err := s.store.UpdateStory(r.Context(), st); err != nil {
		if errs := fieldErrors(err); errs != nil {
			s.renderStoryEdit(w, r, http.StatusUnprocessableEntity, st, f, errs)
			return
		}
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The byline is saved.")
	seeOther(w, r, fmt.Sprintf("/desk/stories/%d", st.ID))
}

// handleStoryPin pins a story to the language actors' featured collections
// (their profiles' pinned posts) or unpins it.
func (s *Server) handleStoryPin(w http.ResponseWriter, r *http.Request) {
	st, ok := s.deskStory(w, r)
	if !ok {
		return
	}
	st.Pinned = r.PostFormValue("pinned") == "on"
	if err := s.store.UpdateStory(r.Context(), st); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if st.Pinned {
		s.flash(r, "The story is pinned to the fediverse profiles.")
	} else {
		s.flash(r, "The story is no longer pinned.")
	}
	seeOther(w, r, fmt.Sprintf("/desk/stories/%d", st.ID))
}

// originalTranslation is the story's first translation, the one the others
// are translated from; nil when it has none.
func originalTranslation(st *content.Story) *content.Translation {
	if len(st.Translations) == 0 {
		return nil
	}
	return slices.MinFunc(st.Translations, func(a, b *content.Translation) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
}

// storyTitle names a story in the desk by its original title.
func storyTitle(st *content.Story) string {
	if t := originalTranslation(st); t != nil && t.Title != "" {
		return t.Title
	}
	return fmt.Sprintf("Story %d", st.ID)
}

// storyLang is the language of the story's original title, or English, the
// desk's, when it has none.
func storyLang(st *content.Story) string {
	if t := originalTranslation(st); t != nil {
		return t.Lang
	}
	return "en"
}

func bylineText(st *content.Story) string {
	switch st.BylineKind {
	case content.BylinePublication:
		return "The publication"
	case content.BylinePseudonym:
		return st.BylineName + " (pseudonym)"
	}
	return st.BylineName
}

func stateLabel(st content.State) string { return capitalize(string(st)) }

// capitalize upper-cases the first letter of an ASCII word such as a state
// or a role.
func capitalize(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stateTime says when a translation was or will be published.
func stateTime(t *content.Translation) string {
	switch t.State {
	case content.StateScheduled:
		return "for " + deskTime(t.PublishAt)
	case content.StatePublished, content.StateWithdrawn:
		return "published " + deskTime(t.PublishedAt)
	}
	return ""
}

// deskTime writes a time for staff: always in UTC, and said so, since the
// desk's schedule form is in UTC too.
func deskTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}
