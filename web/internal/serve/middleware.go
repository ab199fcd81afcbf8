package serve

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// contentSecurityPolicy lets pages load only what this site serves: no
// third-party scripts, styles, fonts, images or frames, ever.
const contentSecurityPolicy = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; " +
	"font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

// securityHeaders are the headers that keep the privacy promise, by their
// canonical names. Their slices are shared by every response and must not
// be changed: a handler that needs another value sets a new slice.
var securityHeaders = http.Header{
	"Content-Security-Policy": {contentSecurityPolicy},
	"X-Content-Type-Options":  {"nosniff"},
	"Referrer-Policy":         {"no-referrer"},
	"X-Frame-Options":         {"DENY"},
	"Permissions-Policy":      {"interest-cohort=(), browsing-topics=()"},
}

// SecurityHeaders sets the headers that keep the privacy promise.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetSecurityHeaders(w.Header())
		next.ServeHTTP(w, r)
	})
}

// SetSecurityHeaders sets on h what SecurityHeaders sets, for a handler
// that answers without it.
func SetSecurityHeaders(h http.Header) {
	// Keys already canonical and values made once: Set would canonicalize
	// each key and allocate each value on every request.
	for k, v := range securityHeaders {
		h[k] = v
	}
}

// Compress compresses the text responses of both HTML sides.
var Compress = middleware.Compress(5, "text/html", "text/css", "text/plain", "application/atom+xml", "application/xml", "image/svg+xml")

// LogRequests logs each request's method, path, status and duration at
// debug level. It never logs the client's address: the site keeps no
// visitor data.
func LogRequests(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Wrapping the writer costs every request an allocation and an
			// indirection per write: only for a log that is written.
			if !logger.Enabled(r.Context(), slog.LevelDebug) {
				next.ServeHTTP(w, r)
				return
			}
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			logger.Debug("request",
				"request_id", RequestID(r),
				"method", r.Method, "path", r.URL.Path,
				"status", ww.Status(), "duration", time.Since(start))
		})
	}
}

// RequestID is the id chi's RequestID middleware gave the request.
func RequestID(r *http.Request) string { return middleware.GetReqID(r.Context()) }

// Detach gives a package's own router a routing context of its own, so
// that it matches the full path instead of joining the parent's route. It
// lets each package route full paths in its routes.go and be tested on its
// own, whoever mounts it. The patterns it matched are handed back to the
// parent's context afterwards, where the program's metrics read the route.
func Detach(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner := chi.NewRouteContext()
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, inner)))
		if parent := chi.RouteContext(r.Context()); parent != nil {
			parent.RoutePatterns = append([]string(nil), inner.RoutePatterns...)
		}
	})
}
