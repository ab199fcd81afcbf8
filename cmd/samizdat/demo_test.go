package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"samizdat/content/demo"
)

// TestDemo_Dialogue is `make run` in short: the demo loaded into a running
// server shows its dialogue on the story pages, with avatars served by
// Samizdat, and the moderators' queue holds the reply that waits.
func TestDemo_Dialogue(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	out := srv.command(t, "", "demo")
	if !strings.Contains(out, "replies") {
		t.Errorf("demo said:\n%s", out)
	}

	page := getPage(t, srv.URL+"/en/stories/the-classroom-i-carried-to-tbilisi")
	for _, want := range []string{"My mother taught for thirty years", "Моя мама тоже учительница", "Читаю з Києва", "@sam@harbour.example"} {
		if !strings.Contains(page, want) {
			t.Errorf("the story page lacks %q", want)
		}
	}
	if strings.Contains(page, "никто никуда не уезжал") {
		t.Error("the hidden reply shows on the story page")
	}
	avatars := regexp.MustCompile(`src="(/media/remote/[0-9a-f]+\.png)"`).FindAllStringSubmatch(page, -1)
	if len(avatars) == 0 {
		t.Fatal("no avatar on the story page")
	}
	resp, err := http.Get(srv.URL + avatars[0][1])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET %s: %d %s", avatars[0][1], resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if fr := getPage(t, srv.URL+"/fr/stories/deux-langues-a-la-table-de-la-cuisine"); !strings.Contains(fr, "Chez nous aussi") {
		t.Error("the French story page lacks its dialogue")
	}

	desk := newDeskClient(t, srv.URL, demo.EditorEmail, demo.EditorPassword)
	resp, err = desk.c.Get(srv.URL + "/desk/moderation/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "rencontres à Lyon") {
		t.Errorf("the moderation queue lacks the waiting reply (%d)", resp.StatusCode)
	}
}
