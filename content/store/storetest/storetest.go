// Package storetest gives each test its own PostgreSQL database, cloned from a
// template built once from the real migrations. Import it only from tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/content/store"
	"samizdat/migrations"
)

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// URL returns DATABASE_URL or fails the test saying how to get a database.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("storetest: DATABASE_URL is not set. Run the tests with `make test`, which starts a throwaway PostgreSQL, " +
			"or set DATABASE_URL to a PostgreSQL server where this user may create databases.")
	}
	return u
}

// NewURL creates a fresh database cloned from the migrated template and
// returns a connection string for it; the database is dropped when the test
// ends. Use it to run the whole program against its own database.
func NewURL(t testing.TB) string {
	t.Helper()
	base := URL(t)
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(context.Background(), base) })
	if templateErr != nil {
		t.Fatalf("storetest: template database: %v", templateErr)
	}
	return newDatabase(t, base, "t_", " TEMPLATE "+templateName)
}

// EmptyURL creates a database with no tables at all, dropped when the test
// ends, and returns a connection string for it: for tests of the
// migrations themselves.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, URL(t), "m_", "")
}

// newDatabase creates a database named prefix and random letters on the
// server at base, with the CREATE DATABASE options opts, drops it when the
// test ends, and returns a connection string for it.
func newDatabase(t testing.TB, base, prefix, opts string) string {
	t.Helper()
	ctx := context.Background()
	name := prefix + randomHex(8)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("storetest: connect %s: %v", redact(base), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s%s`, name, opts)); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("storetest: connect to drop %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("storetest: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: DATABASE_URL must be a URL (postgres://…): %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewPool creates a fresh database (see NewURL) and returns a pool on it,
// closed when the test ends.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(NewURL(t))
	if err != nil {
		t.Fatalf("storetest: parse database URL: %v", err)
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("storetest: pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// New returns a store on a fresh database for this test.
func New(t testing.TB) *store.Store {
	t.Helper()
	return store.New(NewPool(t))
}

// ensureTemplate creates tmpl_<hash of migrations> when missing. Several test
// processes may race to create it, so creation happens under an advisory lock
// and is built under a temporary name, renamed only when complete.
func ensureTemplate(ctx context.Context, base string) (string, error) {
	name := "tmpl_" + migrations.Hash()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect %s: %w", redact(base), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(72120501)`); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock(72120501)`) //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		return "", err
	}
	cfg.Database = building
	mc, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", err
	}
	err = migrations.ApplyConn(ctx, mc)
	mc.Close(ctx)
	if err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// redact hides a password in a connection string for messages.
func redact(u string) string {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
