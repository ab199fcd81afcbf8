package federation

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"samizdat/content"
)

const apAccept = "application/activity+json, application/ld+json"

func TestArticle_Serving(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	h, pages := e.fed.Handler(), e.fed.ActivityPubPages()
	tr := e.publish(t, "en", "Lights out in Kharkiv", []string{"war"}, false)
	id := e.fed.ArticleIRI(tr.ObjectKey)
	path := "/ap/articles/" + tr.ObjectKey

	t.Run("OK", func(t *testing.T) {
		m := decode(t, e.getAP(t, path))
		if m["id"] != id {
			t.Errorf("id %v, want %s (docs/federation.md#object-id-served-exactly)", m["id"], id)
		}
		if m["type"] != "Article" {
			t.Errorf("type %v", m["type"])
		}
		for _, k := range []string{"canReply", "signature", "sensitive"} {
			if _, ok := m[k]; ok {
				t.Errorf("Article carries %q (docs/federation.md#json-ld-context)", k)
			}
		}
		// canQuote only: a canReply would make GoToSocial hold its
		// users' replies for our approval.
		if p, _ := m["interactionPolicy"].(map[string]any); len(p) != 1 || p["canQuote"] == nil {
			t.Errorf("interactionPolicy %v, want canQuote only (docs/federation.md#no-interaction-policy)", m["interactionPolicy"])
		}
	})
	t.Run("Browser", func(t *testing.T) {
		w := e.get(t, h, path, "text/html")
		if w.Code != http.StatusFound || w.Header().Get("Location") != "https://samizdat.example/en/stories/lights-out-in-kharkiv" {
			t.Errorf("browser: %d to %q, want 302 to the story page", w.Code, w.Header().Get("Location"))
		}
	})
	t.Run("StoryPageAnswersAP", func(t *testing.T) {
		w := e.get(t, pages, "/en/stories/lights-out-in-kharkiv", apAccept)
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != ContentType || w.Header().Get("Vary") != "Accept" {
			t.Fatalf("story page as AP: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Vary"))
		}
		if m := decode(t, w.Body.Bytes()); m["id"] != id {
			t.Errorf("story page gives id %v, want %s", m["id"], id)
		}
	})
	t.Run("OldSlugAnswersAP", func(t *testing.T) {
		e.clock.Set(t0.Add(time.Minute))
		tr.Slug = "kharkiv-in-the-dark"
		if err := e.store.SaveTranslation(ctx, tr); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/en/stories/lights-out-in-kharkiv", "/en/stories/kharkiv-in-the-dark"} {
			w := e.get(t, pages, p, apAccept)
			if w.Code != http.StatusOK {
				t.Fatalf("%s: status %d", p, w.Code)
			}
			m := decode(t, w.Body.Bytes())
			if m["id"] != id || m["url"] != "https://samizdat.example/en/stories/kharkiv-in-the-dark" {
				t.Errorf("%s: id %v url %v: the id must not change with the slug (docs/federation.md#object-id-served-exactly)", p, m["id"], m["url"])
			}
		}
	})
	t.Run("SectionAnswersActor", func(t *testing.T) {
		w := e.get(t, pages, "/en/", apAccept)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		if m := decode(t, w.Body.Bytes()); m["id"] != e.fed.ActorURL("en") {
			t.Errorf("section gives %v", m["id"])
		}
		if w := e.get(t, pages, "/de/", apAccept); w.Code != http.StatusNotFound {
			t.Errorf("unknown language: %d, want 404", w.Code)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		for _, p := range []string{"/ap/articles/not-a-uuid", "/ap/articles/8b0c2c8e-0000-4000-8000-000000000000", "/ap/articles/x/replies"} {
			if w := e.get(t, h, p, apAccept); w.Code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", p, w.Code)
			}
		}
	})
	t.Run("Withdrawn", func(t *testing.T) {
		// docs/federation.md#withdrawn-articles: a withdrawn id answers 404,
		// which makes Mastodon drop its copy on refetch (410 would not), and so
		// do its collections and its story page; republishing gives a new id,
		// never the old one.
		e.clock.Set(t0.Add(2 * time.Minute))
		if _, err := e.store.SetTranslationState(ctx, tr.ID, content.StateWithdrawn, time.Time{}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "/replies", path + "/likes", path + "/shares", path + "/context"} {
			if w := e.get(t, h, p, apAccept); w.Code != http.StatusNotFound {
				t.Errorf("withdrawn %s: %d, want 404", p, w.Code)
			}
		}
		if w := e.get(t, pages, "/en/stories/kharkiv-in-the-dark", apAccept); w.Code != http.StatusNotFound {
			t.Errorf("withdrawn story page: %d, want 404", w.Code)
		}
		again, err := e.store.SetTranslationState(ctx, tr.ID, content.StatePublished, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if again.ObjectKey == tr.ObjectKey {
			t.Fatal("republished with the withdrawn key")
		}
		if w := e.get(t, h, path, apAccept); w.Code != http.StatusNotFound {
			t.Errorf("old id after republishing: %d, want 404", w.Code)
		}
		e.getAP(t, "/ap/articles/"+again.ObjectKey)
	})
}

func TestActor_Serving(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	h := e.fed.Handler()

	m := decode(t, e.getAP(t, "/actors/en"))
	id := m["id"].(string)
	key := m["publicKey"].(map[string]any)
	if key["owner"] != id || !strings.HasPrefix(key["id"].(string), id+"#") {
		t.Errorf("publicKey %v: owner must be the id and the key a fragment of it (docs/federation.md#actor-key-embedded)", key)
	}
	pub, err := ParsePublicKey(key["publicKeyPem"].(string))
	if err != nil || pub.N.BitLen() < 2048 {
		t.Errorf("public key: %v, %d bits; want RSA of 2048 bits or more (docs/federation.md#rsa-keys)", err, pub.N.BitLen())
	}
	if u, _ := url.Parse(m["url"].(string)); u.Host != "samizdat.example" {
		t.Errorf("url %v is not on the actor's host (docs/federation.md#actor-profile-url-host)", m["url"])
	}
	for _, k := range []string{"icon", "image"} {
		img, ok := m[k].(map[string]any)
		if !ok || img["type"] != "Image" || img["url"] == "" {
			t.Errorf("%s = %v, want an Image object (docs/federation.md#actor-images)", k, m[k])
		}
	}

	t.Run("Browser", func(t *testing.T) {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r, _ := http.NewRequestWithContext(t.Context(), method, "/actors/en", nil)
			w := newRecorder()
			h.ServeHTTP(w, r)
			// Mastodon's rel="me" check sends HEAD and compares Location with
			// the actor's url as a string
			// (docs/federation.md#profile-link-verification).
			if w.Code != http.StatusFound || w.Header().Get("Location") != m["url"] {
				t.Errorf("%s without Accept: %d to %q, want 302 to %v", method, w.Code, w.Header().Get("Location"), m["url"])
			}
		}
	})
	t.Run("InstanceActorUnsigned", func(t *testing.T) {
		m := decode(t, e.getAP(t, "/actor"))
		if m["type"] != "Application" {
			t.Errorf("instance actor type %v, want Application (docs/federation.md#instance-actor)", m["type"])
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		for _, p := range []string{"/actors/de", "/actors/instance", "/actors/de/outbox", "/actors/de/icon.png"} {
			w := e.get(t, h, p, apAccept)
			if w.Code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404 (never 410, docs/federation.md#actor-never-410)", p, w.Code)
			}
		}
	})
	t.Run("Images", func(t *testing.T) {
		for _, p := range []string{"/actors/en/icon.png", "/actors/ru/header.png"} {
			w := e.get(t, h, p, "")
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/png" {
				t.Fatalf("%s: %d %q", p, w.Code, w.Header().Get("Content-Type"))
			}
			if _, err := png.Decode(bytes.NewReader(w.Body.Bytes())); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
	})
}

// TestFollowers_Paging follows the pages to the end; their union is the
// followers table (docs/federation.md#actor-collections-counts).
func TestFollowers_Paging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	want := map[string]bool{}
	for i := range 150 {
		id := fmt.Sprintf("https://peer%d.example/users/u%d", i%7, i)
		addFollower(t, e, "ru", id, id+"/inbox")
		want[id] = true
	}
	c := decode(t, e.getAP(t, "/actors/ru/followers"))
	if c["totalItems"] != float64(150) {
		t.Errorf("totalItems %v, want 150", c["totalItems"])
	}
	got := map[string]bool{}
	next, pages := c["first"].(string), 0
	for next != "" && pages < 10 {
		pages++
		u, _ := url.Parse(next)
		p := decode(t, e.getAP(t, u.RequestURI()))
		if p["partOf"] != c["id"] {
			t.Errorf("page %d: partOf %v", pages, p["partOf"])
		}
		for _, it := range p["orderedItems"].([]any) {
			got[it.(string)] = true
		}
		next, _ = p["next"].(string)
	}
	if pages != 2 || len(got) != len(want) {
		t.Errorf("%d pages with %d followers, want 2 pages with %d", pages, len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s missing from the pages", id)
		}
	}
	if w := e.get(t, e.fed.Handler(), "/actors/ru/followers?page=0", apAccept); w.Code != http.StatusNotFound {
		t.Errorf("page=0: %d, want 404", w.Code)
	}
}

// TestGolden_Context checks every golden ActivityPub document for the fixed
// @context and for LD signatures (docs/federation.md#json-ld-context).
func TestGolden_Context(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	want, err := encode(ldContext)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "webfinger") || strings.HasPrefix(name, "nodeinfo") || strings.HasPrefix(name, "host-meta") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := decode(t, b)
		got, _ := encode(m["@context"])
		if !bytes.Equal(got, want) {
			t.Errorf("%s: @context %s, want the fixed one", name, got)
		}
		if bytes.Contains(b, []byte(`"http://joinmastodon.org/ns"`)) || bytes.Contains(b, []byte(`"signature"`)) {
			t.Errorf("%s: carries a dead context URL or an LD signature", name)
		}
	}
}

// TestArticle_Size checks that a story whose HTML is huge still goes out
// under a megabyte: first without the duplicate content, then with only the
// teaser and a link.
func TestArticle_Size(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, c := range []struct {
		n           int  // ampersands in the body: each becomes five bytes of HTML
		wantContent bool // content kept beside contentMap
		wantBody    bool // the body kept at all
	}{
		{1000, true, true},
		{150_000, false, true},
		{199_000, true, false},
	} {
		tr := &content.Translation{ID: 1, Lang: "en", Title: "T", Teaser: "Short.", Slug: "s", ObjectKey: "k",
			BodyHTML: "<p>" + strings.Repeat("&amp;", c.n) + "</p>", PublishedAt: t0}
		d, err := e.fed.createActivity(tr, articleExtras{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := encode(withContext(d))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 1<<20 {
			t.Errorf("%d: Create is %d bytes, over 1 MB", c.n, len(b))
		}
		obj := d["object"].(doc)
		_, hasContent := obj["content"]
		body := strings.Contains(obj["contentMap"].(map[string]string)["en"], "&amp;&amp;")
		if hasContent != c.wantContent || body != c.wantBody {
			t.Errorf("%d: content kept %v, body kept %v; want %v, %v", c.n, hasContent, body, c.wantContent, c.wantBody)
		}
	}
}
