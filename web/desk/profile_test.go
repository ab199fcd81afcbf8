package desk

import (
	"encoding/binary"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

func TestDesk_Profile(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	d.addStaff("mo@example.org", "correct horse battery", content.RoleModerator)
	ctx := t.Context()
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	public := d.browser(t)

	list := b.get("/desk/profiles/")
	wantStatus(t, list, http.StatusOK)
	wantContains(t, list.Body, `href="/desk/profiles/ru"`, "Samizdat Desk Test (", "(built-in)")

	unchanged := func(t *testing.T) {
		t.Helper()
		p, err := d.store.ActorProfile(ctx, "en")
		if err != nil {
			t.Fatal(err)
		}
		if p.DisplayName != "" || p.Bio != "" || p.Avatar != "" || len(p.Fields) != 0 {
			t.Errorf("a refused save changed the profile: %+v", p)
		}
		if files := d.mediaFiles(t); len(files) != 0 {
			t.Errorf("a refused save left files: %v", files)
		}
	}

	t.Run("Refused", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			want   []string
		}{
			{"LongName", url.Values{"display_name": {strings.Repeat("n", 101)}, "bio": {"Typed bio"}}, http.StatusUnprocessableEntity,
				[]string{"Keep the display name under 100 characters", ">Typed bio</textarea>", `value="` + strings.Repeat("n", 101) + `"`}},
			{"LongField", url.Values{"field_label_1": {"Site"}, "field_value_1": {"https://example.org/" + strings.Repeat("x", 250)}, "display_name": {"Kept"}}, http.StatusUnprocessableEntity,
				[]string{"The value of field 1 must be one line of at most 255 characters", `value="Kept"`, `value="Site"`}},
			{"LabelMissing", url.Values{"field_value_2": {"https://example.org/"}}, http.StatusUnprocessableEntity,
				[]string{"Give field 2 a label.", `value="https://example.org/"`}},
			{"LongBio", url.Values{"bio": {strings.Repeat("б", 5001)}}, http.StatusUnprocessableEntity,
				[]string{"Keep the bio under 5000 characters"}},
			{"InvalidUTF8", url.Values{"display_name": {"Samizdat \xff English"}, "bio": {"Kept bio"}}, http.StatusUnprocessableEntity,
				[]string{"characters that are not text", `value="Samizdat � English"`, ">Kept bio</textarea>"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				b.get("/desk/profiles/en")
				resp := b.post("/desk/profiles/en", tc.form)
				wantStatus(t, resp, tc.status)
				wantContains(t, resp.Body, tc.want...)
				unchanged(t)
			})
		}
		for _, tc := range []struct {
			name, file string
			data       []byte
			status     int
			message    string
		}{
			{"NotAnImage", "me.jpg", []byte("just text"), http.StatusUnprocessableEntity, "not a JPEG, PNG or WebP image"},
			{"Bomb", "bomb.png", bombPNG(), http.StatusUnprocessableEntity, "at most 16000 pixels"},
			{"OverLimit", "huge.jpg", append([]byte("\xFF\xD8\xFF\xE0"), make([]byte, maxCoverBytes)...), http.StatusRequestEntityTooLarge, "larger than 10 MB"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				b.get("/desk/profiles/en")
				resp := b.uploadAs("/desk/profiles/en", "avatar", tc.file, tc.data, map[string]string{"display_name": "Typed name", "bio": "Typed *bio*"})
				wantStatus(t, resp, tc.status)
				wantContains(t, resp.Body, tc.message, `id="avatar-error"`, "Choose the file again.", `value="Typed name"`, ">Typed *bio*</textarea>")
				unchanged(t)
			})
		}
	})

	t.Run("ModeratorRefused", func(t *testing.T) {
		m := d.browser(t)
		m.login("mo@example.org", "correct horse battery")
		wantStatus(t, m.get("/desk/profiles/en"), http.StatusForbidden)
	})

	t.Run("Saved", func(t *testing.T) {
		b.get("/desk/profiles/en")
		resp := b.uploadAs("/desk/profiles/en", "avatar", "me.jpg", exifJPEG(t, binary.BigEndian), map[string]string{
			"display_name":  "Samizdat in English",
			"bio":           "Stories *against* the war.",
			"field_label_1": "Mastodon",
			"field_value_1": "https://social.example/@samizdat",
			"field_label_3": "Motto",
			"field_value_3": "Speak <softly>",
		})
		wantRedirect(t, resp, "/desk/profiles/en")
		p, err := d.store.ActorProfile(ctx, "en")
		if err != nil {
			t.Fatal(err)
		}
		if p.DisplayName != "Samizdat in English" || p.BioHTML != "<p>Stories <em>against</em> the war.</p>\n" || !strings.HasSuffix(p.Avatar, ".jpg") || p.Header != "" {
			t.Errorf("saved profile = %+v", p)
		}
		if want := []content.ProfileField{{Label: "Mastodon", Value: "https://social.example/@samizdat"}, {Label: "Motto", Value: "Speak <softly>"}}; len(p.Fields) != 2 || p.Fields[0] != want[0] || p.Fields[1] != want[1] {
			t.Errorf("fields = %+v, want %+v", p.Fields, want)
		}
		if files := d.mediaFiles(t); len(files) != 1 {
			t.Errorf("media files = %v, want the avatar", files)
		}
		log, err := d.store.AuditLog(ctx, store.AuditFilter{Actions: []string{store.ActionProfile}})
		if err != nil || len(log) != 1 || log[0].Target != "actor en" {
			t.Errorf("audit log = %v, %v", log, err)
		}
		page := b.get("/desk/profiles/en")
		wantContains(t, page.Body, "The current avatar.", `id="avatar_remove"`, `value="Speak &lt;softly&gt;"`)

		// The section links the field with rel="me", after the actors' own.
		section := public.get("/en/").Body
		wantContains(t, section, `<link rel="me" href="https://social.example/@samizdat">`, `<a rel="me" href="https://social.example/@samizdat">Mastodon</a>`)
		if strings.Contains(section, "Motto") {
			t.Errorf("a field that is no link shows on the section")
		}

		// Back to the built-in avatar, the rest kept.
		b.get("/desk/profiles/en")
		form := url.Values{"display_name": {"Samizdat in English"}, "bio": {p.Bio}, "avatar_remove": {"1"},
			"field_label_1": {"Mastodon"}, "field_value_1": {"https://social.example/@samizdat"}}
		wantRedirect(t, b.post("/desk/profiles/en", form), "/desk/profiles/en")
		if p, _ := d.store.ActorProfile(ctx, "en"); p.Avatar != "" || p.DisplayName != "Samizdat in English" || len(p.Fields) != 1 {
			t.Errorf("after removing the avatar: %+v", p)
		}
	})
}
