package federation

import (
	"reflect"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
)

// TestActor_Profile: what editors set replaces the built-in name, summary,
// images and field; saving it queues an Update carrying the new actor to
// the followers' inboxes (docs/federation.md#actor-updates).
func TestActor_Profile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	before := decode(t, e.getAP(t, "/actors/en"))
	follower := &store.RemoteActor{ID: "https://social.example/users/olga", Host: "social.example",
		Inbox: "https://social.example/users/olga/inbox", SharedInbox: "https://social.example/inbox",
		KeyID: "https://social.example/users/olga#main-key", PublicKeyPEM: "x", Username: "olga", Document: []byte("{}")}
	if err := e.store.SaveRemoteActor(ctx, follower); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Follow(ctx, "en", follower.ID, follower.ID+"#follow", nil); err != nil {
		t.Fatal(err)
	}

	p := &content.ActorProfile{
		Lang: "en", DisplayName: "Samizdat in English",
		Bio: "Letters *across* the [border](/en/about).", BioHTML: content.RenderMarkdown("en", "Letters *across* the [border](/en/about)."),
		Avatar: "ab12.jpg", Header: "cd34.png",
		Fields: []content.ProfileField{{Label: "Mastodon", Value: "https://social.example/@samizdat"}, {Label: "Motto", Value: "Speak <softly>"}},
	}
	if err := e.fed.SaveProfile(ctx, 0, p); err != nil {
		t.Fatal(err)
	}
	m := decode(t, e.getAP(t, "/actors/en"))
	if m["name"] != "Samizdat in English" || m["summary"] != "<p>Letters <em>across</em> the <a href=\"https://samizdat.example/en/about\">border</a>.</p>\n" {
		t.Errorf("name %q, summary %q", m["name"], m["summary"])
	}
	wantIcon := map[string]any{"type": "Image", "url": "https://samizdat.example/media/ab12.jpg", "mediaType": "image/jpeg", "name": "Samizdat in English"}
	if !reflect.DeepEqual(m["icon"], wantIcon) {
		t.Errorf("icon = %v, want %v", m["icon"], wantIcon)
	}
	if img, _ := m["image"].(map[string]any); img["url"] != "https://samizdat.example/media/cd34.png" || img["mediaType"] != "image/png" {
		t.Errorf("image = %v", m["image"])
	}
	wantFields := []any{
		map[string]any{"type": "PropertyValue", "name": "Mastodon", "value": `<a href="https://social.example/@samizdat" rel="me nofollow noopener" target="_blank">social.example/@samizdat</a>`},
		map[string]any{"type": "PropertyValue", "name": "Motto", "value": "Speak &lt;softly&gt;"},
	}
	if !reflect.DeepEqual(m["attachment"], wantFields) {
		t.Errorf("attachment = %v, want %v", m["attachment"], wantFields)
	}
	for _, k := range []string{"id", "publicKey", "inbox", "url"} {
		if !reflect.DeepEqual(m[k], before[k]) {
			t.Errorf("%s changed: %v, was %v", k, m[k], before[k])
		}
	}

	var body []byte
	var actor string
	if err := e.store.Pool().QueryRow(ctx, `SELECT actor, body FROM activities WHERE type = 'Update' ORDER BY created_at DESC LIMIT 1`).Scan(&actor, &body); err != nil {
		t.Fatalf("no Update queued: %v", err)
	}
	update := decode(t, body)
	obj, _ := update["object"].(map[string]any)
	if actor != "en" || update["actor"] != m["id"] || !strings.HasPrefix(update["id"].(string), m["id"].(string)+"#updates/") {
		t.Errorf("Update %v by %s", update["id"], actor)
	}
	if obj["summary"] != m["summary"] || !reflect.DeepEqual(obj["icon"], wantIcon) {
		t.Errorf("Update's actor: summary %v, icon %v", obj["summary"], obj["icon"])
	}
	var inboxes int
	if err := e.store.Pool().QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE activity_id = $1 AND inbox = 'https://social.example/inbox'`, update["id"]).Scan(&inboxes); err != nil || inboxes != 1 {
		t.Errorf("deliveries of the Update to the shared inbox: %d, %v", inboxes, err)
	}
}

// TestArticle_MediaImagesAbsolute: images of the media store and links to
// our own pages in a story's text reach peers with our absolute address.
func TestArticle_MediaImagesAbsolute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tr := e.publish(t, "en", "With a picture", nil, false)
	tr.BodyMarkdown = "Before, [about us](/en/about) and [elsewhere](https://example.org/x).\n\n![The ferry](/media/ab12.jpg)"
	if err := e.store.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatal(err)
	}
	m := decode(t, e.getAP(t, "/ap/articles/"+tr.ObjectKey))
	want := `<img src="https://samizdat.example/media/ab12.jpg" alt="The ferry" />`
	if c, _ := m["content"].(string); !strings.Contains(c, want) {
		t.Errorf("content = %s, want %s", c, want)
	}
	if c, _ := m["content"].(string); !strings.Contains(c, `<a href="https://samizdat.example/en/about">`) || !strings.Contains(c, `<a href="https://example.org/x">`) {
		t.Errorf("links in content = %s", c)
	}
	if cm, _ := m["contentMap"].(map[string]any); !strings.Contains(cm["en"].(string), want) {
		t.Errorf("contentMap = %v", cm)
	}
}
