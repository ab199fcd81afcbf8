package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"samizdat/content/store/storetest"
	"samizdat/federation/signature"
)

// TestMain lets the test binary be the pages run's bare server, as the
// program is.
func TestMain(m *testing.M) {
	if asBareServer() || asBareSender() {
		return
	}
	os.Exit(m.Run())
}

// TestTiny runs every benchmark once at a tiny size, so that none of them
// rots between `make bench` runs. It checks what the benchmarks check
// (every instance got exactly one verified POST, every activity was stored,
// every page has its replies and is never stale) and never how fast.
func TestTiny(t *testing.T) {
	e := &env{
		bin:         buildServer(t),
		databaseURL: storetest.URL(t),
		workDir:     t.TempDir(),
		perAddr:     2,
		signFor:     100 * time.Millisecond,
		log:         t.Output(),
	}

	t.Run("Fanout", func(t *testing.T) {
		r, err := runFanout(t.Context(), e, fanoutSize{Followers: 12, Instances: 5})
		if err != nil {
			t.Fatal(err)
		}
		if r.Posts != 5 {
			t.Errorf("got %d POSTs for 12 followers on 5 instances, want 5", r.Posts)
		}
		if r.SignRate <= 0 || r.SignShare() <= 0 {
			t.Errorf("signing ceiling %v/s, share %v: not measured", r.SignRate, r.SignShare())
		}
		if r.PeakRSS <= 0 || len(r.RSS) != 1 {
			t.Errorf("peak RSS %d, per process %v", r.PeakRSS, r.RSS)
		}
		if len(r.ByProcess) != 1 || r.ByProcess[0] != 5 {
			t.Errorf("deliveries by process %v, want [5]", r.ByProcess)
		}
		// The server and this test binary load the same RSA on the same
		// machine: OpenSSL where libcrypto loads, else Go's.
		if e.serverRSA != signature.Backend() {
			t.Errorf("the server's RSA read as %q, this process signs with %q", e.serverRSA, signature.Backend())
		}
	})

	t.Run("BareSend", func(t *testing.T) {
		r, err := runBareSend(t.Context(), e, 5)
		if err != nil {
			t.Fatal(err)
		}
		if r.Posts != 5 || r.PerSecond <= 0 {
			t.Errorf("got %d POSTs at %v a second for 5 instances", r.Posts, r.PerSecond)
		}
		// CPU time is read in the kernel's 10 ms ticks, and five POSTs
		// may cost less than one: zero is a reading, a failed read is an
		// error above, and a negative span a wrong subtraction.
		if r.SignRate <= 0 || r.Sender < 0 || r.Machine < 0 || r.Tool < 0 {
			t.Errorf("signing ceiling %v/s, sender CPU %v, tool %v, machine %v", r.SignRate, r.Sender, r.Tool, r.Machine)
		}
	})

	// Two server processes: the second, in the worker role, shares the
	// first's database and BASE_URL. Which one takes a job is River's
	// choice, so the second run leaves the first only the web role: then
	// every POST is the worker's, and must verify all the same.
	for name, first := range map[string]string{"two-processes": "", "two-processes-worker-delivers": "web"} {
		t.Run("Fanout/"+name, func(t *testing.T) {
			e := &env{bin: e.bin, databaseURL: e.databaseURL, workDir: t.TempDir(), perAddr: e.perAddr, signFor: e.signFor, log: e.log, firstRoles: first}
			r, err := runFanout(t.Context(), e, fanoutSize{Followers: 12, Instances: 5, Procs: 2})
			if err != nil {
				t.Fatal(err)
			}
			if r.Posts != 5 || sum(r.ByProcess) != 5 {
				t.Errorf("got %d POSTs, by process %v, for 12 followers on 5 instances; want 5", r.Posts, r.ByProcess)
			}
			if first == "web" && len(r.ByProcess) != 1 {
				t.Errorf("deliveries by process %v with a web-only first process, want all by the worker", r.ByProcess)
			}
			if len(r.RSS) != 2 || r.RSS[0] <= 0 || r.RSS[1] <= 0 || r.PeakRSS != max(r.RSS[0], r.RSS[1]) {
				t.Errorf("peak RSS %d, per process %v; want both measured", r.PeakRSS, r.RSS)
			}
			if len(r.CPU.more) != 1 {
				t.Errorf("CPU measured for %d processes, want 2", 1+len(r.CPU.more))
			}
		})
	}

	for _, kind := range []string{"reply", "follow"} {
		t.Run("Inbox/"+kind, func(t *testing.T) {
			r, err := runInbox(t.Context(), e, inboxSize{Kind: kind, Requests: 20, Concurrency: 4, Actors: 5})
			if err != nil {
				t.Fatal(err)
			}
			if r.Accepted != 20 || r.Stored != 20 || len(r.Latency) != 20 {
				t.Errorf("got %d accepted, %d stored, %d timed; want 20 of each", r.Accepted, r.Stored, len(r.Latency))
			}
		})
	}

	t.Run("Inbox/open-loop", func(t *testing.T) {
		r, err := runInbox(t.Context(), e, inboxSize{Kind: "reply", Requests: 20, Concurrency: 4, Actors: 5, Rate: 100})
		if err != nil {
			t.Fatal(err)
		}
		if r.Accepted != 20 || r.Stored != 20 || len(r.Latency) != 20 {
			t.Errorf("got %d accepted, %d stored, %d timed; want 20 of each", r.Accepted, r.Stored, len(r.Latency))
		}
		// 20 requests due 10 ms apart: the last is due 190 ms after the first.
		if r.Elapsed < 190*time.Millisecond || r.InFlight < 1 || r.InFlight > 4 {
			t.Errorf("sent over %v with at most %d in flight; want at least 190ms, 1 to 4", r.Elapsed, r.InFlight)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		r, err := runPages(t.Context(), e, pagesSize{Replies: []int{3, 300}, Stories: 3, Concurrency: 4, Duration: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Pages) != 5 {
			t.Fatalf("got %d pages measured, want 5 (two stories, the section, the stylesheet, the bare server)", len(r.Pages))
		}
		if r.BareShare <= 0 {
			t.Errorf("story page against the bare server: %v", r.BareShare)
		}
		for _, p := range r.Pages {
			if p.Requests == 0 || p.Errors != 0 || p.Bytes == 0 {
				t.Errorf("%s: %d requests, %d errors, %d bytes", p.Page, p.Requests, p.Errors, p.Bytes)
			}
		}
		if r.Fresh != "ok" {
			t.Errorf("freshness: %q", r.Fresh)
		}
	})

	t.Run("Report", func(t *testing.T) {
		rep := newReport("samizdat-bench test")
		rep.fanout(&fanoutResult{fanoutSize: fanoutSize{Followers: 10_000, Instances: 1_000, Procs: 1}, Posts: 1000, Last: time.Second, PerSecond: 1000, SignRate: 2500}, 900)
		rep.fanout(&fanoutResult{fanoutSize: fanoutSize{Followers: 1_000, Instances: 1_000, Procs: 2}, Posts: 1000, ByProcess: []int{400, 600},
			RSS: []int64{90 << 20, 60 << 20}, Last: time.Second, PerSecond: 800, SignRate: 1000}, 700)
		rep.bareSend(&bareSendResult{Instances: 1_000, Posts: 1000, PerSecond: 2000, SignRate: 2500,
			Sender: 600 * time.Millisecond, Tool: 200 * time.Millisecond, Machine: time.Second}, 1800, "50% (1), 40% (2)")
		rep.inboxAt(&inboxResult{inboxSize: inboxSize{Kind: "reply", Requests: 6000, Rate: 2000}, Accepted: 6000, PerSecond: 1990,
			Latency: latencies{10 * time.Millisecond, 30 * time.Millisecond}, InFlight: 60}, 45*time.Millisecond)
		rep.finish()
		if !strings.HasSuffix(rep.signCost, " ms") {
			t.Errorf("signature cost %q: not measured", rep.signCost)
		}
		for _, want := range []string{"| 10,000 | 1,000 | 1 | 1,000 |", "**1000** (900) | 2500 | **40%** |",
			"| 1,000 | 1,000 | 2 | 1,000 (400 + 600) |", "**800** (700) | 1000 | **80%** |", " | 90 / 60 |", "cores", rep.signCost + " of one core",
			"| 1,000 | 1,000 | **2000** (1800) | 2500 | **80%** | 50% (1), 40% (2) | 0.60 / 0.20 / 1.00 |",
			"| reply | 6,000 | 2,000 | 6,000 | 1990 | 10.0 | **30.0** (45.0) | 30.0 | 60 |"} {
			if !strings.Contains(rep.String(), want) {
				t.Errorf("report lacks %q:\n%s", want, rep.String())
			}
		}
	})
}

// buildServer builds cmd/samizdat into the test's temporary directory: the
// benchmarks run the real binary as a child process. It is built in the
// repository's own module, as make bench builds it: this module lists only
// what the load tool imports, not every dependency of the server.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "samizdat")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/samizdat")
	cmd.Dir = ".." // the test runs in bench/
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build samizdat: %v\n%s", err, out)
	}
	return bin
}

func TestLatencies_percentile(t *testing.T) {
	var l latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(101-i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {1, time.Millisecond}} {
		if got := l.percentile(c.p); got != c.want {
			t.Errorf("p%v: got %v, want %v", c.p, got, c.want)
		}
	}
	if got := (latencies{}).percentile(50); got != 0 {
		t.Errorf("empty: got %v", got)
	}
}

func TestParseFanout(t *testing.T) {
	got, err := parseFanout("100x100, 10000x1000")
	if err != nil || len(got) != 2 || got[1] != (fanoutSize{Followers: 10000, Instances: 1000}) {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"100", "10x100", "ax1", "5x0"} {
		if _, err := parseFanout(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestBestOf: the best run is kept with the highest peak memory of all
// runs, the worst throughput beside it; runs that measured nothing count
// for neither.
func TestBestOf(t *testing.T) {
	runs := []*fanoutResult{{PerSecond: 400, PeakRSS: 70}, nil, {PerSecond: 500, PeakRSS: 50}, {PerSecond: 300, PeakRSS: 60}}
	i := 0
	best, worst := bestOf(len(runs), func() *fanoutResult { i++; return runs[i-1] },
		func(r *fanoutResult) (float64, *int64) { return r.PerSecond, &r.PeakRSS })
	if best == nil || best.PerSecond != 500 || best.PeakRSS != 70 || worst != 300 {
		t.Errorf("bestOf = %+v, %v; want 500/s with 70 MiB, worst 300", best, worst)
	}
	// Open-loop runs, scored by their p99: the lowest is the best.
	p99s := []time.Duration{80 * time.Millisecond, 40 * time.Millisecond, 120 * time.Millisecond}
	j := 0
	open, w := bestOf(len(p99s), func() *inboxResult { j++; return &inboxResult{Latency: latencies{p99s[j-1]}, PeakRSS: int64(j)} }, byLowP99)
	if open == nil || open.Latency.percentile(99) != 40*time.Millisecond || open.PeakRSS != 3 || time.Duration(-w*float64(time.Second)) != 120*time.Millisecond {
		t.Errorf("bestOf by p99 = %+v, %v; want p99 40ms with the highest peak memory, worst 120ms", open, w)
	}
	if none, w := bestOf(2, func() *fanoutResult { return nil }, func(r *fanoutResult) (float64, *int64) { return r.PerSecond, &r.PeakRSS }); none != nil || w != 0 {
		t.Errorf("no runs: %+v, %v", none, w)
	}
}
