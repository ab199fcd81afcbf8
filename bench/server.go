package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/content/store"
	"samizdat/migrations"
)

// languages are the server's languages in every run; the tool's own
// federation hook must be built with the same ones.
const languages = "en,ru,fr"

// database is a fresh, migrated database for one run, dropped afterwards.
type database struct {
	URL   string
	Pool  *pgxpool.Pool
	Store *store.Store
	admin string // the connection string it was created through
	name  string
	keep  bool // left in place at the end, for a look with psql
}

// newDatabase creates a database named bench_<random> on the server that
// adminURL points to, applies the migrations and opens a pool on it.
func newDatabase(ctx context.Context, adminURL string, keep bool) (*database, error) {
	u, err := url.Parse(adminURL)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("DATABASE_URL must be a postgres:// URL")
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "bench_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	d := &database{URL: u.String(), admin: adminURL, name: name, keep: keep}
	cfg, err := pgxpool.ParseConfig(d.URL)
	if err != nil {
		d.drop()
		return nil, err
	}
	cfg.MaxConns = 8
	// So that backendCPU can tell the tool's own connections apart.
	cfg.ConnConfig.RuntimeParams["application_name"] = toolAppName
	if d.Pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		d.drop()
		return nil, err
	}
	if err := migrations.Apply(ctx, d.Pool); err != nil {
		d.drop()
		return nil, err
	}
	d.Store = store.New(d.Pool)
	return d, nil
}

// analyze updates the planner's statistics after seeding, as autovacuum
// would have long since done on a database that grew to this size: without
// them PostgreSQL plans for empty tables.
func (d *database) analyze(ctx context.Context) error {
	_, err := d.Pool.Exec(ctx, "ANALYZE")
	return err
}

// toolAppName is the application_name of the tool's own connections.
const toolAppName = "samizdat-bench"

// backendCPU is the CPU time spent so far by the PostgreSQL backends
// serving the database's other clients (the server's connections), read
// from /proc: PostgreSQL runs on the same cores, and its share of the work
// is part of what an operation costs.
func (d *database) backendCPU(ctx context.Context) (time.Duration, error) {
	rows, err := d.Pool.Query(ctx, `
		SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND application_name <> $1 AND backend_type = 'client backend'`, toolAppName)
	if err != nil {
		return 0, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, pid := range pids {
		if t, err := processCPU(int(pid)); err == nil {
			total += t
		}
	}
	return total, nil
}

// processCPU reads a process's user and system CPU time from
// /proc/PID/stat, in clock ticks of 10 ms (USER_HZ, 100 on Linux).
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing parenthesis. utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unreadable /proc stat times")
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// machineCPU is the time all cores spent busy since boot (user, nice,
// system, irq and softirq in /proc/stat: every process and the kernel),
// and the time the hypervisor held them back (steal).
func machineCPU() (busy, steal time.Duration, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, errors.New("unreadable /proc/stat")
	}
	var v [8]int64 // user nice system idle iowait irq softirq steal
	for i := range v {
		if v[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
			return 0, 0, err
		}
	}
	tick := 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(v[0]+v[1]+v[2]+v[5]+v[6]) * tick, time.Duration(v[7]) * tick, nil
}

// cpuMeter measures the CPU time spent between start and stop by the
// server (with more, every server process together), its PostgreSQL
// backends, this load tool (the load generator and the fake instances) and
// the whole machine.
type cpuMeter struct {
	srv                       *server
	more                      []*server // other server processes on the same database
	db                        *database
	server0, pg0, tool0, all0 time.Duration
	Server, PG, Tool, Machine time.Duration // after stop
}

func (m *cpuMeter) start(ctx context.Context) {
	m.server0 = m.serversCPU()
	m.pg0, _ = m.db.backendCPU(ctx)
	m.tool0, _ = processCPU(os.Getpid())
	m.all0, _, _ = machineCPU()
}

// serversCPU is the CPU time of every server process so far.
func (m *cpuMeter) serversCPU() time.Duration {
	var total time.Duration
	for _, s := range append([]*server{m.srv}, m.more...) {
		t, _ := processCPU(s.cmd.Process.Pid)
		total += t
	}
	return total
}

func (m *cpuMeter) stop(ctx context.Context) {
	s := m.serversCPU()
	p, _ := m.db.backendCPU(ctx)
	t, _ := processCPU(os.Getpid())
	a, _, _ := machineCPU()
	m.Server, m.PG, m.Tool, m.Machine = s-m.server0, p-m.pg0, t-m.tool0, a-m.all0
}

// perOp formats, for n operations, the CPU time per operation of the
// server, PostgreSQL, the load tool and the whole machine, in
// milliseconds.
func (m *cpuMeter) perOp(n int) string {
	return strings.Join([]string{perOp(m.Server, n), perOp(m.PG, n), perOp(m.Tool, n), perOp(m.Machine, n)}, " / ")
}

// perOp formats CPU time per operation in milliseconds.
func perOp(d time.Duration, n int) string {
	if n <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)/float64(n))
}

// drop closes the pool and removes the database.
func (d *database) drop() {
	if d.Pool != nil {
		d.Pool.Close()
	}
	if d.keep {
		fmt.Fprintf(os.Stderr, "bench: database kept: %s\n", d.URL)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, d.admin)
	if err != nil {
		return
	}
	defer c.Close(ctx)
	c.Exec(ctx, "DROP DATABASE IF EXISTS "+d.name+" WITH (FORCE)") //nolint:errcheck // best effort
}

// server is `samizdat serve` running as a child process, so that its
// memory can be read from /proc and its CPU is its own.
type server struct {
	URL     string // its BASE_URL: http://127.0.0.1:port, its own unless it shares another's
	cmd     *exec.Cmd
	logPath string
	done    chan error
}

// startServer runs `bin serve args…` against dbURL on a free loopback port
// and waits until it answers. Its log goes to workDir/server.log.
func startServer(ctx context.Context, bin, dbURL, workDir string, args []string) (*server, error) {
	return startProcess(ctx, bin, dbURL, workDir, args, "", "")
}

// startProcess is startServer for a process in roles (SAMIZDAT_ROLES; ""
// for the default, web and worker) that stands for the publication at
// baseURL ("" for its own address). A process of a publication that
// another process serves must share its BASE_URL: it signs deliveries with
// the key id of the actors there. A worker alone serves only the health
// checks on its own port, which say when it is up (after its River client
// started).
func startProcess(ctx context.Context, bin, dbURL, workDir string, args []string, roles, baseURL string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return nil, err
	}
	if baseURL == "" {
		baseURL = "http://" + addr
	}
	ready := "http://" + addr + "/robots.txt"
	if roles == "worker" {
		ready = "http://" + addr + "/healthz"
	}
	s := &server{URL: baseURL, logPath: filepath.Join(workDir, "server.log"), done: make(chan error, 1)}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, append([]string{"serve"}, args...)...)
	s.cmd.Env = append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"BASE_URL="+baseURL,
		"LISTEN_ADDR="+addr,
		"LANGUAGES="+languages,
		"MEDIA_DIR="+filepath.Join(workDir, "media"),
		"FEDERATION_ALLOW_PRIVATE=true",
		"LOG_LEVEL=warn",
		"SHUTDOWN_TIMEOUT=5s",
	)
	if roles != "" {
		s.cmd.Env = append(s.cmd.Env, "SAMIZDAT_ROLES="+roles)
	}
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	go func() { s.done <- s.cmd.Wait(); logFile.Close() }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			return nil, fmt.Errorf("samizdat serve exited at start (%v):\n%s", err, s.logTail())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("samizdat serve not answering at %s after 60s:\n%s", ready, s.logTail())
		}
	}
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// memory reads the server's resident memory from /proc: peak (VmHWM) and
// current (VmRSS), in bytes.
func (s *server) memory() (peak, current int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		fields := strings.Fields(v) // "12345 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		if k == "VmHWM" {
			peak = n << 10
		} else {
			current = n << 10
		}
	}
	if peak == 0 {
		return 0, 0, errors.New("no VmHWM in /proc status")
	}
	return peak, current, sc.Err()
}

// stop ends the server with SIGTERM, as an operator would, and kills it
// if it has not stopped within 20 seconds.
func (s *server) stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited already
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill() //nolint:errcheck
		return errors.New("samizdat serve did not stop within 20s of SIGTERM; killed")
	}
}

// logTail returns the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// logErrors returns the lines of the server's log at level ERROR, at most a
// few, so that a run that went wrong on the server side says so.
func (s *server) logErrors() []string {
	b, _ := os.ReadFile(s.logPath)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "level=ERROR") {
			out = append(out, line)
			if len(out) == 5 {
				break
			}
		}
	}
	return out
}
