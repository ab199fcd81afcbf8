package store_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// Unavailable tells the database being away from the database refusing a
// statement, from real errors of both kinds.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	_, refused := pgx.Connect(t.Context(), "postgres://postgres@"+closed+"/samizdat?sslmode=disable&connect_timeout=2")
	if refused == nil {
		t.Fatal("connected to a closed port")
	}

	s := storetest.New(t)
	_, conflict := s.Pool().Exec(t.Context(), `CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (1)`)
	_, notFound := s.Story(t.Context(), 1<<40)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, canceled := s.Story(ctx, 1)

	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused, true},
		{"wrapped by the store", fmt.Errorf("store: story 1: %w", refused), true},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", conflict, false},
		{"not found", notFound, false},
		{"request canceled", canceled, false},
		{"other", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		if got := store.Unavailable(c.err); got != c.want {
			t.Errorf("%s (%v): Unavailable = %v, want %v", c.name, c.err, got, c.want)
		}
	}
	var pe *pgconn.PgError
	if !errors.As(conflict, &pe) || pe.Code != "23505" || !errors.Is(notFound, content.ErrNotFound) || canceled == nil {
		t.Errorf("the errors are not what the cases say: %v; %v; %v", conflict, notFound, canceled)
	}
}
