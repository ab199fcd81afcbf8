package desk

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// Questions from "Ask": editors approve the ones to answer, reject the
// others, assign them to an author and answer them. The answer is
// published on the site's Ask page and, through Config.AnswerQuestion, as
// a reply from the language actor to the asker.

// questionListPage is the data of templates/questions.html.
type questionListPage struct {
	deskPage
	Filter    string
	Questions []questionRow
	Members   []staffChoice
	CanAnswer bool
}

type questionRow struct {
	ID              int64
	LangName, Asker string
	Source, State   string
	HeldFor         string
	BodyHTML        template.HTML // sanitized on arrival (content.Question)
	AnswerHTML      template.HTML // our Markdown pipeline's
	Received        string
	AssignedTo      int64
	Open            bool // may still be approved, rejected or answered
}

type staffChoice struct {
	ID   int64
	Name string
}

var questionFilters = map[string][]content.QuestionState{
	"":         {content.QuestionPending, content.QuestionApproved},
	"answered": {content.QuestionAnswered},
	"rejected": {content.QuestionRejected},
}

// handleQuestionList lists questions: open ones by default.
func (s *Server) handleQuestionList(w http.ResponseWriter, r *http.Request) {
	filter := r.URL.Query().Get("show")
	states, ok := questionFilters[filter]
	if !ok {
		filter, states = "", questionFilters[""]
	}
	qs, err := s.store.Questions(r.Context(), store.QuestionFilter{States: states, Limit: 100})
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	staff, err := s.store.StaffList(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := questionListPage{deskPage: s.deskPage(r, "Questions", "questions"), Filter: filter, CanAnswer: s.cfg.AnswerQuestion != nil}
	for _, m := range staff {
		p.Members = append(p.Members, staffChoice{ID: m.ID, Name: m.DisplayName})
	}
	for _, q := range qs {
		p.Questions = append(p.Questions, questionRow{
			ID: q.ID, LangName: serve.LangName(q.Lang), Asker: q.AskerHandle, Source: q.Source, State: string(q.State), HeldFor: q.HeldFor,
			BodyHTML: template.HTML(q.BodyHTML), AnswerHTML: template.HTML(q.AnswerHTML), Received: deskTime(q.CreatedAt),
			AssignedTo: q.AssignedTo, Open: q.State == content.QuestionPending || q.State == content.QuestionApproved,
		})
	}
	s.render(w, r, http.StatusOK, "questions.html", p)
}

// handleQuestionAction approves, rejects or assigns a question (action
// approve, reject, pending with assign_to), or answers it (action answer).
func (s *Server) handleQuestionAction(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	me := staffFrom(r.Context()).ID
	action := r.PostFormValue("action")
	var err error
	switch action {
	case "answer":
		answer := strings.TrimSpace(r.PostFormValue("answer"))
		if answer == "" || s.cfg.AnswerQuestion == nil {
			s.deskError(w, r, http.StatusBadRequest, "Write the answer before publishing it.")
			return
		}
		err = s.cfg.AnswerQuestion(r.Context(), me, id, answer)
	case "approve", "reject", "assign":
		state := map[string]content.QuestionState{"approve": content.QuestionApproved, "reject": content.QuestionRejected}[action]
		assign, _ := strconv.ParseInt(r.PostFormValue("assign_to"), 10, 64)
		if state == "" {
			q, qerr := s.store.Question(r.Context(), id)
			if qerr != nil {
				s.deskFail(w, r, qerr)
				return
			}
			state = q.State
		}
		err = s.store.SetQuestionState(r.Context(), me, id, state, assign)
	default:
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	var ve *content.ValidationError
	switch {
	case errors.As(err, &ve):
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	case err != nil:
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, fmt.Sprintf("Question %d: %s done.", id, action))
	seeOther(w, r, "/desk/questions")
}
