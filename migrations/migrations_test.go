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

// Migration 010 sends visible replies with nothing to show back to review,
// and keeps only the http(s) mentions.
func TestMigration010_EmptyReplies(t *testing.T) {
	ctx := context.Background()
	conn := emptyDatabase(t)
	migrateTo(t, conn, 9)
	var story int64
	if err := conn.QueryRow(ctx, `INSERT INTO stories DEFAULT VALUES RETURNING id`).Scan(&story); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO remote_actors (id, host, inbox) VALUES ('https://a.example/u', 'a.example', 'https://a.example/inbox')`); err != nil {
		t.Fatal(err)
	}
	replies := map[string]struct {
		html, attachments, state, mentions string
		wantState, wantHeld, wantMentions  string
	}{
		"empty":      {"<p> <br/></p>", "[]", "visible", "[]", "pending", "empty", "[]"},
		"nbsp":       {"<p>&nbsp;</p>", "[]", "visible", "[]", "pending", "empty", "[]"},
		"text":       {"<p>hi</p>", "[]", "visible", `[{"href": "javascript:x", "name": "@x"}, {"href": "https://a.example/u", "name": "@u"}]`, "visible", "", `[{"href": "https://a.example/u", "name": "@u"}]`},
		"image only": {"", `[{"media": "a.png"}]`, "visible", "[]", "visible", "", "[]"},
		"hidden":     {"", "[]", "hidden", "[]", "hidden", "", "[]"},
	}
	for id, r := range replies {
		if _, err := conn.Exec(ctx, `INSERT INTO replies (ap_id, story_id, in_reply_to, author, author_host, content_html,
			visibility, state, attachments, mentions, published) VALUES ($1, $2, 'x', 'https://a.example/u', 'a.example', $3, 'public', $4, $5::jsonb, $6::jsonb, now())`,
			id, story, r.html, r.state, r.attachments, r.mentions); err != nil {
			t.Fatal(err)
		}
	}
	migrateTo(t, conn, 10)
	for id, r := range replies {
		var state, held string
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT state, held_for, mentions = $2::jsonb FROM replies WHERE ap_id = $1`, id, r.wantMentions).Scan(&state, &held, &ok); err != nil {
			t.Fatal(err)
		}
		if state != r.wantState || held != r.wantHeld || !ok {
			t.Errorf("%s: state %s held for %q (mentions as wanted: %v), want %s %q", id, state, held, ok, r.wantState, r.wantHeld)
		}
	}
}

// Migration 012 moves the moderation log into the audit log, keeping who
// acted, even when their account is gone, and when.
func TestMigration012_ModerationLogMoves(t *testing.T) {
	ctx := context.Background()
	conn := emptyDatabase(t)
	migrateTo(t, conn, 11)
	var mira int64
	if err := conn.QueryRow(ctx, `INSERT INTO staff (email, display_name, password_hash, roles) VALUES ('mira@example.org', 'Mira', 'x', '{moderator}') RETURNING id`).Scan(&mira); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `
		INSERT INTO moderation_log (staff_id, action, target, reason, created_at) VALUES
		($1, 'hide', 'https://a.example/notes/1', 'insult', '2026-03-02 09:00:00+00'),
		(NULL, 'policy', 'open', '', '2026-03-02 10:00:00+00')`, mira); err != nil {
		t.Fatal(err)
	}
	migrateTo(t, conn, 12)
	rows, err := conn.Query(ctx, `SELECT coalesce(staff_id, 0), staff_name, action, target, detail, created_at::text FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		StaffID                                 int64
		Name, Action, Target, Detail, CreatedAt string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[line])
	if err != nil {
		t.Fatal(err)
	}
	want := []line{
		{mira, "Mira", "hide", "https://a.example/notes/1", "insult", "2026-03-02 09:00:00+00"},
		{0, "", "policy", "open", "", "2026-03-02 10:00:00+00"},
	}
	if len(got) != len(want) {
		t.Fatalf("audit log = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('moderation_log') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("moderation_log still there: %v, %v", exists, err)
	}
}

// Current tells a database behind this build from an up-to-date one: the
// readiness check's half about migrations.
func TestCurrent(t *testing.T) {
	ctx := context.Background()
	conn := emptyDatabase(t)
	migrateTo(t, conn, 9)
	if err := migrations.Current(ctx, conn); err == nil {
		t.Error("Current took a database at migration 9 for up to date")
	}
	if err := migrations.ApplyConn(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if err := migrations.Current(ctx, conn); err != nil {
		t.Errorf("after Apply: %v", err)
	}
}
