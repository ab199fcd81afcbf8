package web

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/clientaddr"
	"samizdat/web/internal/serve"
)

// Remote interaction (docs/federation.md#remote-interaction-templates,
// #remote-interaction-without-templates):
// "Reply from your instance" on story pages and "Follow" on story and section
// pages. The reader types their address; Config.Interact finds their instance's
// interaction page and we send them there with a 303. When it finds none
// (GoToSocial publishes none) or cannot be reached, the reader gets the address
// to paste into their app's search instead. The form is public: it needs no
// cookie and no CSRF token, because it changes nothing here, and what the
// reader types is neither stored nor logged: only the method and path of
// requests are.
//
// The Content-Security-Policy has no form-action directive on purpose:
// Chromium applies form-action to the redirects that follow a form's
// submission, so a policy of 'self' would block the 303 to the reader's
// instance.

// Limits on the interaction form: a small body, and a cap on lookups per
// client so the form cannot be used to make this server knock on many
// other servers' doors. Past the cap, readers get the paste page, which
// needs no lookup.
const (
	maxInteractBody = 4 << 10
	interactPerHour = 30
)

// interactForm is the data of the "interact-form" partial.
type interactForm struct {
	Lang   string
	ID     string // the address field's id, unique on the page
	Follow bool   // follow the language actor; otherwise answer Story
	Story  string // the slug of the translation to answer
	Handle string // the language actor's handle, for the follow label
	Value  string // what the reader typed, kept after an error
	Error  string
}

// FollowForm is the follow form of a page in a section with a language
// actor, or nil (list.html shows it on section, tag and byline pages).
func (p page) FollowForm() *interactForm {
	if p.Handle == "" {
		return nil
	}
	return &interactForm{Lang: p.Lang, ID: "follow-address", Follow: true, Handle: p.Handle}
}

// interactPage is the data of interact.html: where to go when we could not
// send the reader to their instance, or what to correct.
type interactPage struct {
	page
	Follow  bool
	Form    interactForm
	Paste   string // the address to paste into the reader's app
	Also    string // another address that works too (the story's page)
	BackURL string
	Failed  bool // the form was filled in but no interaction page was found
}

// handleInteract answers the interaction forms.
func (s *Server) handleInteract(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	check, err := serve.ReadForm(w, r, maxInteractBody, maxInteractBody)
	if err != nil {
		s.errorStatus(w, r, http.StatusBadRequest)
		return
	}
	follow := r.PostFormValue("intent") == "follow"
	input := r.PostFormValue("address")
	p := interactPage{page: s.newPage(r, lang), Follow: follow, BackURL: "/" + lang + "/"}
	p.NoIndex = true
	p.Form = interactForm{Lang: lang, ID: "interact-address", Follow: follow, Value: input}
	var target string
	if follow {
		if s.cfg.ActorURL == nil || s.cfg.ActorHandle == nil {
			s.notFound(w, r)
			return
		}
		target = s.cfg.ActorURL(lang)
		p.Paste, p.Also = s.cfg.ActorHandle(lang), target
		p.Form.Handle = p.Paste
		p.Title = T(lang, "interact.follow.title")
	} else {
		slug := r.PostFormValue("story")
		t, err := s.store.TranslationBySlug(r.Context(), lang, slug)
		if err != nil && !errors.Is(err, content.ErrNotFound) {
			s.error(w, r, err)
			return
		}
		if err != nil || publicStatus(t) != http.StatusOK || s.cfg.ArticleIRI == nil || t.ObjectKey == "" {
			s.notFound(w, r)
			return
		}
		target = s.cfg.ArticleIRI(t.ObjectKey)
		p.Paste, p.Also, p.BackURL = target, s.absURL(storyURL(lang, t.Slug)), storyURL(lang, t.Slug)
		p.Form.Story = t.Slug
		p.Title = T(lang, "interact.reply.title")
	}

	if !check.OK() {
		p.Form.Error = T(lang, "interact.err.invalid")
		s.render(w, r, check.Status(), "interact.html", p)
		return
	}
	if s.cfg.Interact == nil || !s.limits.interact.Allow(clientaddr.Key(r)) {
		s.render(w, r, http.StatusOK, "interact.html", p)
		return
	}
	dest, err := s.cfg.Interact(r.Context(), input, target, follow)
	var ve *content.ValidationError
	if errors.As(err, &ve) {
		p.Form.Error = T(lang, "interact.err.address")
		s.render(w, r, http.StatusBadRequest, "interact.html", p)
		return
	}
	if err != nil || dest == "" {
		// Not logged: the error names the reader's instance.
		p.Failed = true
		s.render(w, r, http.StatusOK, "interact.html", p)
		return
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}
