package main

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestBackup_Restore follows docs/operations.md#backups on a running
// publication: pg_dump of its database alone (the images are in it),
// restored into a new PostgreSQL cluster, serves the same pages and images, the same actor keys, and the same followers: a
// follower that fetched @en's key before the backup verifies, with that
// key, the Create of a story published after the restore.
func TestBackup_Restore(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	// The running publication, with a follower.
	old := newCluster(t)
	s := startServer(t, map[string]string{"DATABASE_URL": old.URL, "LISTEN_ADDR": addr})
	s.command(t, "", "demo")
	s.command(t, "correct horse battery staple\n", "user", "add", "--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	keyID, keyBefore := actorKey(t, s.URL+"/actors/en")
	peer := newMastodonPeer(t, "127.0.0.2")
	peer.keys = func(id string) (*rsa.PublicKey, error) {
		if id != keyID {
			return nil, fmt.Errorf("key %s is not the one kept (%s)", id, keyID)
		}
		return keyBefore, nil
	}
	follow := map[string]any{"id": peer.actor + "#follows/1", "type": "Follow", "actor": peer.actor, "object": s.URL + "/actors/en"}
	if status := peer.post(t, s.URL+"/actors/en/inbox", follow); status != http.StatusAccepted {
		t.Fatalf("Follow: %d", status)
	}
	peer.await(t, "Accept")

	_, section := get(t, s.URL+"/en/")
	story := regexp.MustCompile(`/en/stories/[a-z0-9-]+`).FindString(section)
	_, storyPage := get(t, s.URL+story)
	image := regexp.MustCompile(`/media/[^"?]+\.(?:jpg|png|webp)`).FindString(storyPage + section)
	if story == "" || image == "" {
		t.Fatalf("no story (%q) or no image (%q) in the demo's pages", story, image)
	}
	pages := map[string]string{}
	for _, p := range []string{"/en/", story, "/ru/", image, "/actors/en"} {
		code, body := get(t, s.URL+p)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", p, code)
		}
		pages[p] = body
	}

	// The backup, as docs/operations.md says, while the server runs.
	backup := t.TempDir()
	dump := filepath.Join(backup, "samizdat.dump")
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, out)
		}
	}
	run(old.bin(t, "pg_dump"), "--format=custom", "--file="+dump, old.URL)

	// The machine is lost: the old server and its cluster stop. A new
	// cluster gets the dump; the new server has nothing else (its
	// MEDIA_DIR is a new empty directory).
	s.stop()
	old.stop(t)
	restored := newCluster(t)
	run(restored.bin(t, "pg_restore"), "--no-owner", "--exit-on-error", "--dbname="+restored.URL, dump)

	s2 := startServer(t, map[string]string{"DATABASE_URL": restored.URL, "LISTEN_ADDR": addr})
	for p, want := range pages {
		if code, body := get(t, s2.URL+p); code != http.StatusOK || body != want {
			t.Errorf("after the restore, GET %s: %d, and the body differs: %v", p, code, body != want)
		}
	}
	if id, key := actorKey(t, s2.URL+"/actors/en"); id != keyID || !key.Equal(keyBefore) {
		t.Errorf("after the restore, @en's key is %s, not the one kept", id)
	}

	// A story published after the restore reaches the follower, signed
	// with the key it kept.
	desk := newDeskClient(t, s2.URL, "vera@example.org", "correct horse battery staple")
	storyURL := desk.post(t, "/desk/stories/", url.Values{
		"byline_kind": {"publication"}, "lang": {"en"},
		"title": {"After the restore"}, "teaser": {"Nothing was lost."}, "body": {"Not a word."},
	})
	m := regexp.MustCompile(`/desk/stories/(\d+)/en$`).FindStringSubmatch(storyURL)
	if m == nil {
		t.Fatalf("creating the story led to %s", storyURL)
	}
	desk.post(t, "/desk/stories/"+m[1]+"/en/state", url.Values{"action": {"publish"}})
	create := peer.await(t, "Create")
	if obj, _ := create["object"].(map[string]any); obj["name"] != "After the restore" {
		t.Errorf("the follower received %v", create)
	}
	if bad := peer.refused(); len(bad) > 0 {
		t.Errorf("the follower refused deliveries after the restore: %v", bad)
	}
}

// actorKey fetches an actor and returns its key's id and the key.
func actorKey(t *testing.T, actor string) (string, *rsa.PublicKey) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, actor, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		PublicKey struct{ ID string } `json:"publicKey"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	key, err := fetchKey(doc.PublicKey.ID)
	if err != nil {
		t.Fatal(err)
	}
	return doc.PublicKey.ID, key
}
