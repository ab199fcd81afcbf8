package desk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

func TestDesk_TextImage(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	st, _ := d.addDraft("en", "With a picture")
	b := d.browser(t)
	b.login("ed@example.org", "correct horse battery")
	path := fmt.Sprintf("/desk/stories/%d/en/images", st.ID)

	resp := b.uploadAs(path, "image", "kitchen.jpg", exifJPEG(t, binary.BigEndian), map[string]string{"alt": "A kitchen [table] at night"})
	wantRedirect(t, resp, fmt.Sprintf("/desk/stories/%d/en", st.ID))
	page := b.get(fmt.Sprintf("/desk/stories/%d/en", st.ID))
	m := regexp.MustCompile(`!\[A kitchen \(table\) at night\]\(/media/([0-9a-f]{64}\.jpg)\)`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no Markdown line in the message:\n%.3000s", page.Body)
	}
	stored := readMedia(t, d, m[1], ".jpg")
	if bytes.Contains(stored, []byte("Exif")) || bytes.Contains(stored, []byte("safe house")) {
		t.Error("the stored image kept its metadata")
	}
	if log, err := d.store.AuditLog(t.Context(), store.AuditFilter{Actions: []string{store.ActionTextImage}}); err != nil || len(log) != 1 || log[0].Reason != m[1] {
		t.Errorf("audit log of the upload = %+v, %v", log, err)
	}

	t.Run("BadInput", func(t *testing.T) {
		for name, c := range map[string]struct {
			data []byte
			alt  string
			want string
		}{
			"no description": {exifJPEG(t, binary.BigEndian), "  ", "description is required"},
			"not an image":   {[]byte("hello"), "A picture", "not added"},
			"bomb":           {bombPNG(), "A picture", "not added"},
		} {
			resp := b.uploadAs(path, "image", "x.png", c.data, map[string]string{"alt": c.alt})
			body := b.get(resp.Header.Get("Location")).Body
			if !strings.Contains(body, c.want) {
				t.Errorf("%s: the editor lacks %q", name, c.want)
			}
		}
	})
	t.Run("Script", func(t *testing.T) {
		// The script's request carries the token in a header and gets the
		// line, or a sentence, as plain text.
		resp := b.uploadAs(path, "image", "big.jpg", bytes.Repeat([]byte{0xff}, 11<<20), map[string]string{"alt": "Big"})
		if resp.StatusCode == http.StatusOK {
			t.Error("an 11 MB image was taken")
		}
	})
}
