package federation

import (
	"crypto/rsa"
	"fmt"
	"testing"
	"time"
)

func TestKeyCache(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	k1, k2 := &rsa.PublicKey{E: 3}, &rsa.PublicKey{E: 5}

	t.Run("Fresh", func(t *testing.T) {
		c := newKeyCache(time.Minute, 10)
		c.put("https://a.example/u/x#main-key", k1, "https://a.example/u/x", now)
		pub, owner, ok := c.get("https://a.example/u/x#main-key", now.Add(59*time.Second))
		if !ok || pub != k1 || owner != "https://a.example/u/x" {
			t.Errorf("get = %v, %q, %v; want k1, its owner, true", pub, owner, ok)
		}
		if _, _, ok := c.get("https://a.example/u/y#main-key", now); ok {
			t.Error("an unknown key was found")
		}
	})

	t.Run("Expired", func(t *testing.T) {
		c := newKeyCache(time.Minute, 10)
		c.put("k", k1, "o", now)
		if _, _, ok := c.get("k", now.Add(time.Minute)); ok {
			t.Error("a key older than the TTL was found")
		}
		if _, _, ok := c.get("k", now.Add(-time.Second)); ok {
			t.Error("a key cached in the future (clock moved back) was found")
		}
	})

	t.Run("Replaced", func(t *testing.T) {
		c := newKeyCache(time.Minute, 10)
		c.put("k", k1, "o", now)
		c.put("k", k2, "o", now)
		if pub, _, _ := c.get("k", now); pub != k2 {
			t.Error("a refetched key did not replace the cached one")
		}
	})

	t.Run("ForgetOwner", func(t *testing.T) {
		c := newKeyCache(time.Minute, 10)
		c.put("o1#main-key", k1, "o1", now)
		c.put("o1/second-key", k2, "o1", now)
		c.put("o2#main-key", k2, "o2", now)
		c.forgetOwner("o1")
		for _, id := range []string{"o1#main-key", "o1/second-key"} {
			if _, _, ok := c.get(id, now); ok {
				t.Errorf("%s still cached after its owner was forgotten", id)
			}
		}
		if _, _, ok := c.get("o2#main-key", now); !ok {
			t.Error("another owner's key was forgotten too")
		}
	})

	t.Run("Bounded", func(t *testing.T) {
		c := newKeyCache(time.Minute, 100)
		for i := range 1000 {
			c.put(fmt.Sprint(i), k1, "o", now)
		}
		if n := len(c.byKey); n > 100 {
			t.Errorf("%d keys cached, limit 100", n)
		}
		if _, _, ok := c.get("999", now); !ok {
			t.Error("the key just cached is gone")
		}
	})
}

// A key is fetched again at most once a minute, each key on its own.
func TestRefetchLimiter(t *testing.T) {
	t.Parallel()
	l := newRefetchLimiter(time.Minute)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true}, {"a", 30 * time.Second, false}, {"b", 30 * time.Second, true},
		{"a", 61 * time.Second, true}, {"a", 62 * time.Second, false},
	} {
		if got := l.allow(c.key, t0.Add(c.at)); got != c.want {
			t.Errorf("%s at +%s: %v, want %v", c.key, c.at, got, c.want)
		}
	}
}
