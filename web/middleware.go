package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// contentSecurityPolicy lets pages load only what this site serves: no
// third-party scripts, styles, fonts, images or frames, ever.
const contentSecurityPolicy = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; " +
	"font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

// securityHeaders sets the headers that keep the privacy promise.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "interest-cohort=(), browsing-topics=()")
		next.ServeHTTP(w, r)
	})
}

// logRequests logs each request's method, path, status and duration. It never
// logs the client's address: the site keeps no visitor data.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		s.logger.Debug("request",
			"request_id", requestID(r),
			"method", r.Method, "path", r.URL.Path,
			"status", ww.Status(), "duration", time.Since(start))
	})
}

func requestID(r *http.Request) string { return middleware.GetReqID(r.Context()) }

// limiters are in-memory rate limits. Clients are told apart by a keyed hash
// of their address whose key lives only in this process's memory, so nothing
// that could identify a visitor is ever written anywhere.
type limiters struct {
	key []byte
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*window
}

type window struct {
	start time.Time
	count int
}

func newLimiters(now func() time.Time) *limiters {
	key := make([]byte, 32)
	rand.Read(key)
	return &limiters{key: key, now: now, m: map[string]*window{}}
}

// client returns an opaque, per-process name for the request's sender.
func (l *limiters) client(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	mac := hmac.New(sha256.New, l.key)
	mac.Write([]byte(host))
	return hex.EncodeToString(mac.Sum(nil)[:12])
}

// allow counts one attempt for key and reports whether at most max attempts
// were made within per.
func (l *limiters) allow(key string, max int, per time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) > 100_000 {
		for k, w := range l.m {
			if now.Sub(w.start) > time.Hour {
				delete(l.m, k)
			}
		}
	}
	w, ok := l.m[key]
	if !ok || now.Sub(w.start) > per {
		w = &window{start: now}
		l.m[key] = w
	}
	w.count++
	return w.count <= max
}

// reset forgets the attempts counted for key (after a successful login).
func (l *limiters) reset(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}
