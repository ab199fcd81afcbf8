package desk

import (
	"fmt"
	"net/http"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// The delivery report of one translation: how many
// inboxes each of its activities (Create, Update, Delete) reached, how many
// are pending or failed, the last error, and a button that queues the
// failed ones again. Counts are of inboxes: mostly one shared inbox per
// instance.

// failureListLimit bounds the failed inboxes listed on the page.
const failureListLimit = 100

// deliveriesPage is the data of templates/deliveries.html.
type deliveriesPage struct {
	deskPage
	StoryID     int64
	StoryTitle  string
	StoryLang   string
	Lang        string
	LangName    string
	EditURL     string
	RetryURL    string
	CanRetry    bool // there is something to retry and this process can queue it
	Report      *store.DeliveryReport
	Activities  []activityLine
	Failures    []failureLine
	MoreFailed  bool // more failed deliveries than are listed
	LastErrorAt string
}

type activityLine struct {
	Type      string
	When      string
	Delivered int
	Pending   int
	Failed    int
	Skipped   int
	Reach     []reachLine // who was sent it, by group; empty before groups were recorded
}

// reachLine is one group of an activity's inboxes, in the desk's words.
type reachLine struct {
	Label     string
	Inboxes   int
	Delivered int
}

// reachLabels name the reach groups: why a server was sent an activity.
var reachLabels = map[string]string{
	store.ReachFollowers: "followers",
	store.ReachReplied:   "replied",
	store.ReachBoosted:   "boosted",
	store.ReachLiked:     "liked",
	store.ReachQuoted:    "quoted",
	store.ReachFetched:   "fetched it",
}

type failureLine struct {
	Inbox    string
	State    string
	Attempts int
	Error    string
	When     string
}

func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.deliveredTranslation(w, r)
	if !ok {
		return
	}
	report, err := s.store.DeliveryReport(r.Context(), t.ID)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	failed, err := s.store.FailedDeliveries(r.Context(), t.ID, failureListLimit+1)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	editURL := fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang)
	p := deliveriesPage{
		deskPage:    s.deskPage(r, "Deliveries: "+t.Title+" ("+serve.LangName(lang)+")", "stories"),
		StoryID:     st.ID,
		StoryTitle:  storyTitle(st),
		StoryLang:   storyLang(st),
		Lang:        lang,
		LangName:    serve.LangName(lang),
		EditURL:     editURL,
		RetryURL:    editURL + "/deliveries/retry",
		CanRetry:    s.cfg.RetryDeliveries != nil && report.Failed+report.Skipped > 0,
		Report:      report,
		LastErrorAt: deskTime(report.LastErrorAt),
	}
	for _, a := range report.Activities {
		line := activityLine{
			Type: a.Type, When: deskTime(a.CreatedAt),
			Delivered: a.Delivered, Pending: a.Pending, Failed: a.Failed, Skipped: a.Skipped,
		}
		for _, g := range a.Reach {
			line.Reach = append(line.Reach, reachLine{Label: reachLabels[g.Group], Inboxes: g.Inboxes, Delivered: g.Delivered})
		}
		p.Activities = append(p.Activities, line)
	}
	if len(failed) > failureListLimit {
		failed, p.MoreFailed = failed[:failureListLimit], true
	}
	for _, d := range failed {
		p.Failures = append(p.Failures, failureLine{
			Inbox: d.Inbox, State: d.State, Attempts: d.Attempts, Error: d.LastError, When: deskTime(d.UpdatedAt),
		})
	}
	s.render(w, r, http.StatusOK, "deliveries.html", p)
}

// handleDeliveriesRetry queues the translation's failed and skipped
// deliveries again.
func (s *Server) handleDeliveriesRetry(w http.ResponseWriter, r *http.Request) {
	st, lang, t, ok := s.deliveredTranslation(w, r)
	if !ok {
		return
	}
	if s.cfg.RetryDeliveries == nil {
		s.deskError(w, r, http.StatusServiceUnavailable, "Deliveries cannot be retried from this server: federation is not running here.")
		return
	}
	n, err := s.cfg.RetryDeliveries(r.Context(), t.ID)
	if err == nil && n > 0 {
		err = s.store.LogStaff(r.Context(), nil, staffFrom(r.Context()).ID, store.ActionDeliveriesRetry,
			fmt.Sprintf("story %d %s", st.ID, lang), fmt.Sprintf("%d deliveries", n))
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	switch n {
	case 0:
		s.flash(r, "Nothing to retry: no delivery has failed.")
	case 1:
		s.flash(r, "One delivery is queued again.")
	default:
		s.flash(r, fmt.Sprintf("%d deliveries are queued again.", n))
	}
	seeOther(w, r, fmt.Sprintf("/desk/stories/%d/%s/deliveries", st.ID, lang))
}

// deliveredTranslation is deskTranslation for the delivery pages, which
// need a translation that exists: without one, it answers 404.
func (s *Server) deliveredTranslation(w http.ResponseWriter, r *http.Request) (*content.Story, string, *content.Translation, bool) {
	st, lang, t, ok := s.deskTranslation(w, r)
	if ok && t == nil {
		s.deskError(w, r, http.StatusNotFound, "This story has no "+serve.LangName(lang)+" translation yet.")
		return nil, "", nil, false
	}
	return st, lang, t, ok
}
