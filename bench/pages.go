package main

import (
	"compress/gzip"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	neturl "net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// pagesSize is one pages run: a story page for each count in Replies (that
// many visible replies), and a section page listing Stories stories, each
// under Concurrency clients in a closed loop for Duration.
type pagesSize struct {
	Replies     []int
	Stories     int
	Concurrency int
	Duration    time.Duration
}

// pageResult is what one page measured.
type pageResult struct {
	Page      string // "story, 50 replies", "section"
	Replies   int
	Requests  int
	PerSecond float64
	Latency   latencies
	Cold      time.Duration // the first request, which renders the page
	Bytes     int           // the page's size as sent (gzip)
	RawBytes  int           // and its HTML
	Errors    int
	CPU       cpuMeter // the server's and its PostgreSQL backends', during the load
}

// pagesResult is a pages run: its pages and the server's peak memory.
type pagesResult struct {
	pagesSize
	Pages   []pageResult
	PeakRSS int64
	Fresh   string // the staleness check's outcome
	// BareShare is the first story page's requests a second divided by
	// the bare server's, sending the same bytes, in the same run (the best
	// run's); BareShareWorst the lowest of all runs.
	BareShare, BareShareWorst float64
}

// replyMarker is a string found in reply k of story s, and nowhere else.
func replyMarker(s int64, k int) string { return fmt.Sprintf("bench-reply-%d-%d", s, k) }

// runPages serves story pages with many replies and a section page to
// concurrent clients. Before the load it checks each page has every reply
// it should, and that the dialogue is never stale: a reply approved, or
// hidden, directly in the database (as another server process would) shows,
// or is gone, on the very next request.
func runPages(ctx context.Context, e *env, size pagesSize) (*pagesResult, error) {
	res := &pagesResult{pagesSize: size}
	db, err := newDatabase(ctx, e.databaseURL, e.keepDB)
	if err != nil {
		return nil, err
	}
	defer db.drop()

	authors, err := seedReplyAuthors(ctx, db)
	if err != nil {
		return nil, err
	}
	type storyPage struct {
		id      int64
		slug    string
		replies int
	}
	var stories []storyPage
	n := max(size.Stories, len(size.Replies))
	for i := 0; i < n; i++ {
		st, t, err := createDraft(ctx, db, "en", i+1)
		if err != nil {
			return nil, err
		}
		if t, err = db.Store.SetTranslationState(ctx, t.ID, content.StatePublished, time.Time{}); err != nil {
			return nil, err
		}
		sp := storyPage{id: st.ID, slug: t.Slug}
		if i < len(size.Replies) {
			sp.replies = size.Replies[i]
			if err := seedReplies(ctx, db, st.ID, t, authors, sp.replies); err != nil {
				return nil, err
			}
		}
		stories = append(stories, sp)
	}

	if err := db.analyze(ctx); err != nil {
		return nil, err
	}
	srv, err := e.startServer(ctx, db, fmt.Sprintf("pages-%s", joinInts(size.Replies)))
	if err != nil {
		return nil, err
	}
	defer srv.stop()

	cold := map[int64]time.Duration{}
	for _, sp := range stories[:len(size.Replies)] {
		path := "/en/stories/" + sp.slug
		d, err := checkReplies(ctx, srv.URL+path, sp.id, sp.replies)
		if err != nil {
			return nil, err
		}
		cold[sp.id] = d
	}
	t0 := time.Now()
	if _, err := get(ctx, srv.URL+"/en/"); err != nil {
		return nil, err
	}
	sectionCold := time.Since(t0)
	if err := checkFresh(ctx, db, srv.URL, stories[0].id, "/en/stories/"+stories[0].slug); err != nil {
		return nil, err
	}
	res.Fresh = "ok"

	for _, sp := range stories[:len(size.Replies)] {
		r, err := load(ctx, srv, db, srv.URL+"/en/stories/"+sp.slug, size.Concurrency, size.Duration)
		if err != nil {
			return nil, err
		}
		r.Page, r.Replies, r.Cold = fmt.Sprintf("story, %d replies", sp.replies), sp.replies, cold[sp.id]
		res.Pages = append(res.Pages, *r)
	}
	r, err := load(ctx, srv, db, srv.URL+"/en/", size.Concurrency, size.Duration)
	if err != nil {
		return nil, err
	}
	r.Page, r.Cold = fmt.Sprintf("section, %d stories", n), sectionCold
	res.Pages = append(res.Pages, *r)

	// The stylesheet, as every first visit loads it.
	first := srv.URL + "/en/stories/" + stories[0].slug
	page, err := get(ctx, first)
	if err != nil {
		return nil, err
	}
	css := stylesheetURL.FindString(page)
	if css == "" {
		return nil, fmt.Errorf("pages: no stylesheet link in %s", first)
	}
	if r, err = load(ctx, srv, db, srv.URL+css, size.Concurrency, size.Duration); err != nil {
		return nil, err
	}
	r.Page = "stylesheet"
	res.Pages = append(res.Pages, *r)

	// The first story page again, then a bare server sending its bytes:
	// one after the other, so that both meet the machine in the same state.
	sent, err := capture(ctx, first)
	if err != nil {
		return nil, err
	}
	story, err := load(ctx, srv, db, first, size.Concurrency, size.Duration)
	if err != nil {
		return nil, err
	}
	bareURL, stopBare, err := startBare(ctx, filepath.Join(e.workDir, "bare"), sent)
	if err != nil {
		return nil, err
	}
	r, err = load(ctx, srv, db, bareURL, size.Concurrency, size.Duration)
	stopBare()
	if err != nil {
		return nil, err
	}
	r.Page = fmt.Sprintf("bare net/http, the bytes of story, %d replies", stories[0].replies)
	res.Pages = append(res.Pages, *r)
	res.BareShare = story.PerSecond / r.PerSecond
	res.BareShareWorst = res.BareShare
	if res.PeakRSS, _, err = srv.memory(); err != nil {
		return nil, err
	}
	return res, nil
}

// seedReplyAuthors seeds the 40 authors of seeded replies, on a few hosts
// that need not answer: a page shows what the database holds.
func seedReplyAuthors(ctx context.Context, db *database) ([]seedActor, error) {
	var authors []seedActor
	for i := 0; i < 40; i++ {
		host := fmt.Sprintf("127.0.%d.%d:8%03d", 0, 2+i%8, i%8)
		name := fmt.Sprintf("r%d", i)
		authors = append(authors, seedActor{id: actorID(host, name), host: host, name: name})
	}
	return authors, seedActors(ctx, db, authors)
}

// seedReplies gives story st count visible public replies to translation
// t, from authors in turn, in several languages; every fourth answers the
// reply before it, so the dialogue has threads. Each reply's text holds
// replyMarker(st, k).
func seedReplies(ctx context.Context, db *database, st int64, t *content.Translation, authors []seedActor, count int) error {
	article := "" // the Article's id: replies name it in in_reply_to
	if err := db.Pool.QueryRow(ctx, `SELECT 'urn:bench:article:' || object_key::text FROM translations WHERE id = $1`, t.ID).Scan(&article); err != nil {
		return err
	}
	base := time.Now().Add(-time.Duration(count) * time.Minute)
	rows := make([][]any, count)
	for k := 0; k < count; k++ {
		a := authors[k%len(authors)]
		apID := fmt.Sprintf("%s/statuses/%d-%d", a.id, st, k)
		inReplyTo, translation := article, &t.ID
		if k%4 == 3 {
			prev := authors[(k-1)%len(authors)]
			inReplyTo, translation = fmt.Sprintf("%s/statuses/%d-%d", prev.id, st, k-1), nil
		}
		lang := replyLangs[k%len(replyLangs)]
		html := fmt.Sprintf(`<p><span class="h-card"><a href="http://%s/@en" class="u-url mention">@<span>en</span></a></span> `+
			`My family lived through the same winter, and I recognise every street you name. Thank you for writing it down (%s).</p>`,
			a.host, replyMarker(st, k))
		rows[k] = []any{apID, st, translation, inReplyTo, a.id, a.host, lang, html, "http://" + a.host + "/@" + a.name + "/" + fmt.Sprint(k),
			"public", "visible", base.Add(time.Duration(k) * time.Minute), time.Now()}
	}
	_, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"replies"},
		[]string{"ap_id", "story_id", "translation_id", "in_reply_to", "author", "author_host", "lang", "content_html", "url",
			"visibility", "state", "published", "received_at"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("seed %d replies: %w", count, err)
	}
	// Threads: a reply whose in_reply_to is another reply's id answers it.
	_, err = db.Pool.Exec(ctx, `
		UPDATE replies r SET parent_id = p.id, depth = p.depth + 1
		FROM replies p WHERE r.story_id = $1 AND p.ap_id = r.in_reply_to`, st)
	return err
}

// get fetches a page as a browser would, gzip accepted, and returns its
// HTML.
func get(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return "", err
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(b), nil
}

// checkReplies fetches a story page for the first time and checks that
// every one of its count replies is on it, or on one of the pages of its
// dialogue that follow it (rel="next"). It returns how long the first
// request took: the page was rendered for it.
func checkReplies(ctx context.Context, url string, st int64, count int) (time.Duration, error) {
	t0 := time.Now()
	page, err := get(ctx, url)
	if err != nil {
		return 0, err
	}
	d := time.Since(t0)
	all := page
	for pages := 1; ; pages++ {
		m := nextLink.FindStringSubmatch(page)
		if m == nil {
			break
		}
		if pages > count {
			return 0, fmt.Errorf("pages: %s: more pages than replies", url)
		}
		next, err := neturl.Parse(html.UnescapeString(m[1]))
		if err != nil {
			return 0, err
		}
		if page, err = get(ctx, strings.TrimSuffix(url, next.Path)+next.RequestURI()); err != nil {
			return 0, err
		}
		all += page
	}
	missing := 0
	for k := 0; k < count; k++ {
		if !strings.Contains(all, replyMarker(st, k)+")") {
			missing++
		}
	}
	if missing > 0 {
		return 0, fmt.Errorf("pages: %s shows %d of its %d visible replies", url, count-missing, count)
	}
	return d, nil
}

// nextLink is the link to a page's next page in its head.
var nextLink = regexp.MustCompile(`<link rel="next" href="([^"]+)">`)

// checkFresh adds a pending reply to story st, then approves, hides and
// unhides it through the desk, as a moderator does, and checks the page
// after each step: the very next request must show the change.
func checkFresh(ctx context.Context, db *database, base string, st int64, path string) error {
	var author, host string
	var translation int64
	err := db.Pool.QueryRow(ctx, `SELECT a.id, a.host, t.id FROM remote_actors a, translations t WHERE t.story_id = $1 ORDER BY a.id LIMIT 1`, st).Scan(&author, &host, &translation)
	if err != nil {
		return err
	}
	marker := replyMarker(st, 999999)
	r := &content.Reply{
		APID: author + "/statuses/fresh", StoryID: st, TranslationID: translation, InReplyTo: "urn:bench:article",
		Author: author, AuthorHost: host, Lang: "en", ContentHTML: "<p>A late answer (" + marker + ").</p>",
		Visibility: content.VisibilityPublic, State: content.ReplyPending,
	}
	if err := db.Store.ImportReply(ctx, r, nil); err != nil {
		return err
	}
	mod, err := newModerator(ctx, db, base)
	if err != nil {
		return err
	}
	steps := []struct {
		action string
		shown  bool
	}{{"", false}, {"approve", true}, {"hide", false}, {"unhide", true}, {"hide", false}}
	for _, step := range steps {
		if step.action != "" {
			if err := mod.act(ctx, step.action, r.ID); err != nil {
				return err
			}
		}
		page, err := get(ctx, base+path)
		if err != nil {
			return err
		}
		if strings.Contains(page, marker) != step.shown {
			return fmt.Errorf("pages: stale dialogue: after %q, the next request %s the reply", step.action, map[bool]string{true: "did not show", false: "still showed"}[step.shown])
		}
	}
	return nil // the story is as seeded: the late reply hidden
}

// load requests url from concurrency clients in a closed loop for d, after
// a short warm-up that is not counted.
func load(ctx context.Context, srv *server, db *database, url string, concurrency int, d time.Duration) (*pageResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency, DisableCompression: true}
	defer tr.CloseIdleConnections()
	res := &pageResult{CPU: cpuMeter{srv: srv, db: db}}
	page, err := get(ctx, url)
	if err != nil {
		return nil, err
	}
	res.RawBytes = len(page)

	run := func(d time.Duration, record bool) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		stop := time.Now().Add(d)
		start := time.Now()
		for c := 0; c < concurrency; c++ {
			wg.Go(func() {
				var own latencies
				errs, size := 0, 0
				buf := make([]byte, 64<<10)
				for time.Now().Before(stop) && ctx.Err() == nil {
					t0 := time.Now()
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
					req.Header.Set("Accept", "text/html")
					req.Header.Set("Accept-Encoding", "gzip")
					resp, err := tr.RoundTrip(req)
					if err != nil {
						errs++
						continue
					}
					n := 0
					for {
						m, err := resp.Body.Read(buf)
						n += m
						if err != nil {
							break
						}
					}
					resp.Body.Close()
					own = append(own, time.Since(t0))
					if resp.StatusCode != http.StatusOK {
						errs++
					}
					size = n
				}
				if !record {
					return
				}
				mu.Lock()
				res.Latency = append(res.Latency, own...)
				res.Errors += errs
				res.Bytes = max(res.Bytes, size)
				mu.Unlock()
			})
		}
		wg.Wait()
		if record {
			res.Requests = len(res.Latency)
			res.PerSecond = float64(res.Requests) / time.Since(start).Seconds()
		}
	}
	run(min(d/10, 500*time.Millisecond), false)
	res.CPU.start(ctx)
	run(d, true)
	res.CPU.stop(ctx)
	if res.Errors > 0 {
		return res, fmt.Errorf("pages: %d of %d requests to %s failed", res.Errors, res.Requests, url)
	}
	return res, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, "-")
}
