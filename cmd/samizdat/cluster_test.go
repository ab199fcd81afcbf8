package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cluster is a private PostgreSQL cluster that a test may stop and start,
// made by scripts/pg.sh from the machine's PostgreSQL binaries.
type cluster struct {
	dir  string
	port string
	URL  string
}

// newCluster creates and starts a cluster in a fresh directory and stops
// and removes it when the test ends.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "samizdat-pg-")
	if err != nil {
		t.Fatal(err)
	}
	// As root, pg.sh hands the directory to the postgres user.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	c := &cluster{dir: filepath.Join(dir, "data"), port: port}
	t.Cleanup(func() {
		c.stop(t)
		os.RemoveAll(dir)
	})
	c.start(t)
	return c
}

func pgScript(t *testing.T, args ...string) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "pg.sh"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(script, args...).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + string(ee.Stderr)
		}
		t.Fatalf("pg.sh %s: %s", strings.Join(args, " "), msg)
	}
	return strings.TrimSpace(string(out))
}

// start starts the cluster, always on the same port.
func (c *cluster) start(t *testing.T) {
	t.Helper()
	c.URL = pgScript(t, "start", c.dir, c.port, "fast")
}

// stop stops the cluster (pg_ctl's fast mode: sessions are cut).
func (c *cluster) stop(t *testing.T) {
	t.Helper()
	pgScript(t, "stop", c.dir)
}

// bin returns the path of one of PostgreSQL's programs (pg_dump…), from
// the same installation pg.sh uses.
func (c *cluster) bin(t *testing.T, name string) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if p := filepath.Join(dirs[i], name); fileExists(p) {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found", name)
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
