package desk

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle slows down repeated failed sign-ins for a key (a client, or an
// account from one client) without ever shutting anyone out for good: each
// key has a token bucket (golang.org/x/time/rate) of burst attempts, and
// every failure beyond the burst doubles the time between the attempts it
// allows, from base up to most. A success forgets the key; so does a day
// of quiet.
//
// The keys never name an account alone, so that someone hammering an
// account from their own address slows down only themselves: the rightful
// user, elsewhere, has buckets of their own.
type throttle struct {
	burst      int
	base, most time.Duration
	now        func() time.Time

	mu    sync.Mutex
	m     map[string]*throttleSlot
	swept time.Time
}

type throttleSlot struct {
	lim      *rate.Limiter
	failures int
	last     time.Time
}

// throttleForget is how long a key must stay quiet to be forgotten: much
// longer than the longest delay, so that waiting out the delays never
// starts the count afresh.
const throttleForget = 24 * time.Hour

func newThrottle(burst int, base, most time.Duration, now func() time.Time) *throttle {
	return &throttle{burst: burst, base: base, most: most, now: now, m: map[string]*throttleSlot{}, swept: now()}
}

// slot returns key's slot, making one; t.mu is held.
func (t *throttle) slot(key string, now time.Time) *throttleSlot {
	if now.Sub(t.swept) >= throttleForget {
		t.swept = now
		for k, sl := range t.m {
			if now.Sub(sl.last) >= throttleForget {
				delete(t.m, k)
			}
		}
	}
	sl, ok := t.m[key]
	if ok && now.Sub(sl.last) >= throttleForget {
		ok = false
	}
	if !ok {
		sl = &throttleSlot{lim: rate.NewLimiter(rate.Every(t.base), t.burst)}
		t.m[key] = sl
	}
	sl.last = now
	return sl
}

// wait takes one attempt for key and returns 0 when it may go ahead now,
// or else how long to wait (and the attempt is not counted).
func (t *throttle) wait(key string) time.Duration {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.slot(key, now).lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d > 0 {
		r.CancelAt(now)
	}
	return d
}

// fail records a failed attempt for key. Beyond the burst, each one doubles
// the interval between attempts.
func (t *throttle) fail(key string) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	sl := t.slot(key, now)
	sl.failures++
	if sl.failures >= t.burst {
		sl.lim.SetLimitAt(now, rate.Every(t.interval(sl.failures)))
	}
}

// interval is the time between attempts after n failures.
func (t *throttle) interval(n int) time.Duration {
	d := t.base
	for i := t.burst; i < n && d < t.most; i++ {
		d *= 2
	}
	return min(d, t.most)
}

// reset forgets key, after a successful sign-in.
func (t *throttle) reset(key string) {
	t.mu.Lock()
	delete(t.m, key)
	t.mu.Unlock()
}

// state returns the failures counted for key and the interval its bucket
// now refills at (0 for an unknown key), for tests.
func (t *throttle) state(key string) (int, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	sl, ok := t.m[key]
	if !ok {
		return 0, 0
	}
	return sl.failures, time.Duration(float64(time.Second) / float64(sl.lim.Limit()))
}
