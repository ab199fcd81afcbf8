// Package migrations holds Samizdat's SQL schema as numbered files and applies
// them in order. Applied files are never edited: a change is a new file.
//
// The job queue's tables belong to River, which ships its own migrations;
// Apply runs them after ours, so that every database, the test templates
// included, has them.
package migrations

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed *.sql
var files embed.FS

// versionTable records which migrations have run.
const versionTable = "schema_version"

// Apply runs every migration not yet applied, each in its own transaction.
// tern holds a PostgreSQL advisory lock while it works, so two instances
// starting together cannot migrate at once.
func Apply(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrations: acquire: %w", err)
	}
	defer conn.Release()
	return ApplyConn(ctx, conn.Conn())
}

// ApplyConn is Apply on a single connection.
func ApplyConn(ctx context.Context, conn *pgx.Conn) error {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("migrations: new migrator: %w", err)
	}
	if err := m.LoadMigrations(files); err != nil {
		return fmt.Errorf("migrations: load: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrations: migrate: %w", err)
	}
	return applyRiver(ctx, conn)
}

// riverLock is the advisory lock held while River's migrations run:
// rivermigrate takes none itself.
const riverLock = 72120502

// applyRiver brings River's tables up to the version this build of River
// needs, one version per transaction (a version that adds an enum value
// cannot share a transaction with the next, which uses it), each under
// riverLock so that two instances starting together take turns.
func applyRiver(ctx context.Context, conn *pgx.Conn) error {
	m, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return fmt.Errorf("migrations: river migrator: %w", err)
	}
	for {
		var applied int
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, riverLock); err != nil {
				return err
			}
			res, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
			if err != nil {
				return err
			}
			applied = len(res.Versions)
			return nil
		})
		if err != nil {
			return fmt.Errorf("migrations: river: %w", err)
		}
		if applied == 0 {
			return nil
		}
	}
}

// Hash is a digest of every migration file and of River's migrations, used
// to name test template databases so that a changed migration, or a River
// upgrade that brings a new one, builds a new template.
func Hash() string {
	names, _ := fs.Glob(files, "*.sql")
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, _ := files.ReadFile(n)
		h.Write([]byte(n))
		h.Write(b)
	}
	if m, err := rivermigrate.New(riverpgxv5.New(nil), nil); err == nil {
		for _, v := range m.AllVersions() {
			fmt.Fprintf(h, "river %d\n%s", v.Version, v.SQLUp)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Current reports, as an error, when the database's schema is behind this
// build: fewer of our migrations applied than it carries (the readiness
// check of a process started before `samizdat migrate` ran, or against the
// wrong database).
func Current(ctx context.Context, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) error {
	entries, err := fs.Glob(files, "*.sql")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	var applied int32
	if err := db.QueryRow(ctx, `SELECT version FROM `+versionTable).Scan(&applied); err != nil {
		return fmt.Errorf("migrations: read the applied version: %w", err)
	}
	if int(applied) < len(entries) {
		return fmt.Errorf("migrations: %d of %d applied", applied, len(entries))
	}
	return nil
}
