package desk

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
)

// Quotes of our stories on other servers (FEP-044f): who may quote them
// without asking, set on the policy page, and the quotes authorized so
// far, each of which a moderator may revoke.

// quotesListLimit bounds the quotes the page lists.
const quotesListLimit = 200

// quotePolicyTexts say what each quote policy does, in the desk's words.
var quotePolicyTexts = map[content.QuotePolicy][2]string{
	content.QuotePublic:    {"Anyone", "Anyone on a server that asks first (Mastodon 4.5 and later) may quote a story. The default."},
	content.QuoteFollowers: {"Followers", "Only followers of the story's language account may quote it."},
	content.QuoteNobody:    {"Nobody", "Nobody may quote the stories; requests are refused."},
}

// quotePolicies lists the quote policies in the order the form shows them.
var quotePolicies = []content.QuotePolicy{content.QuotePublic, content.QuoteFollowers, content.QuoteNobody}

// quotePolicyChoices are the choices of the policy page's quote form.
func (s *Server) quotePolicyChoices(r *http.Request) ([]policyChoice, error) {
	current, err := s.store.QuotePolicy(r.Context())
	if err != nil {
		return nil, err
	}
	var out []policyChoice
	for _, p := range quotePolicies {
		t := quotePolicyTexts[p]
		out = append(out, policyChoice{Value: string(p), Label: t[0], Hint: t[1], Current: p == current})
	}
	return out, nil
}

func (s *Server) handleQuotePolicySave(w http.ResponseWriter, r *http.Request) {
	p := content.QuotePolicy(r.PostFormValue("quote_policy"))
	err := s.store.SetQuotePolicy(r.Context(), staffFrom(r.Context()).ID, p)
	if fieldErrors(err) != nil {
		s.deskError(w, r, http.StatusBadRequest, "Choose who may quote the stories.")
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Quotes: “"+quotePolicyTexts[p][0]+"”. Stories say so the next time a server fetches them or they are edited.")
	seeOther(w, r, "/desk/moderation/policy")
}

// quotesPage is the data of templates/moderation_quotes.html.
type quotesPage struct {
	moderationPage
	Quotes    []quoteLine
	CanRevoke bool
}

type quoteLine struct {
	ID        int64
	Post      string
	Actor     string
	StoryURL  string
	Title     string
	Lang      string
	When      string
	Revoked   bool
	RevokeURL string
}

func (s *Server) handleQuotes(w http.ResponseWriter, r *http.Request) {
	mp, err := s.moderationPage(r, "Quotes", "quotes")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	qs, err := s.store.RecentQuotes(r.Context(), quotesListLimit)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := quotesPage{moderationPage: mp, CanRevoke: s.cfg.RevokeQuote != nil}
	for _, q := range qs {
		p.Quotes = append(p.Quotes, quoteLine{
			ID: q.ID, Post: q.Post, Actor: q.Actor, Title: q.Title, Lang: q.Lang, When: deskTime(q.CreatedAt), Revoked: q.Revoked,
			StoryURL:  "/desk/stories/" + strconv.FormatInt(q.StoryID, 10) + "/" + q.Lang,
			RevokeURL: "/desk/moderation/quotes/" + strconv.FormatInt(q.ID, 10) + "/revoke",
		})
	}
	s.render(w, r, http.StatusOK, "moderation_quotes.html", p)
}

func (s *Server) handleQuoteRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	if s.cfg.RevokeQuote == nil {
		s.deskError(w, r, http.StatusServiceUnavailable, "Quotes cannot be revoked from this server: federation is not running here.")
		return
	}
	if err := s.cfg.RevokeQuote(r.Context(), staffFrom(r.Context()).ID, id); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The quote is revoked: its server is told, and the story no longer counts it.")
	seeOther(w, r, "/desk/moderation/quotes")
}
