package web

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"samizdat/web/clientaddr"
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

// limits are the in-memory rate limits of the public forms and the sign-in,
// each keyed by client as clientaddr finds it behind trusted proxies.
type limits struct {
	tell        *clientaddr.Limiter
	interact    *clientaddr.Limiter
	loginEmail  *clientaddr.Limiter
	loginClient *clientaddr.Limiter
}

func newLimits(now func() time.Time) limits {
	return limits{
		tell:        clientaddr.NewLimiter(tellLimit, tellPer, now),
		interact:    clientaddr.NewLimiter(interactPerHour, time.Hour, now),
		loginEmail:  clientaddr.NewLimiter(loginPerEmail, loginWindow, now),
		loginClient: clientaddr.NewLimiter(loginPerClient, loginWindow, now),
	}
}
