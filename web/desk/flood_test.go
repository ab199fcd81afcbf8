package desk

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

func TestDesk_FloodLimits(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("mo@example.org", "moderate the replies", content.RoleModerator)
	b := d.browser(t)
	b.login("mo@example.org", "moderate the replies")
	page := b.get("/desk/moderation/flood")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, `name="actor_per_hour" value="20"`, `name="instance_per_hour" value="200"`, "Turn the surge switch on")

	bad := b.post("/desk/moderation/flood", url.Values{"actor_per_hour": {"0"}, "instance_per_hour": {"many"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad.Body, "Give a number from 1 to 10,000.", `value="many"`)
	wantRedirect(t, b.post("/desk/moderation/flood", url.Values{"actor_per_hour": {"5"}, "instance_per_hour": {"50"}}), "/desk/moderation/flood")
	wantRedirect(t, b.post("/desk/moderation/flood/surge", url.Values{"surge": {"on"}}), "/desk/moderation/flood")
	page = b.get("/desk/moderation/flood")
	wantContains(t, page.Body, `value="5"`, `value="50"`, "On since", "Turn the surge switch off")
	l, err := d.store.FloodLimits(t.Context())
	if err != nil || l.ActorPerHour != 5 || l.InstancePerHour != 50 || !l.Surge() {
		t.Errorf("limits = %+v, %v", l, err)
	}
	wantRedirect(t, b.post("/desk/moderation/flood/surge", url.Values{}), "/desk/moderation/flood")
	if l, _ := d.store.FloodLimits(t.Context()); l.Surge() {
		t.Error("the surge switch is still on")
	}
}

// A Mastodon blocklist is previewed, then imported and logged; the blocks
// export in the same format.
func TestDesk_BlocklistImport(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("mo@example.org", "moderate the replies", content.RoleModerator)
	if _, err := d.store.Block(t.Context(), 0, store.BlockInstance, "old.example", "known"); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.login("mo@example.org", "moderate the replies")
	b.get("/desk/moderation/blocks")
	csv := "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n" +
		"raid.example,suspend,true,true,coordinated raids,false\n" +
		"old.example,suspend,false,false,,false\n" +
		"quiet.example,silence,false,false,,false\n" +
		"h*d.example,suspend,false,false,,true\n"
	preview := b.post("/desk/moderation/blocks/import", url.Values{"csv": {csv}})
	wantStatus(t, preview, http.StatusOK)
	wantContains(t, preview.Body, "1 of 4 rows would block an instance", "will be blocked", "already blocked",
		"only suspensions are imported", "obfuscated", "Block these 1 instances")
	if blocks, _ := d.store.Blocks(t.Context()); len(blocks) != 1 {
		t.Fatalf("the preview blocked something: %d blocks", len(blocks))
	}
	wantStatus(t, b.post("/desk/moderation/blocks/import", url.Values{"csv": {"not,a\nblocklist"}}), http.StatusUnprocessableEntity)

	wantRedirect(t, b.post("/desk/moderation/blocks/import", url.Values{"csv": {csv}, "confirm": {"yes"}}), "/desk/moderation/blocks")
	blocked, err := d.store.IsInstanceBlocked(t.Context(), "raid.example")
	if err != nil || !blocked {
		t.Errorf("raid.example blocked: %v, %v", blocked, err)
	}
	log, err := d.store.AuditLog(t.Context(), store.AuditFilter{Actions: []string{store.ActionBlocklistImport}})
	if err != nil || len(log) != 1 || !strings.Contains(log[0].Reason, "1 instances blocked, 3 rows skipped") || log[0].StaffName != "mo" {
		t.Errorf("import log = %+v, %v", log, err)
	}

	export := b.get("/desk/moderation/blocks/export.csv")
	wantStatus(t, export, http.StatusOK)
	entries, err := content.ParseBlocklist(strings.NewReader(export.Body))
	if err != nil || len(entries) != 2 || export.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("export %q: %+v, %v", export.Body, entries, err)
	}
	for _, e := range entries {
		if e.Severity != "suspend" || (e.Domain != "raid.example" && e.Domain != "old.example") {
			t.Errorf("exported %+v", e)
		}
	}
	if !strings.HasPrefix(export.Body, "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n") {
		t.Errorf("export header: %q", export.Body)
	}
}
