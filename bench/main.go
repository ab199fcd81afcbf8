// Command samizdat-bench measures how fast Samizdat publishes to the
// fediverse, takes in replies and serves pages, and how much memory the
// server needs meanwhile. docs/benchmarks.md describes the method and the
// latest figures; scripts/bench.sh (make bench) runs it.
//
//	samizdat-bench [flags] fanout|inbox|pages|all
//
// Each run gets a fresh database on the PostgreSQL server of DATABASE_URL
// (created, migrated, dropped afterwards) and a fresh `samizdat serve`
// child process (-bin), whose peak resident memory is read from /proc
// (VmHWM) at the end of the run. Everything talks over 127.0.0.0/8: the
// server on 127.0.0.1, fake fediverse instances on 127.0.0.2 upward.
//
//	fanout  publish one story to followers spread over many fake instances,
//	        each checking every delivery's signature, Digest and Date (after
//	        the clock stopped), with one server process and with two
//	inbox   signed Create{Note} replies (or Follows) to the shared inbox from
//	        many actors, a closed loop of C clients, swept over C
//	pages   story pages with many replies and a section page under 32 clients
//
// The results are printed as Markdown tables, ready for the README, and
// written to -out when given. scripts/bench.sh (make bench) builds both
// binaries, starts a throwaway PostgreSQL and runs `all`.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// env is what every run needs.
type env struct {
	bin         string        // the samizdat binary
	databaseURL string        // a PostgreSQL server where we may create databases
	workDir     string        // server logs and media, one directory per run
	perAddr     int           // fake instances per loopback address
	profileDir  string        // when set, each server writes a CPU profile here
	keepDB      bool          // leave each run's database in place
	signFor     time.Duration // how long a fan-out run measures the signing rate
	// firstRoles are the roles of a fan-out's first server process, ""
	// for both; a test makes it "web" so that a second process, in the
	// worker role, must make every delivery.
	firstRoles string
	// serverRSA names the RSA the first server process started signs
	// with, for the report.
	serverRSA string
	log       io.Writer

	keysOnce sync.Once
	keys     []*rsa.PrivateKey
}

// nActorKeys is how many RSA keys the inbox's actors share.
const nActorKeys = 4

// actorKeys returns the keys remote actors sign with, made once per process.
func (e *env) actorKeys() []*rsa.PrivateKey {
	e.keysOnce.Do(func() {
		for i := 0; i < nActorKeys; i++ {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic("samizdat-bench: RSA key: " + err.Error())
			}
			e.keys = append(e.keys, k)
		}
	})
	return e.keys
}

// startServer starts `samizdat serve` for the run called name.
func (e *env) startServer(ctx context.Context, db *database, name string) (*server, error) {
	fmt.Fprintf(e.log, "bench: %s\n", name)
	return e.startAs(ctx, db, name, "", "")
}

// startAs starts `samizdat serve` in roles ("" for both) for the
// publication at baseURL ("" for its own address), its log and profile
// named name.
func (e *env) startAs(ctx context.Context, db *database, name, roles, baseURL string) (*server, error) {
	var args []string
	if e.profileDir != "" {
		if err := os.MkdirAll(e.profileDir, 0o755); err != nil {
			return nil, err
		}
		args = []string{"-cpuprofile", filepath.Join(e.profileDir, name+".cpu.prof")}
	}
	s, err := startProcess(ctx, e.bin, db.URL, filepath.Join(e.workDir, name), args, roles, baseURL)
	if err == nil && e.serverRSA == "" {
		e.serverRSA = processRSA(s.cmd.Process.Pid, e.bin)
	}
	return s, err
}

// plan is what to run, and at which sizes.
type plan struct {
	repeat      int // runs of each size
	fanout      []fanoutSize
	fanoutProcs []int // server processes for each fan-out size
	inboxKind   string
	inboxSweep  []int // client counts, each sending inboxPerStep requests
	inboxPer    int
	inboxGrowth []int // request counts, each with inboxClients clients
	inboxC      int
	inboxActors int
	inboxRates  []int // open-loop runs: requests a second, each sending inboxPer requests
	pages       pagesSize
}

func main() {
	if asBareServer() || asBareSender() {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "samizdat-bench:", err)
			os.Exit(1)
		}
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("samizdat-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: samizdat-bench [flags] fanout|inbox|pages|all")
		fs.PrintDefaults()
	}
	e := &env{log: stderr}
	fs.StringVar(&e.bin, "bin", "bin/samizdat", "the samizdat binary to benchmark")
	fs.StringVar(&e.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL server where runs create their databases (default $DATABASE_URL)")
	fs.StringVar(&e.workDir, "work", "", "directory for server logs (default: a temporary one, removed)")
	fs.IntVar(&e.perAddr, "per-address", 50, "fake instances per loopback address")
	fs.StringVar(&e.profileDir, "cpuprofile-dir", "", "write a CPU profile of each server run into this directory")
	fs.BoolVar(&e.keepDB, "keep-db", false, "leave each run's database in place (its URL is printed), for a look with psql")
	fs.DurationVar(&e.signFor, "sign-for", 2*time.Second, "fanout: how long each run measures RSA-2048 signatures a second on all cores")
	out := fs.String("out", "", "also write the results (Markdown) to this file")
	fanout := fs.String("fanout", "100x100,1000x1000,10000x1000,10000x10000", "fan-out runs: followers x instances, comma-separated")
	procs := fs.String("fanout-procs", "1,2", "fan-out: server processes to measure each size with, comma-separated: 1, or 2 (the second in the worker role)")
	kind := fs.String("inbox-kind", "reply", "what the inbox receives: reply (Create{Note}) or follow")
	sweep := fs.String("inbox-sweep", "1,8,32,64", "inbox: client counts to sweep")
	per := fs.Int("inbox-requests", 6000, "inbox: requests per sweep step")
	growth := fs.String("inbox-growth", "100,1000,10000", "inbox: request counts sent by -inbox-clients clients")
	inboxC := fs.Int("inbox-clients", 32, "inbox: clients for the growth runs")
	actors := fs.Int("inbox-actors", 1000, "inbox: distinct actors sending replies")
	rates := fs.String("inbox-rates", "1000,2000", "inbox: open-loop runs, requests a second on a schedule whatever the answers")
	replies := fs.String("replies", "50,200,1000,5000", "pages: visible replies of each story page (beyond 200 threads, the first page of its dialogue)")
	stories := fs.Int("stories", 20, "pages: published stories in the section")
	clients := fs.Int("clients", 32, "pages: concurrent clients")
	duration := fs.Duration("duration", 5*time.Second, "pages: how long each page is loaded")
	repeat := fs.Int("repeat", 1, "run each size this many times and report the best and the worst")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("name one benchmark: fanout, inbox, pages or all")
	}
	what := fs.Arg(0)
	if e.databaseURL == "" {
		return errors.New("no PostgreSQL: set DATABASE_URL or -database-url (scripts/bench.sh starts one)")
	}
	if _, err := os.Stat(e.bin); err != nil {
		return fmt.Errorf("samizdat binary: %w (build it with `go build -o bin/samizdat ./cmd/samizdat`)", err)
	}
	if e.workDir == "" {
		dir, err := os.MkdirTemp("", "samizdat-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		e.workDir = dir
	}

	if e.profileDir != "" {
		// The load tool's own profile too: the fake instances and the load
		// generators share the cores with the server.
		stopProfile, err := profileSelf(filepath.Join(e.profileDir, "samizdat-bench.cpu.prof"))
		if err != nil {
			return err
		}
		defer stopProfile()
	}

	p := plan{repeat: max(*repeat, 1), inboxKind: *kind, inboxPer: *per, inboxC: *inboxC, inboxActors: *actors,
		pages: pagesSize{Stories: *stories, Concurrency: *clients, Duration: *duration}}
	var err error
	if p.fanout, err = parseFanout(*fanout); err != nil {
		return err
	}
	if p.fanoutProcs, err = parseInts(*procs); err != nil || slices.ContainsFunc(p.fanoutProcs, func(n int) bool { return n > 2 }) {
		return fmt.Errorf("-fanout-procs: %q: give 1, 2 or both, comma-separated", *procs)
	}
	if p.inboxSweep, err = parseInts(*sweep); err != nil {
		return fmt.Errorf("-inbox-sweep: %w", err)
	}
	if p.inboxGrowth, err = parseInts(*growth); err != nil {
		return fmt.Errorf("-inbox-growth: %w", err)
	}
	if p.inboxRates, err = parseInts(*rates); err != nil {
		return fmt.Errorf("-inbox-rates: %w", err)
	}
	if p.pages.Replies, err = parseInts(*replies); err != nil {
		return fmt.Errorf("-replies: %w", err)
	}

	rep := newReport("samizdat-bench " + strings.Join(args, " "))
	rep.repeat = p.repeat
	switch what {
	case "fanout":
		err = runFanouts(ctx, e, p, rep)
	case "inbox":
		err = runInboxes(ctx, e, p, rep)
	case "pages":
		err = runPagesBench(ctx, e, p, rep)
	case "all":
		err = errors.Join(runFanouts(ctx, e, p, rep), runInboxes(ctx, e, p, rep), runPagesBench(ctx, e, p, rep))
	default:
		fs.Usage()
		return fmt.Errorf("unknown benchmark %q", what)
	}
	rep.serverCrypto = e.serverRSA
	rep.finish()
	text := rep.String()
	fmt.Fprint(stdout, text)
	if *out != "" {
		if werr := os.WriteFile(*out, []byte(text), 0o644); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	return err
}

// Each size runs p.repeat times; the report shows the run with the best
// throughput, the worst throughput beside it, and the highest peak memory of
// all: on a machine shared with other work, the best run is the one the
// others disturbed least, and the spread says how much they did.

// runFanouts runs each fan-out size with each count of server processes,
// the runs of one size interleaved (one process, two, one, two …) so that
// a drift of the shared machine's speed touches both alike.
//
// The first size with a given count of instances also runs the bare
// sender (runBareSend) to as many, interleaved with its fan-outs.
func runFanouts(ctx context.Context, e *env, p plan, rep *report) error {
	var errs []error
	bareDone := map[int]bool{}
	for _, size := range p.fanout {
		runs := make([][]*fanoutResult, len(p.fanoutProcs))
		bare := !bareDone[size.Instances]
		bareDone[size.Instances] = true
		var bares []*bareSendResult
		for range p.repeat {
			if bare {
				r, err := runBareSend(ctx, e, size.Instances)
				if err != nil {
					what := fmt.Sprintf("bare sender to %d instances", size.Instances)
					errs = append(errs, fmt.Errorf("fanout %s: %w", what, err))
					rep.fail("fanout", what, err)
				} else {
					bares = append(bares, r)
				}
			}
			for i, procs := range p.fanoutProcs {
				size.Procs = procs
				r, err := runFanout(ctx, e, size)
				if err != nil {
					what := fmt.Sprintf("%d followers on %d instances, %d server processes", size.Followers, size.Instances, procs)
					errs = append(errs, fmt.Errorf("fanout %s: %w", what, err))
					rep.fail("fanout", what, err)
					continue
				}
				runs[i] = append(runs[i], r)
			}
		}
		for _, rs := range runs {
			// Each process's peak memory, the highest of all runs.
			var rss []int64
			for _, r := range rs {
				for j, v := range r.RSS {
					if j == len(rss) {
						rss = append(rss, 0)
					}
					rss[j] = max(rss[j], v)
				}
			}
			next := 0
			best, worst := bestOf(len(rs), func() *fanoutResult { next++; return rs[next-1] },
				func(r *fanoutResult) (float64, *int64) { return r.PerSecond, &r.PeakRSS })
			if best != nil {
				best.RSS = rss
				rep.fanout(best, worst)
			}
		}
		next := 0
		var none int64
		best, worst := bestOf(len(bares), func() *bareSendResult { next++; return bares[next-1] },
			func(r *bareSendResult) (float64, *int64) { return r.PerSecond, &none })
		if best != nil {
			// The fan-outs of this size against the bare sender, best runs.
			var shares []string
			for i, rs := range runs {
				top := 0.0
				for _, r := range rs {
					top = max(top, r.PerSecond)
				}
				if top > 0 {
					shares = append(shares, fmt.Sprintf("%.0f%% (%d)", 100*top/best.PerSecond, p.fanoutProcs[i]))
				}
			}
			rep.bareSend(best, worst, strings.Join(shares, ", "))
		}
	}
	return errors.Join(errs...)
}

func runInboxes(ctx context.Context, e *env, p plan, rep *report) error {
	var errs []error
	one := func(size inboxSize) {
		best, worst := bestOf(p.repeat, func() *inboxResult {
			r, err := runInbox(ctx, e, size)
			if err != nil {
				errs = append(errs, fmt.Errorf("inbox %d requests, %d clients: %w", size.Requests, size.Concurrency, err))
				rep.fail("inbox", fmt.Sprintf("%d requests, %d clients", size.Requests, size.Concurrency), err)
			}
			return r // measured even when not everything was stored; nil when nothing was
		}, func(r *inboxResult) (float64, *int64) { return r.PerSecond, &r.PeakRSS })
		if best != nil {
			rep.inbox(best, worst)
		}
	}
	for _, c := range p.inboxSweep {
		one(inboxSize{Kind: p.inboxKind, Requests: p.inboxPer, Concurrency: c, Actors: p.inboxActors})
	}
	for _, n := range p.inboxGrowth {
		one(inboxSize{Kind: p.inboxKind, Requests: n, Concurrency: p.inboxC, Actors: min(p.inboxActors, n)})
	}
	// The open loop: of its runs, the one with the lowest p99 is shown, the
	// highest beside it (each sends at the same rate, when it keeps up).
	for _, rate := range p.inboxRates {
		size := inboxSize{Kind: p.inboxKind, Requests: p.inboxPer, Concurrency: openLoopConns, Actors: p.inboxActors, Rate: rate}
		best, worst := bestOf(p.repeat, func() *inboxResult {
			r, err := runInbox(ctx, e, size)
			if err != nil {
				errs = append(errs, fmt.Errorf("inbox %d requests at %d/s: %w", size.Requests, rate, err))
				rep.fail("inbox", fmt.Sprintf("%d requests at %d/s", size.Requests, rate), err)
			}
			return r
		}, byLowP99)
		if best != nil {
			rep.inboxAt(best, time.Duration(-worst*float64(time.Second)))
		}
	}
	return errors.Join(errs...)
}

// byLowP99 scores an open-loop run for bestOf: the lower its p99, the
// better; the score is the p99 in seconds, negated.
func byLowP99(r *inboxResult) (float64, *int64) {
	return -r.Latency.percentile(99).Seconds(), &r.PeakRSS
}

// openLoopConns is how many connections an open-loop run may hold at once:
// Mastodon's senders, each instance's, are many more than a closed loop's
// clients.
const openLoopConns = 256

// bestOf runs one size n times and returns the run with the best score
// (its throughput, or what else is higher when better), its peak memory
// raised to the highest of all runs, and the worst score. run returns nil
// when it measured nothing; of reads a result's score and where its peak
// memory is kept.
func bestOf[R any](n int, run func() *R, of func(*R) (score float64, peakRSS *int64)) (best *R, worst float64) {
	var peak int64
	var top float64
	for range n {
		r := run()
		if r == nil {
			continue
		}
		rate, rss := of(r)
		if best == nil || rate > top {
			best, top = r, rate
		}
		if worst == 0 || rate < worst {
			worst = rate
		}
		peak = max(peak, *rss)
	}
	if best != nil {
		_, rss := of(best)
		*rss = peak
	}
	return best, worst
}

func runPagesBench(ctx context.Context, e *env, p plan, rep *report) error {
	var best *pagesResult
	var worst []float64
	for range p.repeat {
		r, err := runPages(ctx, e, p.pages)
		if err != nil {
			rep.fail("pages", "", err)
			return fmt.Errorf("pages: %w", err)
		}
		if best == nil {
			best, worst = r, make([]float64, len(r.Pages))
			for i, pg := range r.Pages {
				worst[i] = pg.PerSecond
			}
			continue
		}
		for i, pg := range r.Pages {
			if pg.PerSecond > best.Pages[i].PerSecond {
				best.Pages[i] = pg
			}
			worst[i] = min(worst[i], pg.PerSecond)
		}
		best.PeakRSS = max(best.PeakRSS, r.PeakRSS)
		best.BareShareWorst = min(best.BareShareWorst, r.BareShare)
		best.BareShare = max(best.BareShare, r.BareShare)
	}
	rep.pages(best, worst)
	return nil
}

// parseFanout reads "100x100,1000x1000".
func parseFanout(s string) ([]fanoutSize, error) {
	var out []fanoutSize
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		f, i, ok := strings.Cut(part, "x")
		nf, err1 := strconv.Atoi(f)
		ni, err2 := strconv.Atoi(i)
		if !ok || err1 != nil || err2 != nil || ni <= 0 || nf < ni {
			return nil, fmt.Errorf("-fanout: %q is not FOLLOWERSxINSTANCES with at least as many followers as instances", part)
		}
		out = append(out, fanoutSize{Followers: nf, Instances: ni})
	}
	return out, nil
}

// parseInts reads "1,8,32".
func parseInts(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", part)
		}
		out = append(out, n)
	}
	return out, nil
}

// profileSelf writes a CPU profile of this process to path until the
// returned function is called.
func profileSelf(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("profile the load tool: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
