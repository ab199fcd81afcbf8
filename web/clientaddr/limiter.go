package clientaddr

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter allows each key (a client, an account) n requests in a burst,
// then one every per/n: a token bucket per key from golang.org/x/time/rate.
// Keys live only in memory, and a key whose bucket has filled up again is
// forgotten, since a full bucket behaves as a new one.
type Limiter struct {
	n     int
	per   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	m     map[string]*rate.Limiter
	swept time.Time
}

// NewLimiter allows n requests per period per key. now is the clock; nil
// means time.Now.
func NewLimiter(n int, per time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{n: n, per: per, now: now, m: map[string]*rate.Limiter{}, swept: now()}
}

// Allow counts one request for key and reports whether it is within the
// limit. A refused request is not counted.
func (l *Limiter) Allow(key string) bool {
	ok, _ := l.Take(key)
	return ok
}

// Take is Allow that can be undone: when the request turns out not to have
// been served (the database was away), calling undo gives its count back.
func (l *Limiter) Take(key string) (ok bool, undo func()) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= l.per {
		l.swept = now
		for k, b := range l.m {
			if b.TokensAt(now) >= float64(l.n) {
				delete(l.m, k)
			}
		}
	}
	b, ok := l.m[key]
	if !ok {
		b = rate.NewLimiter(rate.Every(l.per/time.Duration(l.n)), l.n)
		l.m[key] = b
	}
	r := b.ReserveN(now, 1)
	if !r.OK() || r.DelayFrom(now) > 0 {
		r.CancelAt(now)
		return false, func() {}
	}
	// Cancelled as of the moment it was taken: x/time/rate gives nothing
	// back for a reservation whose time has passed. The bucket then also
	// refills over the request's own duration again, a few thousandths of
	// a request at these rates.
	return true, func() { r.CancelAt(now) }
}

// Reset forgets what was counted for key.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}

// Key names the request's client for a Limiter: its address as From finds
// it, or for IPv6 its /64, which one household or one server usually holds
// whole.
func Key(r *http.Request) string {
	a := From(r)
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
