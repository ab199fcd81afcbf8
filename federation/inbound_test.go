package federation

import (
	"testing"
)

// TestReadActivity checks the one reader of inbound documents on the
// shapes peers send: a property as a string, an object or an array;
// GoToSocial's single-string addressing; Mastodon's QuoteRequest with an
// embedded post; an Undo of a Like of an Article.
func TestReadActivity(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		body  string
		check func(t *testing.T, o *object)
	}{
		{"GoToSocialCreate", `{"type":"Create","actor":"https://g.example/users/erin","id":"https://g.example/users/erin/statuses/1/activity",
			"object":{"id":"https://g.example/users/erin/statuses/1","type":"Note","to":"https://www.w3.org/ns/activitystreams#Public",
			"cc":"https://g.example/users/erin/followers","attributedTo":"https://g.example/users/erin","contentMap":{"ru":"<p>x</p>"},
			"replies":{"id":"https://g.example/users/erin/statuses/1/replies","type":"Collection"}}}`,
			func(t *testing.T, o *object) {
				n := o.Object.Obj
				if n == nil || o.Object.ID != n.ID || n.Type != "Note" || len(n.To) != 1 || n.To[0] != publicIRI || len(n.Cc) != 1 ||
					n.Replies != "https://g.example/users/erin/statuses/1/replies" || n.ContentMap["ru"] != "<p>x</p>" {
					t.Errorf("object %+v", n)
				}
			}},
		{"TypeListAndActorObject", `{"type":["Like","litepub:EmojiReact"],"actor":{"id":"https://m.example/users/a","type":"Person"},"object":["https://s.example/ap/articles/k"]}`,
			func(t *testing.T, o *object) {
				if o.Type != "Like" || o.Actor != "https://m.example/users/a" || o.Object.ID != "https://s.example/ap/articles/k" || o.Object.Obj != nil {
					t.Errorf("%+v", o)
				}
			}},
		{"UndoOfLike", `{"type":"Undo","actor":"https://m.example/users/a","object":{"id":"https://m.example/users/a#likes/1","type":"Like",
			"actor":"https://m.example/users/a","object":"https://s.example/ap/articles/k"}}`,
			func(t *testing.T, o *object) {
				l := o.Object.Obj
				if l == nil || l.Type != "Like" || l.Actor != "https://m.example/users/a" || l.Object.ID != "https://s.example/ap/articles/k" {
					t.Errorf("embedded %+v", l)
				}
			}},
		{"QuoteRequest", `{"type":"QuoteRequest","id":"https://m.example/users/a/quote_requests/1","actor":"https://m.example/users/a",
			"object":"https://s.example/ap/articles/k","instrument":{"id":"https://m.example/users/a/statuses/2","type":"Note",
			"attributedTo":"https://m.example/users/a","quoteUri":"https://s.example/ap/articles/k"}}`,
			func(t *testing.T, o *object) {
				p := o.Instrument.Obj
				if o.Instrument.ID != "https://m.example/users/a/statuses/2" || p == nil || p.AttributedTo != "https://m.example/users/a" ||
					p.Quote != "https://s.example/ap/articles/k" {
					t.Errorf("instrument %+v", o.Instrument)
				}
			}},
		{"FlagObjects", `{"type":"Flag","actor":"https://m.example/actor","content":"spam","object":["https://m.example/users/b",{"id":"https://x.example/r/1"}]}`,
			func(t *testing.T, o *object) {
				if len(o.Objects) != 2 || o.Objects[1] != "https://x.example/r/1" || o.Content != "spam" {
					t.Errorf("%+v", o)
				}
			}},
		{"AttributedToList", `{"type":"Create","actor":"https://p.example/u","object":{"id":"https://p.example/n","type":"Note",
			"attributedTo":[{"type":"Collection","id":"https://p.example/g"},{"type":"Person","id":"https://p.example/u"}]}}`,
			func(t *testing.T, o *object) {
				if got := o.Object.Obj.AttributedTo; got != "https://p.example/u" {
					t.Errorf("attributedTo %q, want the first actor", got)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := readActivity([]byte(c.body))
			if err != nil {
				t.Fatalf("not read as an activity: %v", err)
			}
			c.check(t, o)
		})
	}
	for _, bad := range []string{`[]`, `{"type":"Create"}`, `{"actor":"https://m.example/a"}`, `not json`} {
		if _, err := readActivity([]byte(bad)); err == nil {
			t.Errorf("%s read as an activity", bad)
		}
	}
}
