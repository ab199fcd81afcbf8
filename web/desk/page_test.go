package desk

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

func TestDesk_PageFlow(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	public := d.browser(t)

	wantStatus(t, b.get("/desk/pages/new"), http.StatusOK)
	resp := b.post("/desk/pages/", url.Values{"lang": {"en"}, "title": {"How we work"}, "slug": {""}, "body": {"We read *everything*."}})
	var id int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/desk/pages/%d/en", &id); err != nil {
		t.Fatalf("create: %d to %q\n%.2000s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	wantStatus(t, public.get("/en/how-we-work"), http.StatusNotFound) // a draft

	// The Russian translation, with the English beside it, a slug of its own.
	edit := b.get(fmt.Sprintf("/desk/pages/%d/ru", id))
	wantContains(t, edit.Body, "English, for reference", "<em>everything</em>")
	resp = b.post(fmt.Sprintf("/desk/pages/%d/ru", id), url.Values{"title": {"Как мы работаем"}, "slug": {"kak-my-rabotaem"}, "body": {"Читаем всё."}})
	wantRedirect(t, resp, fmt.Sprintf("/desk/pages/%d/ru", id))
	for _, l := range []string{"en", "ru"} {
		wantRedirect(t, b.post(fmt.Sprintf("/desk/pages/%d/%s/state", id, l), url.Values{"action": {"publish"}}), fmt.Sprintf("/desk/pages/%d/%s", id, l))
	}
	page := public.get("/ru/kak-my-rabotaem")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, "<h1>Как мы работаем</h1>", `href="/en/how-we-work"`)
	wantContains(t, public.get("/fr/how-we-work").Body, "pas encore été traduite")

	// The preview is the public template, with the banner, saving nothing.
	prev := b.post(fmt.Sprintf("/desk/pages/%d/en/preview", id), url.Values{"title": {"Changed"}, "body": {"New *text*"}})
	wantContains(t, prev.Body, "Preview: this is how the page will look", "<em>text</em>")
	if p, _ := d.store.Page(t.Context(), "en", "how-we-work"); p.Title != "How we work" {
		t.Errorf("the preview saved: %+v", p)
	}

	t.Run("BadInput", func(t *testing.T) {
		typed := "Текст, который нельзя терять."
		for name, form := range map[string]url.Values{
			"clash":    {"title": {"Other"}, "slug": {"how-we-work"}, "body": {typed}},
			"reserved": {"title": {"Other"}, "slug": {"stories"}, "body": {typed}},
			"utf8":     {"title": {"Bad \xff\xfe byte"}, "slug": {""}, "body": {typed}},
			"huge":     {"title": {"Huge"}, "slug": {""}, "body": {typed + strings.Repeat("ж", 1<<20)}}, // 2 MB
		} {
			resp := b.post("/desk/pages/", url.Values{"lang": {"en"}, "title": form["title"], "slug": form["slug"], "body": form["body"]})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", name, resp.StatusCode)
				continue
			}
			wantContains(t, resp.Body, "Nothing was saved", html.EscapeString(typed))
			if name == "utf8" && !strings.Contains(resp.Body, "not text (invalid UTF-8)") {
				t.Errorf("utf8: no clear message")
			}
		}
		pages, _ := d.store.SitePages(t.Context())
		if len(pages) != 1 {
			t.Errorf("%d pages after refused input, want 1", len(pages))
		}
	})

	t.Run("Delete asks first", func(t *testing.T) {
		confirm := b.get(fmt.Sprintf("/desk/pages/%d/delete", id))
		wantContains(t, confirm.Body, "Delete “How we work”?", `name="confirm" value="yes"`)
		// A post without the confirmation goes back to the question.
		wantRedirect(t, b.post(fmt.Sprintf("/desk/pages/%d/delete", id), url.Values{}), fmt.Sprintf("/desk/pages/%d/delete", id))
		if _, err := d.store.SitePage(t.Context(), id); err != nil {
			t.Fatalf("deleted without confirmation: %v", err)
		}
		wantRedirect(t, b.post(fmt.Sprintf("/desk/pages/%d/delete", id), url.Values{"confirm": {"yes"}}), "/desk/pages/")
		wantStatus(t, public.get("/ru/kak-my-rabotaem"), http.StatusNotFound)
	})
	log, _ := d.store.AuditLog(t.Context(), store.AuditFilter{Actions: []string{store.ActionPageCreate, store.ActionPageDelete}})
	if len(log) != 2 {
		t.Errorf("audit log: %d page lines, want create and delete", len(log))
	}
}
