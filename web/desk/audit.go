package desk

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"samizdat/content/store"
)

// auditPerPage is how many lines a page of the audit log shows.
const auditPerPage = 100

// auditPage is the data of audit.html: the audit log, filtered by staff
// member and action.
type auditPage struct {
	deskPage
	Entries []logLine
	Members []auditChoice
	Actions []auditChoice
	PrevURL string
	NextURL string
}

type auditChoice struct {
	Value, Label string
	Selected     bool
}

// handleAuditLog shows admins what every staff member did, newest first.
func (s *Server) handleAuditLog(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := store.AuditFilter{Limit: auditPerPage + 1}
	f.StaffID, _ = strconv.ParseInt(q.Get("staff"), 10, 64)
	action := q.Get("action")
	actions, err := s.store.AuditActions(ctx)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	if slices.Contains(actions, action) {
		f.Actions = []string{action}
	} else {
		action = ""
	}
	n := pageParam(r)
	f.Offset = (n - 1) * auditPerPage
	entries, err := s.store.AuditLog(ctx, f)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	members, err := s.store.StaffList(ctx)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := auditPage{deskPage: s.deskPage(r, "Audit log", "audit")}
	p.Members = append(p.Members, auditChoice{Value: "", Label: "Everyone"})
	for _, m := range members {
		p.Members = append(p.Members, auditChoice{Value: strconv.FormatInt(m.ID, 10), Label: m.DisplayName, Selected: m.ID == f.StaffID})
	}
	p.Actions = append(p.Actions, auditChoice{Value: "", Label: "Every action"})
	for _, a := range actions {
		p.Actions = append(p.Actions, auditChoice{Value: a, Label: cmpOr(actionLabels[a], a), Selected: a == action})
	}
	pageURL := func(n int) string {
		v := url.Values{}
		if f.StaffID != 0 {
			v.Set("staff", strconv.FormatInt(f.StaffID, 10))
		}
		if action != "" {
			v.Set("action", action)
		}
		v.Set("page", strconv.Itoa(n))
		return "/desk/audit?" + v.Encode()
	}
	if len(entries) > auditPerPage {
		entries = entries[:auditPerPage]
		p.NextURL = pageURL(n + 1)
	}
	if n > 1 {
		p.PrevURL = pageURL(n - 1)
	}
	for _, e := range entries {
		p.Entries = append(p.Entries, logLineOf(e))
	}
	s.render(w, r, http.StatusOK, "audit.html", p)
}
