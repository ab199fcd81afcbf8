package federation

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// floodMeter counts the replies each account and each instance sends, for
// the flood limits (content.Flood): a token bucket per key
// (golang.org/x/time/rate) that holds an hour's allowance and refills at
// that rate, kept in memory so that the inbox's intake pays no database
// work for it. Each serving process counts on its own: behind a load
// balancer spreading one account's replies over n processes, it can post up
// to n times its limit before its replies are held.
type floodMeter struct {
	mu    sync.Mutex
	m     map[string]*floodBucket
	swept time.Time
}

type floodBucket struct {
	perHour int
	lim     *rate.Limiter
}

func newFloodMeter() *floodMeter { return &floodMeter{m: map[string]*floodBucket{}} }

// over counts one reply for key and reports whether it goes beyond perHour
// in the past hour. A change of perHour starts the key afresh.
func (m *floodMeter) over(key string, perHour int, now time.Time) bool {
	if perHour <= 0 {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.swept) >= time.Hour {
		// A full bucket is as good as none: forget it.
		m.swept = now
		for k, b := range m.m {
			if b.lim.TokensAt(now) >= float64(b.perHour) {
				delete(m.m, k)
			}
		}
	}
	b, ok := m.m[key]
	if !ok || b.perHour != perHour {
		b = &floodBucket{perHour: perHour, lim: rate.NewLimiter(rate.Every(time.Hour/time.Duration(perHour)), perHour)}
		m.m[key] = b
	}
	return !b.lim.AllowN(now, 1)
}
