// Command samizdat runs a Samizdat publication: its website, its staff desk
// and (from the federation work on) its ActivityPub actors.
//
//	samizdat serve       start the server
//	samizdat migrate     apply database migrations and exit
//	samizdat user add    add a staff account
//	samizdat user passwd set a staff member's password
//	samizdat demo        load the demo publication (once; again changes nothing)
//
// Configuration comes from the environment; see config.go and the README.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/migrations"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "samizdat:", err)
		os.Exit(1)
	}
}

const usage = `Samizdat: a federated, multilingual publication.

Usage:
  samizdat serve       start the website, the desk and the fediverse actors
  samizdat migrate     apply database migrations and exit
  samizdat user add    add a staff account (samizdat user add --help)
  samizdat user passwd set a staff member's password (samizdat user passwd EMAIL)
  samizdat demo        load the demo publication; running it again changes nothing
  samizdat media import copy the images of an older MEDIA_DIR into the database, once

Every command reads its configuration from the environment:
  DATABASE_URL      PostgreSQL connection string (required; or DATABASE_URL_FILE)
  BASE_URL          the public address, e.g. https://example.org (default http://localhost:8080)
  LISTEN_ADDR       where to listen (default :8080)
  SAMIZDAT_ROLES    web, worker or web,worker: what this process does (default web,worker)
  LANGUAGES         comma-separated language codes (default en,ru,fr)
  PUBLICATION_NAME  the publication's name (default Samizdat)
  MEDIA_DIR         where an older Samizdat kept images, for media import (default ./media)
  LOG_LEVEL         debug, info, warn or error (default info)
  LOG_FORMAT        text or json (default text)
  SHUTDOWN_TIMEOUT  how long to let requests finish on shutdown (default 15s)
  TRUSTED_PROXIES   CIDR prefixes of the reverse proxies whose X-Forwarded-For is believed (default none)
  METRICS_ADDR      where to serve Prometheus metrics, e.g. 127.0.0.1:9090 (default: not served)
  FEDERATION_ALLOW_PRIVATE  let remote fetches reach private addresses (development and tests only)
`

// run is main without the process: testable end to end.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args, getenv, stdout, stderr)
	case "user":
		return cmdUser(ctx, args, getenv, stdin, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, args, getenv, stdout, stderr)
	case "media":
		return cmdMedia(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// newFlags makes a flag set whose --help prints the command's own help.
func newFlags(name, help string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, help)
		fs.PrintDefaults()
	}
	return fs
}

// setup loads the configuration, builds the logger and opens a migrated pool.
func setup(ctx context.Context, getenv func(string) string, stderr io.Writer) (config, *slog.Logger, *pgxpool.Pool, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return cfg, nil, nil, fmt.Errorf("configuration:\n%w", err)
	}
	logger := newLogger(cfg, stderr)
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return cfg, logger, nil, err
	}
	if err := migrations.Apply(ctx, pool); err != nil {
		pool.Close()
		return cfg, logger, nil, err
	}
	return cfg, logger, pool, nil
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// defaultPoolSize is how many PostgreSQL connections one process keeps at
// most, unless DATABASE_URL says otherwise with pool_max_conns. pgx's own
// default, the number of CPUs but at least 4, leaves three connections on a
// small machine for pages, the inbox and 128 delivery workers once River
// holds one for LISTEN; requests then queue for a connection while
// PostgreSQL idles (docs/benchmarks.md).
const defaultPoolSize = 24

func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultPoolSize
	}
	if !strings.Contains(url, "connect_timeout") {
		// A database host that does not answer must not hold requests
		// until the server's write timeout: they get 503 after this.
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: cannot connect (is PostgreSQL running and DATABASE_URL right?): %w", err)
	}
	return pool, nil
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "Usage: samizdat migrate\n\nApplies every database migration not yet applied, then exits.\n", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, _, pool, err := setup(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	pool.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}
