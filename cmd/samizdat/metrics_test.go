package main

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServe_HealthAndMetrics checks the health checks on the public
// listener and the metrics on METRICS_ADDR, and that the metrics are not
// on the public listener.
func TestServe_HealthAndMetrics(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	s := startServer(t, map[string]string{"METRICS_ADDR": metricsAddr})

	if code, body := get(t, s.URL+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get(t, s.URL+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if code, _ := get(t, s.URL+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %d, want 404", code)
	}
	get(t, s.URL+"/en/")
	get(t, s.URL+"/en/")
	resp, err := http.Post(s.URL+"/inbox", "application/activity+json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// A job due a minute ago on a queue no worker takes: the queue's depth
	// and the age of its oldest job.
	conn, err := pgx.Connect(t.Context(), s.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), `INSERT INTO river_job (kind, args, max_attempts, queue, scheduled_at)
		VALUES ('test', '{}', 1, 'idle', now() - interval '1 minute')`); err != nil {
		t.Fatal(err)
	}

	code, metrics := get(t, "http://"+metricsAddr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`samizdat_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`samizdat_http_requests_total{method="GET",route="/readyz",status="200"} 1`,
		`samizdat_http_requests_total{method="GET",route="/{lang}",status="200"} 2`,
		`samizdat_inbox_activities_total{outcome="unauthorized"} 1`,
		`samizdat_page_cache_requests_total{result="hit"} 1`,
		`samizdat_page_cache_requests_total{result="miss"} 1`,
		`samizdat_db_pool_connections{state="max"} 24`,
		`samizdat_queue_jobs{queue="idle",state="available"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s in\n%s", want, metrics)
		}
	}
	age := regexp.MustCompile(`samizdat_queue_oldest_available_seconds\{queue="idle"\} ([0-9.e+]+)`).FindStringSubmatch(metrics)
	if age == nil {
		t.Fatalf("no age of the oldest job in:\n%s", metrics)
	}
	if secs, _ := strconv.ParseFloat(age[1], 64); secs < 60 {
		t.Errorf("oldest available job waited %s s, want at least 60", age[1])
	}
	if strings.Contains(metrics, "/en/") {
		t.Error("a path, not a route pattern, reached the metrics")
	}
}
