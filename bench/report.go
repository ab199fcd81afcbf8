package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"debug/buildinfo"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"samizdat/federation/signature"
)

// report collects results into Markdown tables.
type report struct {
	repeat      int
	command     string
	started     time.Time
	loadBefore  string
	loadAfter   string
	signCost    string // one delivery's signature, measured before the runs
	steal0      time.Duration
	steal       string // the share of the cores' time the hypervisor held back
	fanouts     []string
	bareSends   []string
	inboxes     []string
	inboxesAt   []string
	pageRows    []string
	bareShare   string
	failures    []string
	fresh       string
	serverNotes []string
	// serverCrypto says whose RSA the server signs with (processRSA).
	serverCrypto string
}

func newReport(command string) *report {
	r := &report{command: command, started: time.Now(), loadBefore: loadAverage(), signCost: signatureCost()}
	_, r.steal0, _ = machineCPU()
	return r
}

func (r *report) finish() {
	r.loadAfter = loadAverage()
	r.steal = "?"
	if _, steal, err := machineCPU(); err == nil {
		r.steal = fmt.Sprintf("%.1f%%", 100*float64(steal-r.steal0)/float64(time.Since(r.started))/float64(runtime.NumCPU()))
	}
}

func (r *report) fanout(x *fanoutResult, worst float64) {
	procs, byProc, rss := "1", "", mb(x.PeakRSS)
	if x.Procs > 1 {
		procs = fmt.Sprint(x.Procs)
		var parts []string
		for _, n := range x.ByProcess {
			parts = append(parts, thousands(n))
		}
		byProc = " (" + strings.Join(parts, " + ") + ")"
		parts = parts[:0]
		for _, v := range x.RSS {
			parts = append(parts, mb(v))
		}
		rss = strings.Join(parts, " / ")
	}
	r.fanouts = append(r.fanouts, fmt.Sprintf("| %s | %s | %s | %s%s | %s | %s | %s | %s | **%s** (%s) | %s | **%.0f%%** | %s | %s |",
		thousands(x.Followers), thousands(x.Instances), procs, thousands(x.Posts), byProc, ms(x.Enqueue), ms(x.First), ms(x.Last), ms(x.Recorded), rate(x.PerSecond), rate(worst),
		rate(x.SignRate), 100*x.SignShare(), x.CPU.perOp(x.Posts), rss))
	for _, l := range x.ServerErrs {
		r.serverNotes = append(r.serverNotes, "fanout: "+l)
	}
}

// bareSend adds a bare sender's row; fanouts says what the fan-outs to as
// many instances reached against it.
func (r *report) bareSend(x *bareSendResult, worst float64, fanouts string) {
	r.bareSends = append(r.bareSends, fmt.Sprintf("| %s | %s | **%s** (%s) | %s | **%.0f%%** | %s | %s |",
		thousands(x.Instances), thousands(x.Posts), rate(x.PerSecond), rate(worst), rate(x.SignRate), 100*x.SignShare(), fanouts, x.perOp()))
}

func (r *report) inbox(x *inboxResult, worst float64) {
	r.inboxes = append(r.inboxes, fmt.Sprintf("| %s | %s | %d | %s | **%s** (%s) | %s | %s | %s | %s | %s |",
		x.Kind, thousands(x.Requests), x.Concurrency, thousands(x.Accepted), rate(x.PerSecond), rate(worst),
		ms(x.Latency.percentile(50)), ms(x.Latency.percentile(99)), thousands(x.Stored),
		x.CPU.perOp(x.Accepted), mb(x.PeakRSS)))
}

func (r *report) inboxAt(x *inboxResult, worstP99 time.Duration) {
	r.inboxesAt = append(r.inboxesAt, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | **%s** (%s) | %s | %d | %s | %s |",
		x.Kind, thousands(x.Requests), thousands(x.Rate), thousands(x.Accepted), rate(x.PerSecond),
		ms(x.Latency.percentile(50)), ms(x.Latency.percentile(99)), ms(worstP99), ms(x.Latency.percentile(100)), x.InFlight,
		x.CPU.perOp(x.Accepted), mb(x.PeakRSS)))
}

func (r *report) pages(x *pagesResult, worst []float64) {
	for i, p := range x.Pages {
		rss := ""
		if i == len(x.Pages)-1 {
			rss = mb(x.PeakRSS)
		}
		r.pageRows = append(r.pageRows, fmt.Sprintf("| %s | %d | %s | **%s** (%s) | %s | %s | %s | %s / %s | %s | %s |",
			p.Page, x.Concurrency, thousands(p.Requests), rate(p.PerSecond), rate(worst[i]), ms(p.Latency.percentile(50)), ms(p.Latency.percentile(99)),
			ms(p.Cold), kb(p.Bytes), kb(p.RawBytes), p.CPU.perOp(p.Requests), rss))
	}
	r.fresh = x.Fresh
	r.bareShare = fmt.Sprintf("%.0f%%", 100*x.BareShare)
	if x.BareShareWorst != x.BareShare {
		r.bareShare += fmt.Sprintf(" (worst run %.0f%%)", 100*x.BareShareWorst)
	}
}

func (r *report) fail(bench, what string, err error) {
	msg := strings.SplitN(err.Error(), "\n", 2)[0]
	r.failures = append(r.failures, fmt.Sprintf("- %s %s: FAILED: %s", bench, what, msg))
}

// String is the whole report.
func (r *report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s` (%s, %s)\n\n", r.command, r.started.UTC().Format("2006-01-02 15:04 UTC"), time.Since(r.started).Round(time.Second))
	fmt.Fprintf(&b, "Machine: %s; load average %s before, %s after. The load generator, the fake instances, "+
		"PostgreSQL and `samizdat serve` all share these cores. One delivery's RSA-2048 signature "+
		"(`signature.SignRequestDigest`) took %s of one core before the runs. The hypervisor held back %s of the cores' time "+
		"during the runs (steal).\n\n", machine(), r.loadBefore, r.loadAfter, r.signCost, r.steal)
	if r.serverCrypto != "" {
		fmt.Fprintf(&b, "RSA signatures: the server makes them with %s; the fan-out's ceiling (signatures/s) is this load tool signing with %s.\n\n", r.serverCrypto, toolRSA())
	}
	b.WriteString("CPU per operation, in milliseconds: `samizdat serve`; the PostgreSQL backends serving it; " +
		"this load tool (the load generator and the fake instances); and all the machine's busy time (every process and the kernel).\n\n")
	if r.repeat > 1 {
		fmt.Fprintf(&b, "Each size ran %d times: a row is the run with the best throughput, the worst throughput in brackets, "+
			"and the highest peak memory of all runs.\n\n", r.repeat)
	}
	if len(r.fanouts) > 0 {
		b.WriteString("Fan-out: one story published to followers spread over fake instances; every POST verified (signature, Digest, Date) after the last one arrived. " +
			"Server processes: one in both roles, or with a second in the worker role on the same database; POSTs: with two, how many each process made (River's jobs), " +
			"server CPU: both processes together, peak RSS: each process. " +
			"Signatures/s: RSA-2048 signatures a second made by every core together, measured just after that run's deliveries; " +
			"of ceiling: deliveries a second divided by it.\n\n")
		b.WriteString("| followers | instances | server processes | POSTs | enqueue (ms) | first POST (ms) | last POST (ms) | all recorded (ms) | deliveries/s best (worst) | signatures/s, all cores | of ceiling | CPU ms/delivery: server / PG / load tool / all | peak RSS (MiB) |\n")
		b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		b.WriteString(strings.Join(r.fanouts, "\n") + "\n\n")
	}
	if len(r.bareSends) > 0 {
		fmt.Fprintf(&b, "Bare sender, the fan-out's yardstick: this tool in a process of its own signs each POST as the server does "+
			"and sends it with the server's HTTP client, %d at a time, and does nothing else (no queue, no database, no delivery state); "+
			"the same fake instances receive and check it, and the ceiling is measured after it the same way. "+
			"Fan-out against it: the best fan-out to as many instances, as a share of the bare sender's deliveries a second "+
			"(server processes in brackets). CPU: the bare sender / this load tool / all.\n\n", bareSendWorkers)
		b.WriteString("| instances | POSTs | deliveries/s best (worst) | signatures/s, all cores | of ceiling | fan-out against it | CPU ms/delivery: sender / load tool / all |\n")
		b.WriteString("|---:|---:|---:|---:|---:|---:|---:|\n")
		b.WriteString(strings.Join(r.bareSends, "\n") + "\n\n")
	}
	if len(r.inboxes) > 0 {
		b.WriteString("Inbox: signed activities to the shared inbox, closed loop, requests signed beforehand; every one verified and stored.\n\n")
		b.WriteString("| kind | requests | clients | accepted | accepted/s best (worst) | p50 (ms) | p99 (ms) | stored | CPU ms/request: server / PG / load tool / all | peak RSS (MiB) |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		b.WriteString(strings.Join(r.inboxes, "\n") + "\n\n")
	}
	if len(r.inboxesAt) > 0 {
		b.WriteString("Inbox at a fixed rate (open loop): the same requests sent on a schedule whatever the answers, over at most " +
			fmt.Sprint(openLoopConns) + " connections; each latency counts from the moment its request was due. " +
			"Of the runs at each rate, the one with the lowest p99, the highest p99 in brackets.\n\n")
		b.WriteString("| kind | requests | rate (/s) | accepted | accepted/s | p50 (ms) | p99 (ms) best (worst) | max (ms) | most in flight | CPU ms/request: server / PG / load tool / all | peak RSS (MiB) |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		b.WriteString(strings.Join(r.inboxesAt, "\n") + "\n\n")
	}
	if len(r.pageRows) > 0 {
		b.WriteString("Pages: closed loop, `Accept-Encoding: gzip`; dialogue freshness check: " + r.fresh + ".\n\n")
		b.WriteString("| page | clients | requests | req/s best (worst) | p50 (ms) | p99 (ms) | first request (ms) | size gzip / HTML (KiB) | CPU ms/request: server / PG / load tool / all | peak RSS (MiB) |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		b.WriteString(strings.Join(r.pageRows, "\n") + "\n\n")
		b.WriteString("The first story page, loaded again right before a bare `net/http` server of this tool sent the same bytes and headers from memory, " +
			"served **" + r.bareShare + "** of the bare server's requests a second. The bare server is a process of its own: " +
			"its CPU counts only in the machine's column of its row.\n\n")
	}
	if len(r.failures) > 0 {
		b.WriteString("Failures:\n\n" + strings.Join(r.failures, "\n") + "\n\n")
	}
	if len(r.serverNotes) > 0 {
		b.WriteString("Server errors logged:\n\n```\n" + strings.Join(r.serverNotes, "\n") + "\n```\n")
	}
	return b.String()
}

// signatureCost measures what bounds a fan-out: signing one delivery as
// the server does, the best of five rounds of 40 (the least disturbed by
// other work on the machine).
func signatureCost() string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "?"
	}
	digest := signature.Digest(bytes.Repeat([]byte("x"), 8<<10))
	best := time.Duration(1 << 62)
	for range 5 {
		start := time.Now()
		for range 40 {
			r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.2:1/inbox", nil)
			if err := signature.SignRequestDigest(r, "http://127.0.0.1/actors/en#main-key", key, digest, start); err != nil {
				return "?"
			}
		}
		best = min(best, time.Since(start)/40)
	}
	return fmt.Sprintf("%.2f ms", float64(best)/float64(time.Millisecond))
}

// loadAverage is the 1-minute load average.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// machine describes the CPU, cores, memory, kernel, Go and the commit.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kB int64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kB)
		mem = fmt.Sprintf(", %.0f GiB", float64(kB)/(1<<20))
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(b))
	}
	commit := ""
	if b, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		commit = ", commit " + strings.TrimSpace(string(b))
	}
	pg := ""
	if b, err := exec.Command("sh", "-c", "ls -d /usr/lib/postgresql/*/bin 2>/dev/null").Output(); err == nil {
		v := strings.Fields(string(b))
		sort.Strings(v)
		if len(v) > 0 {
			pg = ", PostgreSQL " + strings.Split(strings.TrimPrefix(v[len(v)-1], "/usr/lib/postgresql/"), "/")[0]
		}
	}
	return fmt.Sprintf("%d cores (%s)%s%s, %s%s%s", runtime.NumCPU(), model, mem, kernel, runtime.Version(), pg, commit)
}

// processRSA names the RSA that the running server process pid, built
// from bin, signs with. signature.Backend picks it inside the process: OpenSSL
// where libcrypto loads (with dlopen, when the process starts), else Go's
// crypto/rsa, BoringCrypto's module in a GOEXPERIMENT=boringcrypto build.
// From outside, the library in the process's memory map tells OpenSSL; when
// it is the very file this tool loaded, its version is this tool's.
func processRSA(pid int, bin string) string {
	tool := toolRSA() // loads the tool's own first
	switch lib := mappedLibcrypto(pid); {
	case lib != "" && lib == mappedLibcrypto(os.Getpid()):
		return tool
	case lib != "":
		return "OpenSSL (" + lib + ")"
	}
	if info, err := buildinfo.ReadFile(bin); err == nil {
		for _, s := range info.Settings {
			if s.Key == "GOEXPERIMENT" && strings.Contains(s.Value, "boringcrypto") {
				return "BoringCrypto"
			}
		}
	}
	return "Go crypto/rsa"
}

// mappedLibcrypto is the path of the OpenSSL library mapped into process
// pid, or "".
func mappedLibcrypto(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && strings.Contains(filepath.Base(f[5]), "libcrypto.so") {
			return f[5]
		}
	}
	return ""
}

// toolRSA names the RSA this load tool signs with, so the one of its
// signing ceiling: the signature package's, as in the server.
func toolRSA() string { return signature.Backend() }
