package desk

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"samizdat/content"
	"samizdat/content/store"
)

// floodPage is the data of moderation_flood.html: the flood limits and
// the surge switch.
type floodPage struct {
	moderationPage
	ActorPerHour    string
	InstancePerHour string
	Surge           bool
	SurgeSince      string
	Errors          formErrors
}

func (s *Server) handleFlood(w http.ResponseWriter, r *http.Request) {
	l, err := s.store.FloodLimits(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.renderFlood(w, r, http.StatusOK, strconv.Itoa(l.ActorPerHour), strconv.Itoa(l.InstancePerHour), nil)
}

func (s *Server) renderFlood(w http.ResponseWriter, r *http.Request, status int, actor, instance string, errs formErrors) {
	mp, err := s.moderationPage(r, "Flood limits", "flood")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	l, err := s.store.FloodLimits(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := floodPage{moderationPage: mp, ActorPerHour: actor, InstancePerHour: instance, Surge: l.Surge(), Errors: errs}
	if l.Surge() {
		p.SurgeSince = deskTime(l.SurgeSince)
	}
	s.render(w, r, status, "moderation_flood.html", p)
}

// handleFloodSave saves the hourly limits.
func (s *Server) handleFloodSave(w http.ResponseWriter, r *http.Request) {
	actor, instance := strings.TrimSpace(r.PostFormValue("actor_per_hour")), strings.TrimSpace(r.PostFormValue("instance_per_hour"))
	var l content.FloodLimits
	l.ActorPerHour, _ = strconv.Atoi(actor)
	l.InstancePerHour, _ = strconv.Atoi(instance)
	err := s.store.SetFloodLimits(r.Context(), l)
	if errs := fieldErrors(err); errs != nil {
		s.renderFlood(w, r, http.StatusUnprocessableEntity, actor, instance, errs)
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The flood limits are saved. They apply to replies that arrive from now on.")
	seeOther(w, r, "/desk/moderation/flood")
}

// handleSurge turns the surge switch on or off.
func (s *Server) handleSurge(w http.ResponseWriter, r *http.Request) {
	on := r.PostFormValue("surge") == "on"
	if err := s.store.SetSurge(r.Context(), on); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if on {
		s.flash(r, "The surge switch is on: replies from accounts that had not written before now are held for review.")
	} else {
		s.flash(r, "The surge switch is off.")
	}
	seeOther(w, r, "/desk/moderation/flood")
}

// handleBlocklistExport sends the instance blocks in Mastodon's CSV format.
func (s *Server) handleBlocklistExport(w http.ResponseWriter, r *http.Request) {
	blocks, err := s.store.Blocks(r.Context())
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	var entries []content.BlocklistEntry
	for _, b := range blocks {
		if b.Kind == store.BlockInstance {
			entries = append(entries, content.BlocklistEntry{Domain: b.Target, Severity: "suspend", Comment: b.Reason})
		}
	}
	var buf bytes.Buffer
	if err := content.WriteBlocklist(&buf, entries); err != nil {
		s.deskFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="blocklist.csv"`)
	w.Write(buf.Bytes())
}

// importPage is the data of moderation_import.html: what an import would
// do, to be confirmed.
type importPage struct {
	moderationPage
	CSV     string
	Rows    []importRow
	ToBlock int
	Problem string
}

type importRow struct {
	Domain, Severity, Comment, Outcome string
	Block                              bool
}

// planImport says what importing entries would do to the blocks in force.
func planImport(entries []content.BlocklistEntry, blocked map[string]bool) []importRow {
	var rows []importRow
	seen := map[string]bool{}
	for _, e := range entries {
		row := importRow{Domain: e.Domain, Severity: e.Severity, Comment: e.Comment}
		switch {
		case e.Obfuscate || strings.ContainsAny(e.Domain, "*?"):
			row.Outcome = "skipped: the domain is obfuscated"
		case e.Severity != "suspend":
			row.Outcome = "skipped: Samizdat blocks or does not; only suspensions are imported"
		case blocked[e.Domain] || seen[e.Domain]:
			row.Outcome = "already blocked"
		case !store.ValidInstance(e.Domain):
			row.Outcome = "skipped: not a domain name"
		default:
			row.Outcome, row.Block = "will be blocked", true
			seen[e.Domain] = true
		}
		rows = append(rows, row)
	}
	return rows
}

// handleBlocklistImport previews the import of a blocklist (a file or
// pasted text) and, once confirmed, blocks each suspended domain, hiding
// its replies as a block does, and logs the import.
func (s *Server) handleBlocklistImport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	text := r.PostFormValue("csv")
	if f, _, err := r.FormFile("file"); err == nil {
		var buf bytes.Buffer
		_, err := buf.ReadFrom(f)
		f.Close()
		if err != nil {
			s.deskError(w, r, http.StatusBadRequest, "")
			return
		}
		text = buf.String()
	}
	mp, err := s.moderationPage(r, "Import a blocklist", "blocks")
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	p := importPage{moderationPage: mp, CSV: text}
	entries, err := content.ParseBlocklist(strings.NewReader(text))
	if errors.Is(err, content.ErrBlocklist) || (err == nil && len(entries) == 0) {
		p.Problem = "This is not a blocklist in Mastodon's CSV format: a header row #domain,#severity,… and a row per domain."
		s.render(w, r, http.StatusUnprocessableEntity, "moderation_import.html", p)
		return
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	blocks, err := s.store.Blocks(ctx)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	blocked := map[string]bool{}
	for _, b := range blocks {
		if b.Kind == store.BlockInstance {
			blocked[b.Target] = true
		}
	}
	p.Rows = planImport(entries, blocked)
	for _, row := range p.Rows {
		if row.Block {
			p.ToBlock++
		}
	}
	if r.PostFormValue("confirm") != "yes" {
		s.render(w, r, http.StatusOK, "moderation_import.html", p)
		return
	}
	staffID := staffFrom(ctx).ID
	hidden := 0
	for _, row := range p.Rows {
		if !row.Block {
			continue
		}
		res, err := s.store.Block(ctx, staffID, store.BlockInstance, row.Domain, row.Comment)
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		hidden += res.Hidden
	}
	detail := fmt.Sprintf("%d instances blocked, %d rows skipped, %d replies hidden", p.ToBlock, len(p.Rows)-p.ToBlock, hidden)
	if err := s.store.LogStaff(ctx, nil, staffID, store.ActionBlocklistImport, "", detail); err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "Blocklist imported: "+detail+".")
	seeOther(w, r, "/desk/moderation/blocks")
}
