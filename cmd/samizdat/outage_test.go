package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestServe_DatabaseOutage stops the program's PostgreSQL under a bounded
// load and starts it again: while it is down, writes (a story told, an
// activity in the inbox, a desk sign-in) answer 503 with Retry-After, the
// story told comes back in its form, pages kept in memory are still
// served, nothing answers 500; once it is back, the same process takes
// writes again by itself, and the twenty stories refused did not count
// against their sender's five an hour.
func TestServe_DatabaseOutage(t *testing.T) {
	t.Parallel()
	pg := newCluster(t)
	s := startServer(t, map[string]string{"DATABASE_URL": pg.URL})
	s.command(t, "", "demo")

	_, section := get(t, s.URL+"/en/")
	story := regexp.MustCompile(`/en/stories/[a-z0-9-]+`).FindString(section)
	if story == "" {
		t.Fatalf("no story linked from /en/:\n%s", section)
	}
	_, storyPage := get(t, s.URL+story) // rendered and kept
	get(t, s.URL+"/en/")

	client := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	type answer struct {
		what, retryAfter string
		status           int
		body             string
	}
	var mu sync.Mutex
	do := func(what string) answer {
		var req *http.Request
		switch what {
		case "story", "section", "readyz":
			path := map[string]string{"story": story, "section": "/en/", "readyz": "/readyz"}[what]
			req, _ = http.NewRequest(http.MethodGet, s.URL+path, nil)
		case "tell":
			f := url.Values{"story": {"We left on the third day."}, "story_lang": {"en"}, "consent": {"yes"}}
			req, _ = http.NewRequest(http.MethodPost, s.URL+"/en/tell", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		case "inbox":
			req, _ = http.NewRequest(http.MethodPost, s.URL+"/inbox",
				strings.NewReader(`{"id":"https://gone.example/users/x#delete","type":"Delete","actor":"https://gone.example/users/x","object":"https://gone.example/users/x"}`))
			req.Header.Set("Content-Type", "application/activity+json")
			req.Header.Set("Signature", `keyId="https://gone.example/users/x#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA"`)
		case "login":
			f := url.Values{"email": {"a@example.org"}, "password": {"x"}}
			req, _ = http.NewRequest(http.MethodPost, s.URL+"/desk/login", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			return answer{what: what, body: err.Error()}
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{what, resp.Header.Get("Retry-After"), resp.StatusCode, string(b)}
	}

	pg.stop(t)

	// Four clients, 120 requests in all, while the database is down.
	kinds := []string{"story", "section", "tell", "inbox", "login", "readyz"}
	counts := map[string]int{}
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			for i := range 30 {
				a := do(kinds[(c+i)%len(kinds)])
				want, wantRetry := http.StatusServiceUnavailable, true
				if a.what == "story" || a.what == "section" {
					want, wantRetry = http.StatusOK, false
				}
				if a.what == "readyz" {
					wantRetry = false
				}
				ok := a.status == want && (!wantRetry || a.retryAfter != "")
				if a.what == "story" && a.body != storyPage {
					ok = false
				}
				if a.what == "tell" && !strings.Contains(a.body, "We left on the third day.") {
					ok = false // the story typed is given back, not lost
				}
				if (a.what == "tell" || a.what == "login") && strings.Count(a.body, "</html>") != 1 {
					ok = false // one page, not an error page with another after it
				}
				mu.Lock()
				counts[fmt.Sprintf("%s %d", a.what, a.status)]++
				mu.Unlock()
				if !ok {
					t.Errorf("database down, %s: %d Retry-After %q, want %d%s; body %.200q", a.what, a.status, a.retryAfter, want,
						map[bool]string{true: " with Retry-After"}[wantRetry], a.body)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("answers while the database was down: %v", counts)

	pg.start(t)
	back := time.Now()
	deadline := back.Add(time.Minute)
	var a answer
	for a = do("tell"); a.status != http.StatusSeeOther; a = do("tell") {
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the database came back, telling a story: %d %.200q; logs:\n%s", a.status, a.body, s.logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("writes taken again %s after the database came back", time.Since(back).Round(time.Millisecond))

	// Background work resumes too: River runs scheduled publishing (every
	// 15 s) again.
	conn, err := pgx.Connect(t.Context(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	for {
		var n int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM river_job
			WHERE kind = 'samizdat.publish_scheduled' AND state = 'completed' AND finalized_at > $1`, back).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the database came back, River has run no scheduled publishing; logs:\n%s", s.logs)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("River ran a job again %s after the database came back", time.Since(back).Round(time.Second))
	for _, c := range []struct {
		what string
		want int
	}{{"readyz", http.StatusOK}, {"inbox", http.StatusAccepted}, {"login", http.StatusForbidden}, {"section", http.StatusOK}} {
		if a := do(c.what); a.status != c.want && !(c.what == "login" && a.status < 500) {
			t.Errorf("database back, %s: %d, want %d; %.200q", c.what, a.status, c.want, a.body)
		}
	}
}
