package federation

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"samizdat/content"
)

// FuzzReadActivity feeds the inbox's reader arbitrary bodies, starting from
// every activity in testdata/fixtures. It must never panic, and whatever it
// accepts must be text PostgreSQL stores: valid UTF-8 without NUL.
func FuzzReadActivity(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "fixtures", "*", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var fx struct {
			Activity json.RawMessage `json:"activity"`
		}
		if json.Unmarshal(b, &fx) == nil && len(fx.Activity) > 0 {
			f.Add([]byte(fx.Activity))
		}
	}
	f.Add([]byte(`{"type":"Create","actor":"https://a.example/u","object":{"type":"Note","content":"a\u0000b"}}`))
	f.Add([]byte("{\"type\":\"Create\",\"actor\":\"https://a.example/u\",\"object\":{\"content\":\"\xff\xfe\"}}"))
	f.Add([]byte(`null`))
	f.Add([]byte(`[{"type":"Like"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		act, err := readActivity(body)
		if err != nil {
			return
		}
		texts := []string{act.ID, act.Type, act.Actor, act.Content, act.Name, act.Summary}
		if obj := act.Object.Obj; obj != nil {
			n := parseNote(obj)
			texts = append(texts, n.ID, n.Content, n.Name, n.Summary, n.Lang, content.SanitizeHTML(n.Content), content.PlainText(n.Summary))
			for _, m := range n.Mentions {
				texts = append(texts, m.Href, m.Name)
			}
		}
		for _, s := range texts {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("accepted text PostgreSQL would refuse: %q", s)
			}
		}
	})
}

// TestInbox_BadInput sends signed activities that are broken in the ways a
// careless or hostile peer breaks them. Each gets a 400 or a 413 that says
// what was wrong, or is taken (202); never a 500.
func TestInbox_BadInput(t *testing.T) {
	t.Parallel()
	d := newDialogueEnv(t)
	create := func(content string) []byte {
		b, _ := json.Marshal(map[string]any{"id": d.p.base + "/users/erin/statuses/bad#create", "type": "Create", "actor": d.p.erin(),
			"object": map[string]any{"id": d.p.base + "/users/erin/statuses/bad", "type": "Note", "attributedTo": d.p.erin(),
				"inReplyTo": d.vars["{{article}}"], "to": publicIRI, "content": content, "published": "2026-11-20T11:00:00Z"}})
		return b
	}
	nul := create("a\x00b") // json.Marshal writes \u0000
	invalid := bytes.Replace(create("aXXb"), []byte("XX"), []byte{0xff, 0xfe}, 1)
	deep := []byte(`{"type":"Create","actor":"` + d.p.erin() + `","object":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`)
	for _, c := range []struct {
		name string
		body []byte
		want int
		says string
	}{
		{"NUL in the content", nul, http.StatusBadRequest, "NUL"},
		{"invalid UTF-8", invalid, http.StatusBadRequest, "UTF-8"},
		{"not JSON", []byte("<html>"), http.StatusBadRequest, "not a JSON object"},
		{"JSON null", []byte("null"), http.StatusBadRequest, "not a JSON object"},
		{"an array", []byte(`[{"type":"Create"}]`), http.StatusBadRequest, "not a JSON object"},
		{"no actor", []byte(`{"type":"Create"}`), http.StatusBadRequest, "no type or no actor"},
		{"nested too deep", deep, http.StatusBadRequest, "not a JSON object"},
		{"over 1 MB", create(strings.Repeat("x", 1<<20)), http.StatusRequestEntityTooLarge, "larger than 1 MB"},
		{"a long reply within 1 MB", create("<p>" + strings.Repeat("word ", 180_000) + "</p>"), http.StatusAccepted, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := d.p.sendRaw(d.env, d.p.erin(), c.body, sendOpts{})
			if w.Code != c.want || !strings.Contains(w.Body.String(), c.says) {
				t.Errorf("got %d %q, want %d saying %q", w.Code, w.Body.String(), c.want, c.says)
			}
		})
	}
}
