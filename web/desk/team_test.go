package desk

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"samizdat/content"
)

func TestDesk_Team(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	if err := d.store.SavePage(t.Context(), &content.Page{Lang: "en", Slug: "team", Title: "The team", BodyMarkdown: "Who we are."}); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	public := d.browser(t)

	resp := b.uploadAs("/desk/team/", "photo", "me.png", textPNG(t), map[string]string{
		"id": "0", "name": "Nadia K.", "role_en": "Editor", "role_ru": "Редактор", "link": "https://nadia.example/",
	})
	wantRedirect(t, resp, "/desk/team/")
	resp = b.uploadAs("/desk/team/", "photo", "them.jpg", exifJPEG(t, binary.BigEndian), map[string]string{
		"id": "0", "name": "Secret Name", "anonymous": "yes", "role_en": "Translator", "link": "https://secret.example/",
	})
	wantRedirect(t, resp, "/desk/team/")

	members, err := d.store.TeamMembers(t.Context())
	if err != nil || len(members) != 2 || members[0].Photo == "" {
		t.Fatalf("members %+v, %v", members, err)
	}
	if photo := readMedia(t, d, members[0].Photo, ".png"); bytes.Contains(photo, []byte("secret location")) {
		t.Error("the photo kept its text chunk")
	}

	page := public.get("/en/team").Body
	wantContains(t, page, "Nadia K.", `href="https://nadia.example/"`, "Editor", "/media/"+members[0].Photo,
		`<li class="member anonymous"><p class="member-role">Translator</p></li>`, "Some of them decided to remain anonymous.")
	for _, leak := range []string{"Secret Name", "secret.example", "/media/" + members[1].Photo} {
		if strings.Contains(page, leak) {
			t.Errorf("the team page shows %q of an anonymous member", leak)
		}
	}

	t.Run("BadInput", func(t *testing.T) {
		big := bytes.Repeat([]byte{0xff}, 11<<20)
		resp := b.uploadAs("/desk/team/", "photo", "big.jpg", big, map[string]string{"id": "0", "name": "Typed Name", "role_en": "Typed role"})
		if resp.StatusCode == http.StatusSeeOther {
			t.Fatal("an 11 MB photo was taken")
		}
		resp = b.uploadAs("/desk/team/", "photo", "x.txt", []byte("not an image"), map[string]string{"id": "0", "name": "Typed Name", "role_en": "Typed role", "link": "javascript:1"})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp.Body, `value="Typed Name"`, `value="Typed role"`)
		if list, _ := d.store.TeamMembers(t.Context()); len(list) != 2 {
			t.Errorf("%d members after refused input", len(list))
		}
	})
}

func TestDesk_PageShowsTeam(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	p := &content.Page{Lang: "en", Slug: "people", Title: "People"}
	if err := d.store.SavePage(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if err := d.store.SaveTeamMember(t.Context(), &content.TeamMember{Name: "Anya", Roles: map[string]string{"en": "editor"}}); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	public := d.browser(t)
	if strings.Contains(public.get("/en/people").Body, "Anya") {
		t.Fatal("the list shows before it is asked for")
	}
	path := "/desk/pages/" + strconv.FormatInt(p.PageID, 10)
	edit := b.get(path + "/en").Body
	wantContains(t, edit, "Show the team list under this page")
	// One live preview, after the editor's form.
	if strings.Count(edit, `class="live-preview"`) != 1 || strings.Index(edit, `class="live-preview"`) < strings.Index(edit, "editor-form") {
		t.Error("the live preview is not once, beside the text")
	}
	wantRedirect(t, b.post(path+"/team", url.Values{"show": {"yes"}, "lang": {"en"}}), path+"/en")
	wantContains(t, public.get("/en/people").Body, `<p class="member-name">Anya</p>`)
}
