package desk

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// The moderators' side of the desk: the queue of
// replies across stories, the policy, blocks, incoming reports, keyword
// rules and the log. Every change goes through a store method that logs it
// in the same transaction. This file holds the queue, the actions on
// replies, reporting an author to their instance, the policy and the log;
// moderation_lists.go holds blocks, reports and keyword rules.

// requireModerator lets through only staff with the moderator role.
func (s *Server) requireModerator(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := staffFrom(r.Context()); m == nil || !m.Has(content.RoleModerator) {
			s.deskError(w, r, http.StatusForbidden, "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// moderationPage is what every moderation page carries: the tab, and the
// counts the tabs show.
type moderationPage struct {
	deskPage
	Tab         string
	Pending     int
	OpenReports int
}

func (s *Server) moderationPage(r *http.Request, title, tab string) (moderationPage, error) {
	p := moderationPage{deskPage: s.deskPage(r, title, "moderation"), Tab: tab}
	var err error
	p.Pending, p.OpenReports, err = s.store.ModerationCounts(r.Context())
	return p, err
}

// queuePerPage is how many replies the queue shows at once.
const queuePerPage = 30

// queuePage is the data of templates/moderation.html.
type queuePage struct {
	moderationPage
	Filter  string
	Filters []queueFilter
	Items   []*moderationItem
	Total   int
	Reasons []string
	Back    string // this page, where actions come back to
	Problem string
	PrevURL string
	NextURL string
}

type queueFilter struct {
	State   string
	Label   string
	URL     string
	Current bool
}

// moderationItem is a reply as moderators see it, in the queue or under a
// report.
type moderationItem struct {
	ID           int64
	Selectable   bool // has a checkbox for bulk actions
	Checked      bool
	State        string
	HeldFor      string
	HiddenReason string
	NotPublic    string // the audience of a followers-only or direct reply, which is never shown
	AuthorName   string
	Handle       string
	ProfileURL   string
	Avatar       string
	Host         string
	Received     string
	Lang         string
	LangName     string
	Summary      string
	ContentHTML  template.HTML // sanitized on arrival
	Images       []serve.Image
	URL          string
	StoryTitle   string
	StoryLang    string
	StoryURL     string
	Answers      string
	Parent       *historyLine
	Earlier      string // "2 visible, 1 hidden", "" for a first reply
	Recent       []historyLine
	Reasons      []string
	BlockAccount string // the blocks page, filled in for this author
	BlockHost    string // and for their instance
	ReportURL    string // "" when replies cannot be reported from here
}

// historyLine is a reply mentioned beside another: its parent, or one of
// its author's earlier replies.
type historyLine struct {
	Handle     string
	State      string
	When       string
	StoryTitle string
	StoryLang  string
	Excerpt    string
	Lang       string
}

// queueStates are the queue's filters; "" lists every reply, pending first.
var queueStates = []struct{ state, label string }{
	{"", "All, pending first"}, {"pending", "Pending"}, {"visible", "Visible"}, {"hidden", "Hidden"},
}

func (s *Server) handleModerationQueue(w http.ResponseWriter, r *http.Request) {
	s.renderQueue(w, r, r.URL.Query(), http.StatusOK, "", nil)
}

// renderQueue shows the queue as query asks (state, page), with a problem
// to correct and the replies that were selected when there is one.
func (s *Server) renderQueue(w http.ResponseWriter, r *http.Request, query url.Values, status int, problem string, checked []int64) {
	mp, err := s.moderationPage(r, "Replies", "queue")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	filter := query.Get("state")
	if !slices.ContainsFunc(queueStates, func(q struct{ state, label string }) bool { return q.state == filter }) {
		filter = ""
	}
	n, _ := strconv.Atoi(query.Get("page"))
	n = max(1, min(n, 10_000))
	items, total, err := s.store.ModerationQueue(r.Context(), store.QueueFilter{
		State: content.ReplyState(filter), Limit: queuePerPage, Offset: (n - 1) * queuePerPage,
	})
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := queuePage{moderationPage: mp, Filter: filter, Total: total, Reasons: content.HideReasons, Problem: problem}
	p.Back = queueURL(filter, n)
	for _, q := range queueStates {
		p.Filters = append(p.Filters, queueFilter{State: q.state, Label: q.label, URL: queueURL(q.state, 1), Current: q.state == filter})
	}
	for _, it := range items {
		v := s.moderationItem(it)
		v.Selectable, v.Checked = true, slices.Contains(checked, it.Reply.ID)
		p.Items = append(p.Items, v)
	}
	if n > 1 {
		p.PrevURL = queueURL(filter, n-1)
	}
	if n*queuePerPage < total {
		p.NextURL = queueURL(filter, n+1)
	}
	s.render(w, r, status, "moderation.html", p)
}

func queueURL(state string, page int) string {
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/desk/moderation/"
	}
	return "/desk/moderation/?" + q.Encode()
}

// moderationItem prepares a queue item for the page.
func (s *Server) moderationItem(it *store.QueueItem) *moderationItem {
	r := it.Reply
	rv := serve.ReplyOf(r)
	v := &moderationItem{
		ID:           r.ID,
		State:        string(r.State),
		HeldFor:      r.HeldFor,
		HiddenReason: r.HiddenReason,
		AuthorName:   rv.AuthorName,
		Handle:       rv.Handle,
		ProfileURL:   rv.ProfileURL,
		Avatar:       rv.Avatar,
		Host:         r.AuthorHost,
		Received:     deskTime(r.ReceivedAt),
		Lang:         r.Lang,
		LangName:     serve.LanguageName("en", r.Lang),
		Summary:      r.Summary,
		ContentHTML:  rv.ContentHTML,
		Images:       rv.Images,
		URL:          rv.URL,
		StoryTitle:   it.Story.Title,
		StoryLang:    it.Story.Lang,
		Reasons:      content.HideReasons,
		BlockAccount: "/desk/moderation/blocks?" + url.Values{"kind": {store.BlockAccount}, "target": {r.Author}}.Encode(),
		BlockHost:    "/desk/moderation/blocks?" + url.Values{"kind": {store.BlockInstance}, "target": {r.AuthorHost}}.Encode(),
	}
	if !r.Visibility.Showable() {
		v.NotPublic = string(r.Visibility)
	}
	if it.Story.Published {
		v.StoryURL = serve.StoryPath(it.Story.Lang, it.Story.Slug)
	}
	switch {
	case it.AnsweredLang != "":
		v.Answers = "Answers the " + serve.LanguageName("en", it.AnsweredLang) + " translation"
	case it.Parent != nil:
		v.Answers = "Answers a reply"
		v.Parent = historyOf(it.Parent, store.StoryHeading{})
	default:
		v.Answers = "Answers a reply that is not stored here"
	}
	h := it.Earlier
	var parts []string
	for _, c := range []struct {
		n     int
		label string
	}{{h.Visible, "visible"}, {h.Pending, "pending"}, {h.Hidden, "hidden"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.label))
		}
	}
	v.Earlier = strings.Join(parts, ", ")
	for _, e := range h.Recent {
		v.Recent = append(v.Recent, *historyOf(e.Reply, e.Story))
	}
	if s.cfg.ReportRemote != nil {
		v.ReportURL = fmt.Sprintf("/desk/moderation/replies/%d/report", r.ID)
	}
	return v
}

// historyOf describes a reply in a line.
func historyOf(r *content.Reply, story store.StoryHeading) *historyLine {
	h := &historyLine{State: string(r.State), When: deskTime(r.ReceivedAt), StoryTitle: story.Title, StoryLang: story.Lang,
		Excerpt: serve.Excerpt(r.ContentHTML, 160), Lang: r.Lang}
	if r.AuthorInfo != nil {
		h.Handle = r.AuthorInfo.Handle()
	}
	return h
}

// actionStates maps the actions on replies to the state they lead to.
var actionStates = map[string]content.ReplyState{
	"approve": content.ReplyVisible, "unhide": content.ReplyVisible, "hide": content.ReplyHidden,
}

// handleReplyAction approves, hides or unhides one reply (a button named
// "item" with the value "hide:12") or the selected ones (a button named
// "action", the ids in "id"). A hidden reply leaves every page at once.
func (s *Server) handleReplyAction(w http.ResponseWriter, r *http.Request) {
	back := moderationBack(r.PostFormValue("back"))
	var ids []int64
	var action, reason string
	if item := r.PostFormValue("item"); item != "" {
		a, idText, _ := strings.Cut(item, ":")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || id <= 0 {
			s.deskError(w, r, http.StatusBadRequest, "")
			return
		}
		action, ids = a, []int64{id}
		reason = hideReason(r.PostFormValue("reason-"+idText), r.PostFormValue("note-"+idText))
	} else {
		action = r.PostFormValue("action")
		for _, v := range r.PostForm["id"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
			}
		}
		reason = hideReason(r.PostFormValue("reason"), r.PostFormValue("note"))
	}
	state, ok := actionStates[action]
	problem := ""
	switch {
	case !ok:
		problem = "Choose what to do: approve, hide or unhide."
	case len(ids) == 0:
		problem = "Nothing was changed: select at least one reply, then choose what to do with them."
	}
	if problem == "" {
		n, err := s.store.SetReplyState(r.Context(), staffFrom(r.Context()).ID, ids, state, reason)
		if fe := fieldErrors(err); fe != nil {
			problem = "Nothing was changed: " + cmpOr(fe["reason"], fe["state"])
		} else if err != nil {
			s.deskFail(w, r, err)
			return
		} else {
			s.flash(r, actionDone(action, n, len(ids)))
			seeOther(w, r, back)
			return
		}
	}
	if strings.HasPrefix(back, "/desk/moderation/reports") {
		s.flash(r, problem)
		seeOther(w, r, back)
		return
	}
	u, _ := url.Parse(back)
	s.renderQueue(w, r, u.Query(), http.StatusBadRequest, problem, ids)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// hideReason puts together a reason picked from the list and the free text.
func hideReason(choice, note string) string {
	choice, note = strings.TrimSpace(choice), strings.TrimSpace(note)
	if !slices.Contains(content.HideReasons, choice) {
		choice = ""
	}
	switch {
	case choice != "" && note != "":
		return choice + ": " + note
	case choice != "":
		return choice
	default:
		return note
	}
}

// actionDone says what an action changed.
func actionDone(action string, n, asked int) string {
	verb := map[string]string{"approve": "Approved", "hide": "Hid", "unhide": "Unhid"}[action]
	msg := fmt.Sprintf("%s %d %s.", verb, n, plural(n, "reply", "replies"))
	if n < asked {
		msg += fmt.Sprintf(" %d %s already so.", asked-n, plural(asked-n, "was", "were"))
	}
	if action == "hide" && n > 0 {
		msg += " They are gone from the site and from the stories' replies collections."
	}
	return msg
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// moderationBack is where an action returns: a moderation page, or the queue.
func moderationBack(back string) string {
	if !strings.HasPrefix(back, "/desk/moderation/") || strings.ContainsAny(back, "\\\r\n\t") || strings.HasPrefix(back, "//") {
		return "/desk/moderation/"
	}
	return back
}

// reportAuthorPage is the data of templates/moderation_report.html.
type reportAuthorPage struct {
	moderationPage
	Item    *moderationItem
	Comment string
	Error   string
}

// maxReportComment bounds the comment sent with a report.
const maxReportComment = 1000

func (s *Server) reportItem(w http.ResponseWriter, r *http.Request) (*moderationItem, bool) {
	if s.cfg.ReportRemote == nil {
		s.deskError(w, r, http.StatusNotFound, "Replies cannot be reported to other instances from this server: federation is not running here.")
		return nil, false
	}
	id, ok := idParam(r, "id")
	if !ok {
		s.deskError(w, r, http.StatusNotFound, "")
		return nil, false
	}
	it, err := s.store.ModerationItem(r.Context(), id)
	if err != nil {
		s.deskFail(w, r, err)
		return nil, false
	}
	return s.moderationItem(it), true
}

func (s *Server) handleReportAuthorForm(w http.ResponseWriter, r *http.Request) {
	item, ok := s.reportItem(w, r)
	if !ok {
		return
	}
	mp, err := s.moderationPage(r, "Report to "+item.Host, "queue")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "moderation_report.html", reportAuthorPage{moderationPage: mp, Item: item})
}

// handleReportAuthor sends a Flag about a reply's author to their instance
// (docs/federation.md#reports-outbound), through Config.ReportRemote, which logs it.
func (s *Server) handleReportAuthor(w http.ResponseWriter, r *http.Request) {
	item, ok := s.reportItem(w, r)
	if !ok {
		return
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if utf8.RuneCountInString(comment) > maxReportComment {
		mp, err := s.moderationPage(r, "Report to "+item.Host, "queue")
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		p := reportAuthorPage{moderationPage: mp, Item: item, Comment: comment,
			Error: fmt.Sprintf("Keep the comment under %d characters.", maxReportComment)}
		s.render(w, r, http.StatusBadRequest, "moderation_report.html", p)
		return
	}
	if err := s.cfg.ReportRemote(r.Context(), staffFrom(r.Context()).ID, item.ID, comment); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The report about "+item.Handle+" is on its way to "+item.Host+".")
	seeOther(w, r, "/desk/moderation/")
}

// policyPage is the data of templates/moderation_policy.html.
type policyPage struct {
	moderationPage
	Policies      []policyChoice
	QuotePolicies []policyChoice
}

type policyChoice struct {
	Value   string
	Label   string
	Hint    string
	Current bool
}

// policyTexts say what each policy does, in the desk's words.
var policyTexts = map[content.Policy][2]string{
	content.PolicyOpen:     {"Open", "Replies show at once. Moderators hide what should not stay."},
	content.PolicyKnown:    {"Known authors", "A reply shows at once when its author already has a visible reply; other replies wait for review. The default."},
	content.PolicyReviewed: {"Reviewed", "Every reply waits for review before it shows."},
}

func (s *Server) handlePolicyForm(w http.ResponseWriter, r *http.Request) {
	mp, err := s.moderationPage(r, "Policy", "policy")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	current, err := s.store.Policy(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := policyPage{moderationPage: mp}
	if p.QuotePolicies, err = s.quotePolicyChoices(r); err != nil {
		s.deskFail(w, r, err)
		return
	}
	for _, pol := range content.Policies {
		t := policyTexts[pol]
		p.Policies = append(p.Policies, policyChoice{Value: string(pol), Label: t[0], Hint: t[1], Current: pol == current})
	}
	s.render(w, r, http.StatusOK, "moderation_policy.html", p)
}

func (s *Server) handlePolicySave(w http.ResponseWriter, r *http.Request) {
	pol := content.Policy(r.PostFormValue("policy"))
	err := s.store.SetPolicy(r.Context(), staffFrom(r.Context()).ID, pol)
	if fieldErrors(err) != nil {
		s.deskError(w, r, http.StatusBadRequest, "Choose one of the three policies.")
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The policy is now “"+policyTexts[pol][0]+"”. It applies to replies that arrive from now on.")
	seeOther(w, r, "/desk/moderation/policy")
}

// logPerPage is how many log lines a page shows.
const logPerPage = 100

// logPage is the data of templates/moderation_log.html.
type logPage struct {
	moderationPage
	Entries []logLine
	PrevURL string
	NextURL string
}

type logLine struct {
	When   string
	Who    string
	Action string
	Target string
	Reason string
}

// actionLabels name the logged actions in the desk.
var actionLabels = map[string]string{
	store.ActionApprove: "approved", store.ActionHide: "hid", store.ActionUnhide: "unhid",
	store.ActionBlock: "blocked", store.ActionUnblock: "lifted the block on", store.ActionReport: "reported",
	store.ActionResolve: "resolved the report", store.ActionKeywordAdd: "added the keyword",
	store.ActionKeywordRemove: "removed the keyword", store.ActionPolicy: "set the policy to",
	store.ActionLogin: "signed in", store.ActionLogout: "signed out", store.ActionPublish: "published",
	store.ActionSchedule: "scheduled", store.ActionUnschedule: "took back to draft", store.ActionWithdraw: "withdrew",
	store.ActionStoryCreate: "created", store.ActionStoryEdit: "edited", store.ActionTranslationCreate: "added a translation",
	store.ActionPin: "pinned", store.ActionUnpin: "unpinned", store.ActionByline: "changed the byline of",
	store.ActionCover: "set the cover of", store.ActionCoverRemove: "removed the cover of",
	store.ActionStaffCreate: "added the account", store.ActionStaffEdit: "changed the account",
	store.ActionStaffDisable: "disabled the account", store.ActionStaffEnable: "enabled the account",
	store.ActionStaffDelete: "deleted the account", store.ActionPasswordChange: "changed their password",
	store.ActionPasswordReset: "reset the password of", store.ActionSessionRevoke: "ended a session of",
	store.ActionTOTPEnable: "turned on two-factor sign-in", store.ActionTOTPDisable: "turned off two-factor sign-in for",
	store.ActionRecoveryUse: "used a recovery code", store.ActionSetting: "changed the setting",
	store.ActionBlocklistImport: "imported a blocklist", store.ActionDeliveriesRetry: "retried the deliveries of",
	store.ActionQuotePolicy: "set who may quote the stories to", store.ActionQuoteRevoke: "revoked the quote",
	store.ActionPageCreate: "created the page", store.ActionPageEdit: "edited the page",
	store.ActionPageTranslate: "translated the page", store.ActionPagePublish: "published the page",
	store.ActionPageUnpublish: "unpublished the page", store.ActionPageDelete: "deleted the page",
	store.ActionTeamAdd: "added to the team", store.ActionTeamEdit: "edited the team member",
	store.ActionTeamRemove: "removed from the team", store.ActionNavigation: "changed the navigation",
	store.ActionTextImage: "added an image to the text", store.ActionProfile: "changed the fediverse profile", store.ActionOutdatedDismiss: "marked as up to date",
}

func (s *Server) handleModerationLog(w http.ResponseWriter, r *http.Request) {
	mp, err := s.moderationPage(r, "Moderation log", "log")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	n := pageParam(r)
	entries, err := s.store.ModerationLog(r.Context(), logPerPage+1, (n-1)*logPerPage)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := logPage{moderationPage: mp}
	if len(entries) > logPerPage {
		entries = entries[:logPerPage]
		p.NextURL = fmt.Sprintf("/desk/moderation/log?page=%d", n+1)
	}
	if n > 1 {
		p.PrevURL = fmt.Sprintf("/desk/moderation/log?page=%d", n-1)
	}
	for _, e := range entries {
		p.Entries = append(p.Entries, logLineOf(e))
	}
	s.render(w, r, http.StatusOK, "moderation_log.html", p)
}

// logLineOf shows one line of the audit log.
func logLineOf(e *content.LogEntry) logLine {
	who := e.StaffName
	if who == "" && e.StaffID == 0 {
		who = "Samizdat"
	} else if who == "" {
		who = "a removed account"
	}
	return logLine{When: deskTime(e.CreatedAt), Who: who, Action: cmpOr(actionLabels[e.Action], e.Action), Target: e.Target, Reason: e.Reason}
}
