package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/clientaddr"
	"samizdat/web/internal/serve"
)

// "Tell your story": a form anyone may send a story through. It keeps only
// what the sender types: no address, no browser, nothing in the logs.

// Bots are slowed by a hidden field that people leave empty and by a limit
// on how often one sender may submit.
const (
	tellHoneypot = "website"
	tellLimit    = 5
	tellPer      = time.Hour
	// Room for a story of 50,000 characters in any script, each
	// percent-encoded (up to 12 bytes a character), and the other fields.
	tellBodyLimit = 1 << 20
)

// tellPage is the data of tell.html.
type tellPage struct {
	page
	Form      tellForm
	Errors    map[string]string // field → message in the page's language
	FormError string            // a message about the whole form
	Sent      bool
}

// tellForm is what the sender typed, kept as typed so that nothing is lost
// when the form comes back with an error.
type tellForm struct {
	Story   string
	Name    string
	Contact string
	Lang    string
	Consent bool
}

func (s *Server) newTellPage(r *http.Request, lang string) tellPage {
	p := tellPage{page: s.newPage(r, lang), Form: tellForm{Lang: lang}}
	p.Title = T(lang, "tell.title")
	p.Description = T(lang, "tell.intro")
	p.switchTo(func(l string) string { return "/" + l + "/tell" })
	return p
}

// handleTellForm shows the form, or the thanks after a story was sent.
func (s *Server) handleTellForm(w http.ResponseWriter, r *http.Request) {
	p := s.newTellPage(r, chi.URLParam(r, "lang"))
	if r.URL.Query().Get("sent") == "1" {
		p.Sent = true
		p.Title = T(p.Lang, "tell.sent.title")
		p.NoIndex = true
	} else {
		p.Canonical = s.absURL("/" + p.Lang + "/tell")
	}
	s.render(w, r, http.StatusOK, "tell.html", p)
}

// handleTellSubmit checks and stores a story, then sends the sender to the
// thanks (POST-redirect-GET). A filled honeypot gets the same thanks and
// stores nothing.
func (s *Server) handleTellSubmit(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	check, err := serve.ReadForm(w, r, tellBodyLimit, tellBodyLimit)
	if err != nil {
		s.errorStatus(w, r, http.StatusBadRequest)
		return
	}
	sent := "/" + lang + "/tell?sent=1"
	if r.PostForm.Get(tellHoneypot) != "" {
		http.Redirect(w, r, sent, http.StatusSeeOther)
		return
	}
	p := s.newTellPage(r, lang)
	p.Form = tellForm{
		Story:   r.PostForm.Get("story"),
		Name:    r.PostForm.Get("name"),
		Contact: r.PostForm.Get("contact"),
		Lang:    r.PostForm.Get("story_lang"),
		Consent: r.PostForm.Get("consent") == "yes",
	}
	if !check.OK() {
		// Nothing is stored; what could be read goes back into the form.
		p.Errors = map[string]string{}
		for _, field := range check.BadText {
			if field == "story" || field == "name" || field == "contact" {
				p.Errors[field] = T(lang, "tell.err.invalid_text")
			}
		}
		switch {
		case check.TooLarge:
			p.FormError = T(lang, "tell.err.too_large")
		case check.Malformed || len(p.Errors) == 0:
			p.FormError = T(lang, "tell.err.malformed")
		default:
			p.FormError = T(lang, "tell.errors")
		}
		s.render(w, r, check.Status(), "tell.html", p)
		return
	}
	sub := &content.Submission{Lang: p.Form.Lang, Story: p.Form.Story, Name: p.Form.Name, Contact: p.Form.Contact}
	p.Errors = map[string]string{}
	var ve *content.ValidationError
	if err := sub.Validate(); errors.As(err, &ve) {
		for field, key := range ve.Fields {
			p.Errors[field] = T(lang, "tell.err."+key)
		}
	}
	if !s.hasLang(p.Form.Lang) {
		p.Errors["lang"] = T(lang, "tell.err.lang_invalid")
	}
	if !p.Form.Consent {
		p.Errors["consent"] = T(lang, "tell.err.consent_required")
	}
	if len(p.Errors) > 0 {
		p.FormError = T(lang, "tell.errors")
		s.render(w, r, http.StatusBadRequest, "tell.html", p)
		return
	}
	ok, undo := s.limits.tell.Take(clientaddr.Key(r))
	if !ok {
		p.FormError = T(lang, "tell.err.rate_limited")
		s.render(w, r, http.StatusTooManyRequests, "tell.html", p)
		return
	}
	if err := s.store.CreateSubmission(r.Context(), sub); err != nil {
		if store.Unavailable(err) {
			// Nothing was kept: the sender keeps the story and the count.
			undo()
			p.FormError = T(lang, "tell.err.unavailable")
			w.Header().Set("Retry-After", serve.RetryAfter)
			s.render(w, r, http.StatusServiceUnavailable, "tell.html", p)
			return
		}
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, sent, http.StatusSeeOther)
}
