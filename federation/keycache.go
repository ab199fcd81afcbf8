package federation

import (
	"crypto/rsa"
	"sync"
	"time"
)

// keyCache keeps the public keys of remote actors, parsed, for the inbox's
// signature checks. Every signed POST needs its sender's key; reading it
// from remote_actors and parsing its PEM on each was a round trip to
// PostgreSQL and some 50 µs of CPU per activity, for a key that changes
// perhaps once in years.
//
// A cached key is used for at most keyCacheTTL. A key rotated in the meantime
// does no harm: the signature fails to verify with the cached key, and
// signature.Verify asks for the key again with refetch set, which bypasses this
// cache and fetches it from its owner (docs/federation.md#key-refetch-once).
// When an actor deletes its account or announces a new profile, its keys are
// dropped at once in this process; another process of the same publication
// keeps them until they expire.
type keyCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	byKey map[string]cachedKey
}

// cachedKey is a key, its owner and when it was cached.
type cachedKey struct {
	pub   *rsa.PublicKey
	owner string
	at    time.Time
}

const (
	keyCacheTTL  = 10 * time.Minute
	keyCacheSize = 20_000 // about 10 MB at most
)

func newKeyCache(ttl time.Duration, max int) *keyCache {
	return &keyCache{ttl: ttl, max: max, byKey: map[string]cachedKey{}}
}

// get returns the key cached under keyID, if it is still fresh at now.
func (c *keyCache) get(keyID string, now time.Time) (*rsa.PublicKey, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.byKey[keyID]
	if !ok || now.Sub(k.at) >= c.ttl || now.Before(k.at) {
		return nil, "", false
	}
	return k.pub, k.owner, true
}

// put caches a key. When the cache is full, expired keys go first, then
// arbitrary ones, until a tenth of the room is free.
func (c *keyCache) put(keyID string, pub *rsa.PublicKey, owner string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byKey) >= c.max {
		for id, k := range c.byKey {
			if now.Sub(k.at) >= c.ttl {
				delete(c.byKey, id)
			}
		}
		for id := range c.byKey {
			if len(c.byKey) < c.max-c.max/10 {
				break
			}
			delete(c.byKey, id)
		}
	}
	c.byKey[keyID] = cachedKey{pub: pub, owner: owner, at: now}
}

// forgetOwner drops every key owned by actor.
func (c *keyCache) forgetOwner(actor string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, k := range c.byKey {
		if k.owner == actor {
			delete(c.byKey, id)
		}
	}
}
