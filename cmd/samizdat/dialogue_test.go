package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestDialogue_ThreePeers is the dialogue's whole flow on loopback: three
// peers, each on its own address with its own key, follow @en and @ru; an
// editor publishes a story in English and Russian through the desk; peer A
// answers the English Article, B the Russian one, C answers A, and C also
// answers a reply of A's that never reached us, which the server fetches from
// A. All of it shows, threaded, on both language pages. A moderator hides B's
// reply through the desk: it leaves both pages and the Russian Article's
// replies collection. A's Update changes its text on the pages; B's Delete
// removes its other reply.
func TestDialogue_ThreePeers(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "nadia@example.org", "--name", "Nadia", "--roles", "editor,moderator")
	a := newDialoguePeer(t, "127.0.0.2", "anna")
	b := newDialoguePeer(t, "127.0.0.3", "boris")
	c := newDialoguePeer(t, "127.0.0.4", "chen")
	for _, p := range []*dialoguePeer{a, b, c} {
		for _, lang := range []string{"en", "ru"} {
			p.postOK(t, srv.URL+"/actors/"+lang+"/inbox", map[string]any{
				"@context": "https://www.w3.org/ns/activitystreams",
				"id":       p.actor + "#follows/" + lang, "type": "Follow", "actor": p.actor, "object": srv.URL + "/actors/" + lang,
			})
		}
	}

	// The editor writes the story in English, publishes it, translates it
	// into Russian and publishes that too; the moderator opens the dialogue.
	desk := newDeskClient(t, srv.URL, "nadia@example.org", "correct horse battery staple")
	storyURL := desk.post(t, "/desk/stories/", url.Values{
		"byline_kind": {"publication"}, "lang": {"en"},
		"title":  {"The night the lights went out"},
		"teaser": {"Neighbours on both sides of the border remember."},
		"body":   {"It was a cold night."},
	})
	m := regexp.MustCompile(`/desk/stories/(\d+)/en$`).FindStringSubmatch(storyURL)
	if m == nil {
		t.Fatalf("creating the story led to %s", storyURL)
	}
	desk.post(t, "/desk/stories/"+m[1]+"/en/state", url.Values{"action": {"publish"}})
	desk.post(t, "/desk/stories/"+m[1]+"/ru", url.Values{
		"title":  {"Ночь, когда погас свет"},
		"teaser": {"Соседи по обе стороны границы вспоминают."},
		"body":   {"Это была холодная ночь."},
		"slug":   {"noch-kogda-pogas-svet"},
	})
	desk.post(t, "/desk/stories/"+m[1]+"/ru/state", url.Values{"action": {"publish"}})
	desk.post(t, "/desk/moderation/policy", url.Values{"policy": {"open"}})

	// Both Creates reach every peer; they name the Articles and the pages.
	articles := map[string]map[string]any{}
	for range 2 {
		create := a.await(t, "Create")
		art, _ := create["object"].(map[string]any)
		lang, _ := art["contentMap"].(map[string]any)
		for l := range lang {
			articles[l] = art
		}
	}
	en, ru := articles["en"], articles["ru"]
	if en == nil || ru == nil {
		t.Fatalf("Articles received: %v", articles)
	}
	enPage, ruPage := str(en["url"]), str(ru["url"])

	a1 := a.note("a1", str(en["id"]), "<p>Anna from the English page: we had candles too.</p>", "en")
	b1 := b.note("b1", str(ru["id"]), "<p>Борис: у нас тоже было темно.</p>", "ru")
	b2 := b.note("b2", str(en["id"]), "<p>Boris again, in English: thank you.</p>", "en")
	c1 := c.note("c1", str(a1["id"]), "<p>Chen answers Anna: where was that?</p>", "en")
	a2 := a.note("a2", str(ru["id"]), "<p>Анна по-русски: мы тоже помним.</p>", "ru") // never sent to us
	c2 := c.note("c2", str(a2["id"]), "<p>Chen answers Anna's Russian reply.</p>", "en")
	for _, x := range []struct {
		p    *dialoguePeer
		note map[string]any
	}{{a, a1}, {b, b1}, {b, b2}, {c, c1}, {c, c2}} {
		x.p.postOK(t, srv.URL+"/inbox", x.p.create(x.note))
	}
	if !slices.Contains(a.fetchedPaths(), "/users/anna/notes/a2") {
		t.Errorf("the unknown parent was not fetched from its server; A saw %v", a.fetchedPaths())
	}
	if bad := a.badFetches(); len(bad) > 0 {
		t.Errorf("fetches without a valid signature: %v", bad)
	}

	// Both pages show the whole dialogue, threaded.
	texts := map[string]string{
		"a1": "we had candles too", "b1": "у нас тоже было темно", "b2": "thank you",
		"c1": "Chen answers Anna: where", "a2": "мы тоже помним", "c2": "Chen answers Anna's Russian",
	}
	wantParent := map[string]string{"a1": "", "b1": "", "b2": "", "c1": "a1", "a2": "", "c2": "a2"}
	for _, page := range []string{enPage, ruPage} {
		got := threads(t, getPage(t, page), texts)
		for k, want := range wantParent {
			parent, shown := got[k]
			if !shown {
				t.Errorf("%s: reply %s not shown", page, k)
			} else if parent != want {
				t.Errorf("%s: reply %s is under %q, want %q", page, k, parent, want)
			}
		}
	}
	if items := repliesOf(t, str(ru["id"])); !slices.Contains(items, str(b1["id"])) || !slices.Contains(items, str(a2["id"])) {
		t.Errorf("Russian replies collection %v: want b1 and a2", items)
	}

	// The moderator hides b1 through the desk.
	st := openStore(t, srv.env["DATABASE_URL"])
	r, err := st.ReplyByAPID(t.Context(), str(b1["id"]))
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(r.ID)
	desk.refreshToken(t, "/desk/moderation/")
	desk.post(t, "/desk/moderation/replies", url.Values{"item": {"hide:" + id}, "reason-" + id: {"hostile"}, "back": {"/desk/moderation/"}})
	for _, page := range []string{enPage, ruPage} {
		if got := threads(t, getPage(t, page), texts); hasKey(got, "b1") || !hasKey(got, "a1") {
			t.Errorf("%s after hiding b1: %v", page, got)
		}
	}
	if items := repliesOf(t, str(ru["id"])); slices.Contains(items, str(b1["id"])) {
		t.Errorf("the hidden reply is still in the replies collection: %v", items)
	}

	// A edits a1: the new text shows.
	edited := a.note("a1", str(en["id"]), "<p>Anna, edited: we had candles and a radio.</p>", "en")
	edited["updated"] = time.Now().UTC().Add(time.Second).Format(time.RFC3339)
	a.postOK(t, srv.URL+"/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": str(edited["id"]) + "#updates/1",
		"type": "Update", "actor": a.actor, "to": []string{publicAS}, "object": edited,
	})
	// B deletes b2: it goes.
	b.postOK(t, srv.URL+"/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": str(b2["id"]) + "#delete",
		"type": "Delete", "actor": b.actor, "to": []string{publicAS},
		"object": map[string]any{"id": b2["id"], "type": "Tombstone", "atomUri": b2["id"]},
	})
	for _, page := range []string{enPage, ruPage} {
		body := getPage(t, page)
		if !strings.Contains(body, "we had candles and a radio") || strings.Contains(body, "we had candles too.") {
			t.Errorf("%s does not show A's edit", page)
		}
		if hasKey(threads(t, body, texts), "b2") {
			t.Errorf("%s still shows the deleted reply", page)
		}
	}
	if items := repliesOf(t, str(en["id"])); slices.Contains(items, str(b2["id"])) || !slices.Contains(items, str(a1["id"])) {
		t.Errorf("English replies collection after the Delete: %v", items)
	}
}

const publicAS = "https://www.w3.org/ns/activitystreams#Public"

func str(v any) string { s, _ := v.(string); return s }

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// getPage fetches a public page as a browser would.
func getPage(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return string(b)
}

// repliesOf walks an Article's replies collection and returns its items.
func repliesOf(t *testing.T, article string) []string {
	t.Helper()
	get := func(u string) map[string]any {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var d map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		return d
	}
	page, _ := get(article + "/replies")["first"].(map[string]any)
	var items []string
	for n := 0; page != nil && n < 10; n++ {
		for _, it := range page["items"].([]any) {
			items = append(items, str(it))
		}
		next := str(page["next"])
		if next == "" {
			break
		}
		page = get(next)
	}
	return items
}

// threads finds the replies on a page by their text and returns, for each
// one shown, the key of the reply it is nested under ("" at the top).
func threads(t *testing.T, page string, texts map[string]string) map[string]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	keyOf := func(li *html.Node) string {
		// The reply's own text is in its article, not in nested replies.
		for c := li.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "article" {
				text := textOf(c)
				for k, s := range texts {
					if strings.Contains(text, s) {
						return k
					}
				}
			}
		}
		return ""
	}
	out := map[string]string{}
	var walk func(n *html.Node, parent string)
	walk = func(n *html.Node, parent string) {
		if n.Type == html.ElementNode && n.Data == "li" && hasClass(n, "reply") {
			k := keyOf(n)
			if k != "" {
				out[k] = parent
				parent = k
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, parent)
		}
	}
	walk(doc, "")
	return out
}

func hasClass(n *html.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" && slices.Contains(strings.Fields(a.Val), class) {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// dialoguePeer is a small fediverse server on its own loopback address
// with one account and its own key: it serves the account and its notes,
// checks the signature of every fetch and delivery it gets (Mastodon's
// rules), and signs what it sends with go-fed/httpsig.
type dialoguePeer struct {
	base, actor, name string
	key               *rsa.PrivateKey

	mu       sync.Mutex
	notes    map[string]map[string]any // by path
	received []map[string]any
	fetches  []string
	bad      []string
	arrived  chan struct{}
}

func newDialoguePeer(t *testing.T, addr, name string) *dialoguePeer {
	t.Helper()
	ln := listenOn(t, addr)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &dialoguePeer{base: "http://" + ln.Addr().String(), name: name, key: key,
		notes: map[string]map[string]any{}, arrived: make(chan struct{}, 100)}
	p.actor = p.base + "/users/" + name
	serveOn(t, ln, http.HandlerFunc(p.serve))
	return p
}

// note makes a public note answering inReplyTo and serves it at its id.
func (p *dialoguePeer) note(id, inReplyTo, content, lang string) map[string]any {
	path := "/users/" + p.name + "/notes/" + id
	n := map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       p.base + path, "type": "Note", "attributedTo": p.actor, "inReplyTo": inReplyTo,
		"to": []string{publicAS}, "cc": []string{p.actor + "/followers"},
		"content": content, "contentMap": map[string]string{lang: content},
		"published": time.Now().UTC().Format(time.RFC3339), "url": p.base + "/@" + p.name + "/" + id,
	}
	p.mu.Lock()
	p.notes[path] = n
	p.mu.Unlock()
	return n
}

func (p *dialoguePeer) create(n map[string]any) map[string]any {
	return map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": str(n["id"]) + "/activity", "type": "Create",
		"actor": p.actor, "to": n["to"], "cc": n["cc"], "object": n,
	}
}

func (p *dialoguePeer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		if err := mastodonVerify(r, body, nil); err != nil {
			p.note401(err)
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var activity map[string]any
		if json.Unmarshal(body, &activity) != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.received = append(p.received, activity)
		p.mu.Unlock()
		p.arrived <- struct{}{}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	p.mu.Lock()
	p.fetches = append(p.fetches, r.URL.Path)
	n := p.notes[r.URL.RequestURI()] // a collection's page differs by its query
	if n == nil {
		n = p.notes[r.URL.Path]
	}
	p.mu.Unlock()
	if err := verifyGet(r); err != nil {
		p.note401(err)
		http.Error(w, "signature required", http.StatusUnauthorized)
		return
	}
	var d any
	switch {
	case r.URL.Path == "/users/"+p.name:
		der, _ := x509.MarshalPKIXPublicKey(&p.key.PublicKey)
		d = map[string]any{
			"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":       p.actor, "type": "Person", "preferredUsername": p.name, "name": strings.ToUpper(p.name[:1]) + p.name[1:],
			"inbox": p.actor + "/inbox", "followers": p.actor + "/followers", "url": p.base + "/@" + p.name,
			"endpoints": map[string]string{"sharedInbox": p.base + "/inbox"},
			"publicKey": map[string]string{"id": p.actor + "#main-key", "owner": p.actor,
				"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))},
		}
	case n != nil:
		d = n
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/activity+json")
	json.NewEncoder(w).Encode(d) //nolint:errcheck
}

func (p *dialoguePeer) note401(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bad = append(p.bad, err.Error())
}

func (p *dialoguePeer) fetchedPaths() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.fetches...)
}

func (p *dialoguePeer) badFetches() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.bad...)
}

// await waits for the next delivered activity of a type.
func (p *dialoguePeer) await(t *testing.T, typ string) map[string]any {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		p.mu.Lock()
		for i, a := range p.received {
			if a["type"] == typ {
				p.received = append(p.received[:i], p.received[i+1:]...)
				p.mu.Unlock()
				return a
			}
		}
		p.mu.Unlock()
		select {
		case <-p.arrived:
		case <-deadline:
			t.Fatalf("no %s reached %s within 60s (refused: %v)", typ, p.name, p.badFetches())
		}
	}
}

// postOK sends a signed activity and requires 202.
func (p *dialoguePeer) postOK(t *testing.T, inbox string, activity map[string]any) {
	t.Helper()
	resp := signedPost(t, p.key, p.actor+"#main-key", inbox, activity)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%s %s to %s: %d %s", p.name, activity["type"], inbox, resp.StatusCode, b)
	}
}

// verifyGet checks a signed fetch as GoToSocial and Mastodon in secure
// mode do: (request-target), host and date signed, Date fresh, and the
// signature valid for the key its keyId names.
func verifyGet(r *http.Request) error {
	return verifyCavage(r, "(request-target)", "host", "date")
}
