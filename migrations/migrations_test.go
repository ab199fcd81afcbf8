package migrations

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

// migrateTo brings the database conn is on to version, the number of the
// last migration file to apply.
func migrateTo(t *testing.T, conn *pgx.Conn, version int32) {
	t.Helper()
	ctx := context.Background()
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadMigrations(files); err != nil {
		t.Fatal(err)
	}
	if err := m.MigrateTo(ctx, version); err != nil {
		t.Fatalf("migrate to %d: %v", version, err)
	}
}

// emptyDatabase creates a database with no tables, dropped when the test
// ends, and returns a connection to it.
func emptyDatabase(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Fatal("DATABASE_URL is not set. Run the tests with `make test`, which starts a throwaway PostgreSQL.")
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "m_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Migration 008 copies each cached actor's followers collection out of its
// document, in every shape idOf (package federation) reads one.
func TestMigration008_FollowersFromDocument(t *testing.T) {
	ctx := context.Background()
	conn := emptyDatabase(t)
	migrateTo(t, conn, 7)
	actors := map[string]struct{ document, want string }{
		"string":            {`{"followers": "https://a.example/users/s/followers"}`, "https://a.example/users/s/followers"},
		"object":            {`{"followers": {"id": "https://a.example/users/o/followers", "type": "OrderedCollection"}}`, "https://a.example/users/o/followers"},
		"list of strings":   {`{"followers": ["https://a.example/users/l/followers"]}`, "https://a.example/users/l/followers"},
		"list of objects":   {`{"followers": [{"id": "https://a.example/users/lo/followers"}]}`, "https://a.example/users/lo/followers"},
		"none":              {`{"type": "Person"}`, ""},
		"number":            {`{"followers": 3}`, ""},
		"object without id": {`{"followers": {"type": "OrderedCollection"}}`, ""},
		"no document":       {"", ""},
	}
	for id, a := range actors {
		var doc *string
		if a.document != "" {
			doc = &a.document
		}
		if _, err := conn.Exec(ctx, `INSERT INTO remote_actors (id, host, inbox, document) VALUES ($1, 'a.example', $1 || '/inbox', $2::jsonb)`, id, doc); err != nil {
			t.Fatal(err)
		}
	}
	migrateTo(t, conn, 8)
	for id, a := range actors {
		var got string
		if err := conn.QueryRow(ctx, `SELECT followers FROM remote_actors WHERE id = $1`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != a.want {
			t.Errorf("%s: followers %q, want %q", id, got, a.want)
		}
	}
}
