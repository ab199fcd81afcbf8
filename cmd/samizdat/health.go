package main

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/migrations"
)

// Health checks for load balancers and orchestrators, on the public
// listener: they say nothing about the publication, only whether this
// process should get traffic (docs/operations.md#health-checks).

// handleHealthz answers 200 while the process runs and serves HTTP: the
// liveness check. It reads nothing, so a database outage never gets a
// healthy process restarted.
func handleHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n")) //nolint:errcheck
}

// readyzTimeout bounds the readiness check's round trips to PostgreSQL.
const readyzTimeout = 2 * time.Second

// handleReadyz answers 200 when PostgreSQL answers and every migration this
// build carries is applied, and 503 otherwise: the readiness check.
func handleReadyz(pool *pgxpool.Pool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		ctx, cancel := context.WithTimeout(r.Context(), readyzTimeout)
		defer cancel()
		if err := pool.Ping(ctx); err != nil {
			http.Error(w, "not ready: the database does not answer", http.StatusServiceUnavailable)
			return
		}
		if err := migrations.Current(ctx, pool); err != nil {
			http.Error(w, "not ready: the database schema is behind this build (run samizdat migrate)", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n")) //nolint:errcheck
	}
}
