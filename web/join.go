package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/clientaddr"
)

// "Join the team": volunteers offer their help. Like "Tell your story" it
// keeps only what the sender types, and the desk deletes it after the
// retention period.

const (
	joinLimit     = 5
	joinPer       = time.Hour
	joinBodyLimit = 64 << 10
)

// joinPage is the data of join.html.
type joinPage struct {
	page
	Roles     []joinRole
	LangPairs string
	Message   string
	Contact   string
	Errors    map[string]string
	FormError string
	Sent      bool
}

// joinRole is one checkbox of the form.
type joinRole struct {
	Value   string
	Checked bool
}

func (s *Server) newJoinPage(r *http.Request, checked map[string]bool) joinPage {
	lang := chi.URLParam(r, "lang")
	p := joinPage{page: s.newPage(r, lang)}
	p.Title = T(lang, "join.title")
	p.Description = T(lang, "join.intro")
	p.switchTo(func(l string) string { return "/" + l + "/join" })
	for _, role := range content.VolunteerRoles {
		p.Roles = append(p.Roles, joinRole{Value: role, Checked: checked[role]})
	}
	return p
}

// handleJoinForm shows the form, or the thanks once an offer was sent.
func (s *Server) handleJoinForm(w http.ResponseWriter, r *http.Request) {
	p := s.newJoinPage(r, nil)
	if r.URL.Query().Get("sent") == "1" {
		p.Sent = true
		p.Title = T(p.Lang, "join.sent.title")
		p.NoIndex = true
	} else {
		p.Canonical = s.absURL("/" + p.Lang + "/join")
	}
	s.render(w, r, http.StatusOK, "join.html", p)
}

// handleJoinSubmit checks and stores an offer, then shows the thanks
// (POST-redirect-GET). A filled honeypot gets the thanks and stores nothing.
func (s *Server) handleJoinSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, joinBodyLimit)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorStatus(w, r, http.StatusRequestEntityTooLarge)
			return
		}
		s.errorStatus(w, r, http.StatusBadRequest)
		return
	}
	lang := chi.URLParam(r, "lang")
	sent := "/" + lang + "/join?sent=1"
	if r.PostForm.Get(tellHoneypot) != "" {
		http.Redirect(w, r, sent, http.StatusSeeOther)
		return
	}
	checked := map[string]bool{}
	for _, role := range r.PostForm["roles"] {
		checked[role] = true
	}
	p := s.newJoinPage(r, checked)
	p.LangPairs, p.Message, p.Contact = r.PostForm.Get("lang_pairs"), r.PostForm.Get("message"), r.PostForm.Get("contact")
	v := &content.Volunteer{Lang: lang, Roles: r.PostForm["roles"], LangPairs: p.LangPairs, Message: p.Message, Contact: p.Contact}
	var ve *content.ValidationError
	if err := v.Validate(); errors.As(err, &ve) {
		p.Errors = map[string]string{}
		for field, key := range ve.Fields {
			p.Errors[field] = T(lang, "join.err."+key)
		}
		p.FormError = T(lang, "tell.errors")
		s.render(w, r, http.StatusBadRequest, "join.html", p)
		return
	}
	if !s.readers.join.Allow(clientaddr.Key(r)) {
		p.FormError = T(lang, "tell.err.rate_limited")
		s.render(w, r, http.StatusTooManyRequests, "join.html", p)
		return
	}
	if err := s.store.CreateVolunteer(r.Context(), v); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, sent, http.StatusSeeOther)
}
