package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"samizdat/content/store/storetest"
	"samizdat/migrations"
)

// migrateTo brings the database conn is on to version, the number of the
// last migration file to apply.
func migrateTo(t *testing.T, conn *pgx.Conn, version int32) {
	t.Helper()
	if err := migrations.MigrateTo(context.Background(), conn, version); err != nil {
		t.Fatalf("migrate to %d: %v", version, err)
	}
}

// emptyDatabase returns a connection to a database with no tables,
// dropped when the test ends.
func emptyDatabase(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), storetest.EmptyURL(t))
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
