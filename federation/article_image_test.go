package federation

import (
	"reflect"
	"testing"

	"samizdat/content"
)

// setCover gives tr's story a cover image file and tr the alt text.
func setCover(t *testing.T, e *env, tr *content.Translation, file, alt string) {
	t.Helper()
	ctx := t.Context()
	st, err := e.store.Story(ctx, tr.StoryID)
	if err != nil {
		t.Fatal(err)
	}
	st.CoverImage = file
	if err := e.store.UpdateStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	tr.CoverAlt = alt
	if err := e.store.SaveTranslation(ctx, tr); err != nil {
		t.Fatal(err)
	}
}

// TestArticle_CoverImage: the Article carries no attachment at all (a media
// attachment would take the place of Mastodon's preview card, and
// GoToSocial cannot read a Link one) and the cover as an Image in image
// (docs/federation.md#article-cover-image).
func TestArticle_CoverImage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})

	plain := e.publish(t, "en", "No picture", nil, false)
	m := decode(t, e.getAP(t, "/ap/articles/"+plain.ObjectKey))
	for _, k := range []string{"attachment", "image"} {
		if v, ok := m[k]; ok {
			t.Errorf("Article without a cover has %s: %v", k, v)
		}
	}

	tr := e.publish(t, "en", "Lights out in Kharkiv", nil, false)
	setCover(t, e, tr, "ab12cd.webp", "A street at night, without a single lit window.")
	want := map[string]any{
		"type":      "Image",
		"url":       "https://samizdat.example/media/ab12cd.webp",
		"mediaType": "image/webp",
		"name":      "A street at night, without a single lit window.",
	}
	m = decode(t, e.getAP(t, "/ap/articles/"+tr.ObjectKey))
	if !reflect.DeepEqual(m["image"], want) {
		t.Errorf("image = %v, want %v", m["image"], want)
	}
	if v, ok := m["attachment"]; ok {
		t.Errorf("attachment = %v, want none", v)
	}

	// The edit just made (the alt text) went out as an Update carrying it.
	var body []byte
	if err := e.store.Pool().QueryRow(t.Context(), `SELECT body FROM activities WHERE type = 'Update' ORDER BY created_at DESC LIMIT 1`).Scan(&body); err != nil {
		t.Fatal(err)
	}
	obj, _ := decode(t, body)["object"].(map[string]any)
	if !reflect.DeepEqual(obj["image"], want) {
		t.Errorf("Update's Article image = %v, want %v", obj["image"], want)
	}

	// Without alt text the Image has no name rather than an empty one.
	setCover(t, e, tr, "ab12cd.png", "")
	img, _ := decode(t, e.getAP(t, "/ap/articles/"+tr.ObjectKey))["image"].(map[string]any)
	if _, ok := img["name"]; ok || img["mediaType"] != "image/png" {
		t.Errorf("image without alt = %v", img)
	}
}

// TestActor_BaseURLWithPort: with a port in BASE_URL, the handles keep it,
// attributionDomains lists the host both without it (what Mastodon
// compares) and with it, and the instance actor's user name stays one
// Mastodon accepts (docs/federation.md#base-url-port).
func TestActor_BaseURLWithPort(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{base: "http://127.0.0.1:8443"})

	en := decode(t, e.getAP(t, "/actors/en"))
	if got, want := en["attributionDomains"], []any{"127.0.0.1", "127.0.0.1:8443"}; !reflect.DeepEqual(got, want) {
		t.Errorf("attributionDomains = %v, want %v", got, want)
	}
	if got := en["webfinger"]; got != "en@127.0.0.1:8443" {
		t.Errorf("language actor webfinger = %v", got)
	}

	inst := decode(t, e.getAP(t, "/actor"))
	name, _ := inst["preferredUsername"].(string)
	if name != "127.0.0.1" || !usernameRE.MatchString(name) {
		t.Errorf("instance actor preferredUsername = %q, want 127.0.0.1, a name Mastodon accepts", name)
	}
	if got := inst["webfinger"]; got != "127.0.0.1@127.0.0.1:8443" {
		t.Errorf("instance actor webfinger = %v, want the handle with the port", got)
	}
	w := e.get(t, e.fed.Handler(), "/.well-known/webfinger?resource=acct:127.0.0.1@127.0.0.1:8443", "")
	if w.Code != 200 {
		t.Fatalf("WebFinger for the instance actor's handle: %d", w.Code)
	}
	if got := decode(t, w.Body.Bytes())["subject"]; got != "acct:127.0.0.1@127.0.0.1:8443" {
		t.Errorf("WebFinger subject = %v", got)
	}

	// Without a port nothing is listed twice.
	plain := newEnv(t, envOptions{})
	if got := decode(t, plain.getAP(t, "/actors/en"))["attributionDomains"]; !reflect.DeepEqual(got, []any{"samizdat.example"}) {
		t.Errorf("attributionDomains without a port = %v", got)
	}
}
