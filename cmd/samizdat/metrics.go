package main

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"samizdat/content/store"
)

// metrics are the Prometheus metrics of one process, on a registry of its
// own that main builds and passes down as plain functions, so that web and
// federation need no metrics library and there is no global registry. They
// are served on METRICS_ADDR only, never on the public listener
// (docs/operations.md#metrics).
type metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	durations  *prometheus.HistogramVec
	inbox      *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	pageCache  *prometheus.CounterVec
}

func newMetrics(pool *pgxpool.Pool, st *store.Store) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samizdat_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "samizdat_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
		inbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samizdat_inbox_activities_total",
			Help: "Activities POSTed to the inboxes, by outcome.",
		}, []string{"outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samizdat_delivery_attempts_total",
			Help: "Delivery attempts to remote inboxes, by outcome.",
		}, []string{"outcome"}),
		pageCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samizdat_page_cache_requests_total",
			Help: "Pages that could come from memory, by result: hit (served from memory) or miss (rendered).",
		}, []string{"result"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.durations, m.inbox, m.deliveries, m.pageCache,
		poolCollector{pool},
		queueCollector{st},
	)
	return m
}

// handler serves the metrics in Prometheus's text format.
func (m *metrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	return mux
}

// countRequests counts every request of the root router by the route
// pattern that matched (never the path: paths are unbounded and name what
// readers read).
func (m *metrics) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		m.requests.WithLabelValues(methodLabel(r.Method), route, strconv.Itoa(status)).Inc()
		m.durations.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// methodLabel keeps the method label to the methods the site answers.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodOptions:
		return method
	}
	return "other"
}

func (m *metrics) inboxResult(outcome string)    { m.inbox.WithLabelValues(outcome).Inc() }
func (m *metrics) deliveryResult(outcome string) { m.deliveries.WithLabelValues(outcome).Inc() }
func (m *metrics) pageCacheResult(hit bool) {
	if hit {
		m.pageCache.WithLabelValues("hit").Inc()
	} else {
		m.pageCache.WithLabelValues("miss").Inc()
	}
}

// poolCollector reports the PostgreSQL connection pool's use at each
// scrape.
type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolConns = prometheus.NewDesc("samizdat_db_pool_connections",
		"Connections of the PostgreSQL pool, by state: acquired, idle, constructing; and max, its size.", []string{"state"}, nil)
	poolAcquires = prometheus.NewDesc("samizdat_db_pool_acquires_total",
		"Connections taken from the pool.", nil, nil)
	poolEmptyAcquires = prometheus.NewDesc("samizdat_db_pool_empty_acquires_total",
		"Acquires that had to wait for a connection or open one.", nil, nil)
	poolAcquireWait = prometheus.NewDesc("samizdat_db_pool_acquire_wait_seconds_total",
		"Time spent acquiring connections.", nil, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolConns
	ch <- poolAcquires
	ch <- poolEmptyAcquires
	ch <- poolAcquireWait
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.MaxConns()), "max")
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolEmptyAcquires, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolAcquireWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
}

// queueCollector reports River's queues at each scrape: jobs by queue and
// state, and how long the oldest available job has waited, which grows
// when workers fall behind.
type queueCollector struct{ st *store.Store }

var (
	queueJobs = prometheus.NewDesc("samizdat_queue_jobs",
		"Unfinished River jobs, by queue and state (available, scheduled, retryable, running).", []string{"queue", "state"}, nil)
	queueOldest = prometheus.NewDesc("samizdat_queue_oldest_available_seconds",
		"How long the oldest available job of a queue has been due.", []string{"queue"}, nil)
)

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueJobs
	ch <- queueOldest
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.st.QueueStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueJobs, err)
		return
	}
	for _, s := range stats {
		ch <- prometheus.MustNewConstMetric(queueJobs, prometheus.GaugeValue, float64(s.Jobs), s.Queue, s.State)
		if s.State == "available" {
			ch <- prometheus.MustNewConstMetric(queueOldest, prometheus.GaugeValue, s.OldestAvailable.Seconds(), s.Queue)
		}
	}
}
