package desk

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// The newsletter in the desk: how many confirmed subscribers each
// language has, the issues sent with how many mails went and failed, and
// the form of an issue sent by hand (a digest of chosen stories with an
// introduction). Sending is package mail's, handed in as Config.SendIssue.

// newsletterPage is the data of templates/newsletter.html.
type newsletterPage struct {
	deskPage
	Open        bool
	Subscribers []langCount
	Issues      []issueRow
	Stories     []storyChoice
	Languages   []langChoice
	Form        issueForm
	Errors      formErrors
}

type langCount struct {
	LangName string
	Count    int
}

type issueRow struct {
	Created, LangName, Subject, Kind string
	Sent, Failed, Queued             int
}

type storyChoice struct {
	ID       int64
	Title    string
	LangName string
	Checked  bool
}

type langChoice struct {
	Lang, Name string
	Selected   bool
}

type issueForm struct {
	Lang, Subject, Intro string
	IDs                  []int64
}

// handleNewsletter shows the counts, the issues and the form.
func (s *Server) handleNewsletter(w http.ResponseWriter, r *http.Request) {
	s.renderNewsletter(w, r, http.StatusOK, issueForm{Lang: s.cfg.Languages[0]}, nil)
}

func (s *Server) renderNewsletter(w http.ResponseWriter, r *http.Request, status int, f issueForm, errs formErrors) {
	ctx := r.Context()
	p := newsletterPage{deskPage: s.deskPage(r, "Newsletter", "newsletter"), Open: s.cfg.SendIssue != nil, Form: f, Errors: errs}
	counts, err := s.store.SubscriberCounts(ctx)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	issues, err := s.store.NewsletterIssues(ctx, 50)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	for _, l := range s.cfg.Languages {
		p.Subscribers = append(p.Subscribers, langCount{LangName: serve.LangName(l), Count: counts[l]})
		p.Languages = append(p.Languages, langChoice{Lang: l, Name: serve.LangName(l), Selected: l == f.Lang})
		ts, _, err := s.store.PublishedTranslations(ctx, l, 10, 0)
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		for _, t := range ts {
			p.Stories = append(p.Stories, storyChoice{ID: t.ID, Title: t.Title, LangName: serve.LangName(l), Checked: slices.Contains(f.IDs, t.ID)})
		}
	}
	for _, is := range issues {
		kind := "story"
		if is.TranslationID == 0 {
			kind = "issue by hand"
		}
		p.Issues = append(p.Issues, issueRow{Created: deskTime(is.CreatedAt), LangName: serve.LangName(is.Lang), Subject: is.Subject,
			Kind: kind, Sent: is.Sent, Failed: is.Failed, Queued: is.Queued})
	}
	s.render(w, r, status, "newsletter.html", p)
}

// handleNewsletterSend queues an issue by hand to the subscribers of a
// language.
func (s *Server) handleNewsletterSend(w http.ResponseWriter, r *http.Request) {
	if s.cfg.SendIssue == nil {
		s.deskError(w, r, http.StatusConflict, "The newsletter is not open: SMTP_URL is not set.")
		return
	}
	f := issueForm{Lang: r.PostFormValue("lang"), Subject: strings.TrimSpace(r.PostFormValue("subject")), Intro: strings.TrimSpace(r.PostFormValue("intro"))}
	for _, v := range r.PostForm["stories"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && !slices.Contains(f.IDs, id) {
			f.IDs = append(f.IDs, id)
		}
	}
	errs := formErrors{}
	if !slices.Contains(s.cfg.Languages, f.Lang) {
		errs["lang"] = "Choose one of the publication's languages."
	}
	if f.Subject == "" || len([]rune(f.Subject)) > 200 {
		errs["subject"] = "Give the issue a subject of at most 200 characters."
	}
	if len(f.IDs) == 0 {
		errs["stories"] = "Choose at least one story."
	}
	if len([]rune(f.Intro)) > 5000 {
		errs["intro"] = "Keep the introduction under 5,000 characters."
	}
	if len(errs) > 0 {
		s.renderNewsletter(w, r, http.StatusBadRequest, f, errs)
		return
	}
	id, err := s.cfg.SendIssue(r.Context(), staffFrom(r.Context()).ID, f.Lang, f.Subject, f.Intro, f.IDs)
	if errors.Is(err, content.ErrNotFound) {
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, fmt.Sprintf("Issue %d is on its way to the subscribers in %s.", id, serve.LangName(f.Lang)))
	seeOther(w, r, "/desk/newsletter/")
}
