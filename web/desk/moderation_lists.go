package desk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// Blocks, incoming reports and keyword rules: the lists moderators keep
// (moderation.go holds the queue).

// blocksPage is the data of templates/moderation_blocks.html.
type blocksPage struct {
	moderationPage
	Blocks []blockLine
	Form   blockForm
	Errors formErrors
}

type blockLine struct {
	Kind   string
	Target string
	Reason string
	Since  string
}

type blockForm struct {
	Kind   string
	Target string
	Reason string
}

func (s *Server) handleBlocks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != store.BlockInstance {
		kind = store.BlockAccount
	}
	s.renderBlocks(w, r, http.StatusOK, blockForm{Kind: kind, Target: q.Get("target")}, nil)
}

func (s *Server) renderBlocks(w http.ResponseWriter, r *http.Request, status int, form blockForm, errs formErrors) {
	mp, err := s.moderationPage(r, "Blocks", "blocks")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	blocks, err := s.store.Blocks(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := blocksPage{moderationPage: mp, Form: form, Errors: errs}
	for _, b := range blocks {
		p.Blocks = append(p.Blocks, blockLine{Kind: b.Kind, Target: b.Target, Reason: b.Reason, Since: deskTime(b.CreatedAt)})
	}
	s.render(w, r, status, "moderation_blocks.html", p)
}

// handleBlockAdd blocks an account, given by its ActivityPub id or its
// handle, or an instance. Their replies are hidden and they stop following
// us, in the same transaction.
func (s *Server) handleBlockAdd(w http.ResponseWriter, r *http.Request) {
	form := blockForm{Kind: r.PostFormValue("kind"), Target: strings.TrimSpace(r.PostFormValue("target")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	target := form.Target
	if form.Kind == store.BlockAccount && !strings.Contains(target, "://") && strings.Contains(target, "@") {
		id, err := s.store.RemoteActorIDByHandle(r.Context(), target)
		if errors.Is(err, content.ErrNotFound) {
			s.renderBlocks(w, r, http.StatusBadRequest, form, formErrors{"target": "No account with this handle has written to us. Give its ActivityPub id (https://…) instead, or block its instance."})
			return
		}
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		target = id
	}
	res, err := s.store.Block(r.Context(), staffFrom(r.Context()).ID, form.Kind, target, form.Reason)
	if fe := fieldErrors(err); fe != nil {
		s.renderBlocks(w, r, http.StatusBadRequest, form, fe)
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, fmt.Sprintf("Blocked %s %s: %d %s hidden, %d %s removed. Their activities are refused from now on.",
		form.Kind, res.Target, res.Hidden, plural(res.Hidden, "reply", "replies"), res.FollowersRemoved, plural(res.FollowersRemoved, "follow", "follows")))
	seeOther(w, r, "/desk/moderation/blocks")
}

func (s *Server) handleBlockLift(w http.ResponseWriter, r *http.Request) {
	kind, target := r.PostFormValue("kind"), r.PostFormValue("target")
	err := s.store.Unblock(r.Context(), staffFrom(r.Context()).ID, kind, target)
	if fieldErrors(err) != nil {
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The block on "+target+" is lifted. The replies it hid stay hidden: unhide those that deserve it from the hidden replies.")
	seeOther(w, r, "/desk/moderation/blocks")
}

// reportsPage is the data of templates/moderation_reports.html.
type reportsPage struct {
	moderationPage
	Filter  string
	Filters []queueFilter
	Reports []reportLine
	Reasons []string
}

type reportLine struct {
	ID         int64
	Open       bool
	Received   string
	Reporter   string
	Host       string
	Comment    string
	Objects    []string
	Item       *moderationItem // the reported reply; nil when it is about a story or unknown
	StoryTitle string
	StoryLang  string
	StoryURL   string
	Resolved   string
}

var reportStates = []struct{ state, label string }{{"open", "Open"}, {"resolved", "Resolved"}, {"", "All"}}

func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) {
	mp, err := s.moderationPage(r, "Reports", "reports")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	filter := "open"
	if q, ok := r.URL.Query()["state"]; ok && (q[0] == "resolved" || q[0] == "") {
		filter = q[0]
	}
	reports, err := s.store.Reports(r.Context(), filter)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := reportsPage{moderationPage: mp, Filter: filter, Reasons: content.HideReasons}
	for _, f := range reportStates {
		p.Filters = append(p.Filters, queueFilter{State: f.state, Label: f.label, URL: "/desk/moderation/reports?state=" + f.state, Current: f.state == filter})
	}
	for _, rp := range reports {
		l := reportLine{ID: rp.ID, Open: rp.State == "open", Received: deskTime(rp.CreatedAt), Reporter: rp.Reporter,
			Host: hostOf(rp.Reporter), Comment: rp.Comment, Objects: rp.Objects, StoryTitle: rp.Story.Title, StoryLang: rp.Story.Lang,
			Resolved: deskTime(rp.ResolvedAt)}
		if rp.Story.Published {
			l.StoryURL = serve.StoryPath(rp.Story.Lang, rp.Story.Slug)
		}
		if rp.Reply != nil {
			l.Item = s.moderationItem(&store.QueueItem{Reply: rp.Reply, Story: rp.Story})
			l.Item.Answers = ""
		}
		p.Reports = append(p.Reports, l)
	}
	s.render(w, r, http.StatusOK, "moderation_reports.html", p)
}

func hostOf(actor string) string {
	if _, rest, ok := strings.Cut(actor, "://"); ok {
		host, _, _ := strings.Cut(rest, "/")
		return host
	}
	return ""
}

func (s *Server) handleReportResolve(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	if err := s.store.ResolveReport(r.Context(), staffFrom(r.Context()).ID, id); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The report is resolved.")
	seeOther(w, r, "/desk/moderation/reports")
}

// keywordsPage is the data of templates/moderation_keywords.html.
type keywordsPage struct {
	moderationPage
	Rules  []keywordLine
	Phrase string
	Errors formErrors
}

type keywordLine struct {
	ID     int64
	Phrase string
	Added  string
}

func (s *Server) handleKeywords(w http.ResponseWriter, r *http.Request) {
	s.renderKeywords(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderKeywords(w http.ResponseWriter, r *http.Request, status int, phrase string, errs formErrors) {
	mp, err := s.moderationPage(r, "Keyword rules", "keywords")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	rules, err := s.store.KeywordRules(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := keywordsPage{moderationPage: mp, Phrase: phrase, Errors: errs}
	for _, k := range rules {
		p.Rules = append(p.Rules, keywordLine{ID: k.ID, Phrase: k.Phrase, Added: deskTime(k.CreatedAt)})
	}
	s.render(w, r, status, "moderation_keywords.html", p)
}

func (s *Server) handleKeywordAdd(w http.ResponseWriter, r *http.Request) {
	phrase := r.PostFormValue("phrase")
	k, err := s.store.AddKeywordRule(r.Context(), staffFrom(r.Context()).ID, phrase)
	switch {
	case errors.Is(err, content.ErrConflict):
		s.renderKeywords(w, r, http.StatusConflict, phrase, formErrors{"phrase": "This phrase is already on the list."})
		return
	case fieldErrors(err) != nil:
		s.renderKeywords(w, r, http.StatusBadRequest, phrase, fieldErrors(err))
		return
	case err != nil:
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Replies containing “"+k.Phrase+"” will now wait for review.")
	seeOther(w, r, "/desk/moderation/keywords")
}

func (s *Server) handleKeywordRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	if err := s.store.RemoveKeywordRule(r.Context(), staffFrom(r.Context()).ID, id); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The keyword rule is removed.")
	seeOther(w, r, "/desk/moderation/keywords")
}
