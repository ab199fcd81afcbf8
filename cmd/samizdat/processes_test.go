package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/content/store/storetest"
)

// TestProcesses_SharedDatabase runs the real binary as several server
// processes on one database, as machines behind a load balancer would be,
// with ten fake instances holding 500 followers of @en, each on a
// personal inbox of its own:
//
//  1. one process in the web role and one in the worker role: a story
//     published through the web process reaches every inbox exactly once,
//     and only once the worker runs; the web process alone inserts no
//     periodic job;
//  2. two processes with both roles: a story edited through either one is
//     fresh on the next request to the other (page cache and page watch);
//  3. the same two: kill -9 of River's leader in the middle of a 500-inbox
//     fan-out, and the other process finishes it within a minute, with
//     production settings (docs/operations.md#crash-recovery). Delivery is
//     at least once: an inbox that got the activity from the killed process
//     before it could record the answer gets it again, so the repeats are
//     at most the deliveries the killed process had running (its 128
//     workers), and no inbox is missed.
func TestProcesses_SharedDatabase(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dbURL := storetest.NewURL(t)
	runBinary(t, bin, map[string]string{"DATABASE_URL": dbURL}, "", "migrate")
	runBinary(t, bin, map[string]string{"DATABASE_URL": dbURL}, "correct horse battery staple\n",
		"user", "add", "--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	pool, err := pgxpool.New(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	fleet := newFleet(t, 10, 50)
	fleet.follow(t, pool, "en")

	// 1. web and worker.
	base := freeAddr(t)
	env := map[string]string{"DATABASE_URL": dbURL, "BASE_URL": "http://" + base}
	web := startProcess(t, bin, env, base, "web")
	desk := newDeskClient(t, web.URL, "vera@example.org", "correct horse battery staple")
	first := createStory(t, desk, "Letters across the border")
	desk.post(t, first+"/state", url.Values{"action": {"publish"}})
	// With no worker anywhere, the deliveries wait in the queue.
	createID := fleet.waitActivity(t, pool, "Create", 10*time.Second)
	if n := countJobs(t, pool, `kind = 'samizdat.deliver' AND state = 'available'`); n != fleet.size() {
		t.Errorf("%d deliveries waiting with no worker running, want %d", n, fleet.size())
	}
	if n := countJobs(t, pool, periodicKinds); n != 0 {
		t.Errorf("the web process alone inserted %d periodic jobs (they are the workers' leader's)", n)
	}
	if got := fleet.total(createID); got != 0 {
		t.Fatalf("%d POSTs before any worker ran", got)
	}
	worker := startProcess(t, bin, env, freeAddr(t), "worker")
	fleet.waitAll(t, createID, time.Minute)
	fleet.exactlyOnce(t, createID)
	// The worker, River's leader once elected, inserts the periodic jobs.
	for deadline := time.Now().Add(30 * time.Second); countJobs(t, pool, periodicKinds) == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the worker inserted no periodic job within 30 s\n%s", worker.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	web.stop(t)
	worker.stop(t)

	// 2. Two processes with both roles behind one BASE_URL. The first is
	// River's leader before the second starts.
	a := startProcess(t, bin, env, base, "web,worker")
	leader := waitLeader(t, pool)
	b := startProcess(t, bin, env, freeAddr(t), "web,worker")
	story := storyPath(t, a.URL, "Letters across the border")
	deskA := newDeskClient(t, a.URL, "vera@example.org", "correct horse battery staple")
	deskB := newDeskClient(t, b.URL, "vera@example.org", "correct horse battery staple")
	for i, step := range []struct {
		desk       *deskClient
		other      *process
		title      string
		otherWords string
	}{
		{deskA, b, "Letters across two borders", "b"},
		{deskB, a, "Letters across three borders", "a"},
		{deskA, b, "Letters across four borders", "b"},
	} {
		// The other process has the page in its cache.
		for range 2 {
			if code, body := get(t, step.other.URL+story); code != http.StatusOK || strings.Contains(body, step.title) {
				t.Fatalf("step %d: GET %s on %s: %d before the edit", i, story, step.otherWords, code)
			}
		}
		step.desk.post(t, first, url.Values{
			"title": {step.title}, "teaser": {"Two families kept writing."}, "body": {"Every week."},
			"slug": {"letters-across-the-border"},
		})
		if _, body := get(t, step.other.URL+story); !strings.Contains(body, step.title) {
			t.Errorf("step %d: the next request to process %s after an edit through the other does not show %q", i, step.otherWords, step.title)
		}
	}

	// The Updates of the edits are delivered before the next part.
	deadline := time.Now().Add(time.Minute)
	for countJobs(t, pool, `kind = 'samizdat.deliver' AND state <> 'completed'`) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the Updates were not delivered within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// 3. A fan-out whose inboxes answer slowly, so that it is under way
	// when the leader dies.
	fleet.setDelay(400 * time.Millisecond)
	second := createStory(t, deskB, "The night train")
	deskB.post(t, second+"/state", url.Values{"action": {"publish"}})
	var secondID string
	deadline = time.Now().Add(30 * time.Second)
	for {
		if secondID == "" {
			secondID = fleet.activityAbout(t, pool, "The night train")
		}
		if secondID != "" && fleet.reached(secondID) >= 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fan-out did not begin within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := currentLeader(t, pool); got != leader {
		t.Fatalf("the leader changed from %s to %s before the kill", leader, got)
	}
	reachedAtKill := fleet.reached(secondID)
	a.kill(t)
	killedAt := time.Now()
	if reachedAtKill >= fleet.size() {
		t.Fatalf("the fan-out was over (%d inboxes) before the kill", reachedAtKill)
	}
	// Finished means every delivery recorded as delivered: the inboxes the
	// killed process had POSTed to without recording the answer are sent
	// the Create again once River rescues its jobs.
	for {
		var pending int
		err := pool.QueryRow(t.Context(), `SELECT count(*) FROM deliveries WHERE activity_id = $1 AND state <> 'delivered'`, secondID).Scan(&pending)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Since(killedAt) > time.Minute {
			t.Fatalf("%d deliveries of %s not done a minute after the kill\n%s", pending, secondID, b.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("killed with %d of %d inboxes reached; the other process finished the fan-out %s after the kill",
		reachedAtKill, fleet.size(), time.Since(killedAt).Round(time.Second))
	time.Sleep(500 * time.Millisecond) // a straggling repeat would show now
	missing, repeats := fleet.repeats(secondID)
	if missing > 0 {
		t.Errorf("%d inboxes never got the Create", missing)
	}
	if repeats > defaultDeliveryWorkers {
		t.Errorf("%d repeated deliveries; at most %d (the killed process's running deliveries) may repeat", repeats, defaultDeliveryWorkers)
	}
	t.Logf("%d repeated deliveries (bound %d)", repeats, defaultDeliveryWorkers)
	if n := countJobs(t, pool, `kind = 'samizdat.deliver' AND state <> 'completed'`); n != 0 {
		t.Errorf("%d delivery jobs not completed", n)
	}
	if bad := fleet.problems(); len(bad) > 0 {
		t.Errorf("the fake instances saw: %v", bad)
	}
	b.stop(t)
}

// periodicKinds selects the jobs of River's periodic work (the ones that
// run at start).
const periodicKinds = `kind IN ('samizdat.publish_scheduled', 'samizdat.intake_retention', 'newsletter_clean')`

// defaultDeliveryWorkers is how many deliveries one process runs at once
// (delivery.Config.Workers' default).
const defaultDeliveryWorkers = 128

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// buildBinary builds the program once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "samizdat-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "samizdat")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		out, err := exec.Command(goTool, "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// processEnv is the environment of a child: env over what every test
// process needs, and nothing of the test's own.
func processEnv(env map[string]string) []string {
	vars := map[string]string{
		"PATH":                     os.Getenv("PATH"),
		"HOME":                     os.Getenv("HOME"),
		"FEDERATION_ALLOW_PRIVATE": "true",
		"LOG_LEVEL":                "warn",
		"SHUTDOWN_TIMEOUT":         "5s",
	}
	for k, v := range env {
		vars[k] = v
	}
	var out []string
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// runBinary runs a command of the program to its end.
func runBinary(t *testing.T, bin string, env map[string]string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = processEnv(env)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("samizdat %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// process is `samizdat serve` running as a process of its own.
type process struct {
	URL  string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan error
	once sync.Once
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess starts `samizdat serve` with roles on addr and waits until
// it answers /healthz, which both roles serve.
func startProcess(t *testing.T, bin string, env map[string]string, addr, roles string) *process {
	t.Helper()
	e := map[string]string{"LISTEN_ADDR": addr, "SAMIZDAT_ROLES": roles}
	for k, v := range env {
		e[k] = v
	}
	p := &process{URL: "http://" + addr, logs: &lockedBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = processEnv(e)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("samizdat serve (%s) exited early: %v\n%s", roles, err, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("samizdat serve (%s) not answering at %s\n%s", roles, p.URL, p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the process as SIGTERM does, and checks that it exits cleanly.
func (p *process) stop(t *testing.T) {
	p.once.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited
		select {
		case err := <-p.done:
			if err != nil {
				t.Errorf("samizdat serve at %s exited with %v after SIGTERM\n%s", p.URL, err, p.logs)
			}
		case <-time.After(30 * time.Second):
			p.cmd.Process.Kill() //nolint:errcheck
			t.Errorf("samizdat serve at %s did not stop within 30 s of SIGTERM", p.URL)
		}
	})
}

// kill ends the process as kill -9 does: nothing of it runs any more.
func (p *process) kill(t *testing.T) {
	p.once.Do(func() {
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-p.done
	})
}

// waitLeader waits until a River client is the leader and returns its id.
func waitLeader(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if id := currentLeader(t, pool); id != "" {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatal("no River leader elected within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func currentLeader(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var id string
	err := pool.QueryRow(t.Context(), `SELECT leader_id FROM river_leader WHERE expires_at > now()`).Scan(&id)
	if err != nil && err != pgx.ErrNoRows {
		t.Fatal(err)
	}
	return id
}

func countJobs(t *testing.T, pool *pgxpool.Pool, where string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE `+where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// createStory creates a draft with title in English through the desk and
// returns its translation's desk path.
func createStory(t *testing.T, desk *deskClient, title string) string {
	t.Helper()
	to := desk.post(t, "/desk/stories/", url.Values{
		"byline_kind": {"publication"}, "lang": {"en"},
		"title": {title}, "teaser": {"Two families kept writing."}, "body": {"Every week."},
	})
	if !regexp.MustCompile(`^/desk/stories/\d+/en$`).MatchString(to) {
		t.Fatalf("creating a story led to %s", to)
	}
	return to
}

// storyPath finds the public path of the story titled title on /en/.
func storyPath(t *testing.T, base, title string) string {
	t.Helper()
	_, section := get(t, base+"/en/")
	if !strings.Contains(section, title) {
		t.Fatalf("/en/ does not list %q", title)
	}
	p := regexp.MustCompile(`/en/stories/[a-z0-9-]+`).FindString(section)
	if p == "" {
		t.Fatal("no story link on /en/")
	}
	return p
}

// fleet is a set of fake instances on loopback, each with followers on
// personal inboxes, counting the activities each inbox receives. They do
// not check signatures: other tests do (federation_test.go); here only
// arrivals count.
type fleet struct {
	mu      sync.Mutex
	servers []*httptest.Server
	inboxes []string
	got     map[string]map[string]int // activity id → inbox → POSTs
	types   map[string]string         // activity id → type
	bad     []string
	delay   time.Duration
}

func newFleet(t *testing.T, hosts, perHost int) *fleet {
	t.Helper()
	f := &fleet{got: map[string]map[string]int{}, types: map[string]string{}}
	for range hosts {
		srv := httptest.NewServer(http.HandlerFunc(f.serve))
		t.Cleanup(srv.Close)
		f.servers = append(f.servers, srv)
		for i := range perHost {
			f.inboxes = append(f.inboxes, fmt.Sprintf("%s/users/u%d/inbox", srv.URL, i))
		}
	}
	return f
}

func (f *fleet) size() int { return len(f.inboxes) }

func (f *fleet) setDelay(d time.Duration) {
	f.mu.Lock()
	f.delay = d
	f.mu.Unlock()
}

func (f *fleet) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var act struct{ ID, Type string }
	if r.Method != http.MethodPost || err != nil || json.Unmarshal(body, &act) != nil || act.ID == "" {
		f.mu.Lock()
		f.bad = append(f.bad, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	inbox := "http://" + r.Host + r.URL.Path
	f.mu.Lock()
	if f.got[act.ID] == nil {
		f.got[act.ID] = map[string]int{}
	}
	f.got[act.ID][inbox]++
	f.types[act.ID] = act.Type
	delay := f.delay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// follow makes every inbox's account a follower of our actor lang, as
// accepted Follows would have.
func (f *fleet) follow(t *testing.T, pool *pgxpool.Pool, lang string) {
	t.Helper()
	var actors, followers [][]any
	for _, inbox := range f.inboxes {
		id := strings.TrimSuffix(inbox, "/inbox")
		u, _ := url.Parse(id)
		actors = append(actors, []any{id, u.Host, inbox, id + "#main-key", lastSegment(id)})
		followers = append(followers, []any{lang, id, id + "#follow"})
	}
	ctx := t.Context()
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"remote_actors"}, []string{"id", "host", "inbox", "key_id", "username"}, pgx.CopyFromRows(actors)); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"followers"}, []string{"actor", "follower", "follow_id"}, pgx.CopyFromRows(followers)); err != nil {
		t.Fatal(err)
	}
}

func lastSegment(id string) string { return id[strings.LastIndex(id, "/")+1:] }

// waitActivity waits for the queued activity of type typ and returns its id.
func (f *fleet) waitActivity(t *testing.T, pool *pgxpool.Pool, typ string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var id string
		err := pool.QueryRow(t.Context(), `SELECT id FROM activities WHERE type = $1 ORDER BY created_at DESC LIMIT 1`, typ).Scan(&id)
		if err == nil {
			return id
		}
		if err != pgx.ErrNoRows {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s queued within %s", typ, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// activityAbout returns the id of the queued Create whose body names
// title, or "".
func (f *fleet) activityAbout(t *testing.T, pool *pgxpool.Pool, title string) string {
	t.Helper()
	var id string
	err := pool.QueryRow(t.Context(), `SELECT id FROM activities WHERE type = 'Create' AND convert_from(body, 'UTF8') LIKE '%' || $1 || '%'`, title).Scan(&id)
	if err != nil && err != pgx.ErrNoRows {
		t.Fatal(err)
	}
	return id
}

// reached counts the inboxes that got activity id at least once.
func (f *fleet) reached(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.got[id])
}

// total counts the POSTs of activity id.
func (f *fleet) total(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.got[id] {
		n += c
	}
	return n
}

// waitAll waits until every inbox got activity id.
func (f *fleet) waitAll(t *testing.T, id string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for f.reached(id) < f.size() {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d inboxes got %s within %s", f.reached(id), f.size(), id, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// repeats returns how many inboxes never got activity id, and how many
// POSTs of it were repeats.
func (f *fleet) repeats(id string) (missing, repeats int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, inbox := range f.inboxes {
		switch n := f.got[id][inbox]; {
		case n == 0:
			missing++
		case n > 1:
			repeats += n - 1
		}
	}
	return missing, repeats
}

// exactlyOnce fails the test unless every inbox got activity id once.
func (f *fleet) exactlyOnce(t *testing.T, id string) {
	t.Helper()
	// Let any straggler arrive: a repeat would come from a job run twice.
	time.Sleep(500 * time.Millisecond)
	missing, repeats := f.repeats(id)
	if missing != 0 || repeats != 0 {
		t.Errorf("%s: %d inboxes missed, %d repeated POSTs; want every inbox exactly once", id, missing, repeats)
	}
}

func (f *fleet) problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bad...)
}
