package desk

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"samizdat/content"
)

// headerLinks returns the labels of a public page's header links, in order.
func headerLinks(t *testing.T, body string) string {
	t.Helper()
	nav := body[strings.Index(body, `<nav class="site-nav"`):]
	nav = nav[:strings.Index(nav, "</nav>")]
	var out []string
	for _, m := range regexp.MustCompile(`href="([^"]+)"[^>]*>([^<]+)</a>`).FindAllStringSubmatch(nav, -1) {
		out = append(out, m[2]+"="+m[1])
	}
	return strings.Join(out, " ")
}

func TestDesk_Navigation(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	ctx := t.Context()
	about := &content.Page{Lang: "en", Slug: "about", Title: "About us"}
	if err := d.store.SavePage(ctx, about); err != nil {
		t.Fatal(err)
	}
	work := &content.Page{Lang: "en", Title: "How we work"}
	if err := d.store.CreatePage(ctx, work); err != nil {
		t.Fatal(err)
	}
	if err := d.store.SetPageState(ctx, work.PageID, "en", content.StatePublished); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	public := d.browser(t)

	if got := headerLinks(t, public.get("/en/").Body); got != "Stories=/en/ About=/en/about Tell your story=/en/tell" {
		t.Fatalf("built-in header: %s", got)
	}
	wantContains(t, b.get("/desk/navigation/").Body, "shows the site's built-in links")
	wantRedirect(t, b.post("/desk/navigation/customize", url.Values{"place": {"header"}}), "/desk/navigation/")
	if got := headerLinks(t, public.get("/en/").Body); got != "Stories=/en/ About us=/en/about Tell your story=/en/tell" {
		t.Errorf("after customizing: %s", got)
	}

	// An outside address that is not one comes back with what was typed.
	bad := b.post("/desk/navigation/", url.Values{"place": {"header"}, "kind": {"url"}, "url": {"javascript:alert(1)"}, "label_en": {"Typed label"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad.Body, "Give a full address starting with https://", `value="Typed label"`, `value="javascript:alert(1)"`)

	add := url.Values{"place": {"header"}, "kind": {"page"}, "page_id": {strconv.FormatInt(work.PageID, 10)}, "label_en": {"Our method"}}
	wantRedirect(t, b.post("/desk/navigation/", add), "/desk/navigation/")
	if got := headerLinks(t, public.get("/en/").Body); got != "Stories=/en/ About us=/en/about Tell your story=/en/tell Our method=/en/how-we-work" {
		t.Errorf("after adding: %s", got)
	}
	// Not published in Russian: no link there.
	if got := headerLinks(t, public.get("/ru/").Body); strings.Contains(got, "how-we-work") || strings.Contains(got, "about") {
		t.Errorf("Russian header: %s", got)
	}

	links, _ := d.store.NavLinks(ctx)
	last := links[len(links)-1]
	wantRedirect(t, b.post("/desk/navigation/"+strconv.FormatInt(last.ID, 10)+"/move", url.Values{"dir": {"up"}}), "/desk/navigation/#link-"+strconv.FormatInt(last.ID, 10))
	if got := headerLinks(t, public.get("/en/").Body); got != "Stories=/en/ About us=/en/about Our method=/en/how-we-work Tell your story=/en/tell" {
		t.Errorf("after moving up: %s", got)
	}
	wantRedirect(t, b.post("/desk/navigation/"+strconv.FormatInt(last.ID, 10)+"/remove", url.Values{}), "/desk/navigation/")
	if got := headerLinks(t, public.get("/en/").Body); strings.Contains(got, "how-we-work") {
		t.Errorf("after removing: %s", got)
	}
	// The footer is untouched: still the built-in links.
	wantContains(t, public.get("/en/").Body, `<li><a href="/en/privacy">Privacy</a></li>`)

	// A link added to a place still showing the built-in links comes after
	// them: they stay.
	wantRedirect(t, b.post("/desk/navigation/", url.Values{"place": {"footer"}, "kind": {"url"}, "url": {"https://example.org/archive"}, "label_en": {"Archive"}}), "/desk/navigation/")
	home := public.get("/en/").Body
	footer := home[strings.Index(home, `<footer`):]
	if i, j := strings.Index(footer, `href="/en/about">About us</a>`), strings.Index(footer, `href="https://example.org/archive">Archive</a>`); i < 0 || j < i {
		t.Errorf("footer after adding a link:\n%s", footer)
	}
}
