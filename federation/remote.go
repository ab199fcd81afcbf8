package federation

import (
	"context"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"samizdat/content/store"
)

// actorTypes are the actor types Mastodon accepts
// (docs/federation.md#actor-types).
var actorTypes = map[string]bool{"Application": true, "Group": true, "Organization": true, "Person": true, "Service": true}

// lookupKey is the key lookup of signature.Verify. It answers from the
// in-process key cache, then from the cache of remote actors, and fetches
// the key otherwise; asked to refetch, because the cached key failed to
// verify and the actor may have rotated it, it fetches again at most once a
// minute per key (docs/federation.md#key-refetch-once).
func (f *Federation) lookupKey(ctx context.Context, keyID string, refetch bool) (*rsa.PublicKey, string, error) {
	if !refetch {
		if pub, owner, ok := f.keyCache.get(keyID, f.now()); ok {
			return pub, owner, nil
		}
		a, err := f.store.RemoteActorByKeyID(ctx, keyID)
		switch {
		case err == nil:
			if pub, err := ParsePublicKey(a.PublicKeyPEM); err == nil {
				f.keyCache.put(keyID, pub, a.ID, f.now())
				return pub, a.ID, nil
			}
		case !isNotFound(err):
			return nil, "", err
		}
	} else if !f.refetch.allow(keyID, f.now()) {
		return nil, "", fmt.Errorf("%w: key %s was fetched again a moment ago", errFetch, keyID)
	}
	a, err := f.fetchKeyOwner(ctx, keyID)
	if err != nil {
		return nil, "", err
	}
	pub, err := ParsePublicKey(a.PublicKeyPEM)
	if err != nil {
		return nil, "", fmt.Errorf("%w: key %s: %v", errFetch, keyID, err)
	}
	f.keyCache.put(keyID, pub, a.ID, f.now())
	return pub, a.ID, nil
}

// fetchKeyOwner fetches the key keyID and the actor that owns it, and caches
// the actor (docs/federation.md#key-id-forms). The keyId may be a fragment of
// the actor document (Mastodon's …#main-key), or a URL of its own serving a key
// document or, as GoToSocial's …/main-key does, a stub actor that holds only
// the key; then the owner is fetched too and must list the same key. Key and
// owner must be on one host.
func (f *Federation) fetchKeyOwner(ctx context.Context, keyID string) (*store.RemoteActor, error) {
	keyURL, err := f.remoteURL(keyID)
	if err != nil {
		return nil, err
	}
	d, err := f.fetch(ctx, keyID)
	if err != nil {
		return nil, err
	}
	key := findKey(d, keyID)
	if key == nil {
		return nil, fmt.Errorf("%w: %s holds no key with that id", errFetch, keyID)
	}
	owner := key.Owner
	if owner == "" {
		owner = d.ID
	}
	ownerURL, err := f.remoteURL(owner)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(ownerURL.Host, keyURL.Host) {
		return nil, fmt.Errorf("%w: key %s is owned by %s on another host", errFetch, keyID, owner)
	}
	actor := d
	if d.ID != owner || d.Inbox == "" {
		if actor, err = f.fetch(ctx, owner); err != nil {
			return nil, err
		}
		if key = findKey(actor, keyID); key == nil {
			return nil, fmt.Errorf("%w: actor %s does not list key %s", errFetch, owner, keyID)
		}
	}
	a, err := f.remoteActor(actor, owner)
	if err != nil {
		return nil, err
	}
	a.KeyID, a.PublicKeyPEM = keyID, key.PEM
	if err := f.store.SaveRemoteActor(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// findKey returns the key with id keyID from a document that is a key itself or
// an actor with one key or several (Mastodon 4.6+ publishes a list,
// docs/federation.md#rsa-keys).
func findKey(d *object, keyID string) *publicKey {
	if d.PublicKeyPEM != "" && d.ID == keyID {
		return &publicKey{ID: d.ID, Owner: d.Owner, PEM: d.PublicKeyPEM}
	}
	for _, k := range d.Keys {
		if k.ID == keyID && k.PEM != "" {
			return &k
		}
	}
	return nil
}

// remoteActor reads an actor document fetched from id. Its id must be id
// exactly (docs/federation.md#object-id-served-exactly), its type an actor's,
// and its inbox on its own host. A shared inbox is kept only on the actor's
// host or a subdomain of it, as GoToSocial does
// (docs/federation.md#shared-inbox-same-host): anything else could point our
// deliveries at a third party.
func (f *Federation) remoteActor(d *object, id string) (*store.RemoteActor, error) {
	if d.ID != id {
		return nil, fmt.Errorf("%w: actor document from %s has id %q", errFetch, id, d.ID)
	}
	if !actorTypes[d.Type] {
		return nil, fmt.Errorf("%w: %s is a %q, not an actor", errFetch, id, d.Type)
	}
	idURL, err := f.remoteURL(id)
	if err != nil {
		return nil, err
	}
	host := strings.ToLower(idURL.Host)
	inbox := d.Inbox
	if u, err := f.remoteURL(inbox); err != nil || !strings.EqualFold(u.Host, host) {
		return nil, fmt.Errorf("%w: actor %s has no inbox on its host", errFetch, id)
	}
	shared := d.SharedInbox
	if shared != "" {
		u, err := f.remoteURL(shared)
		if err != nil || !sameSite(strings.ToLower(u.Host), host) {
			shared = ""
		}
	}
	return &store.RemoteActor{
		ID:          id,
		Host:        host,
		Inbox:       inbox,
		SharedInbox: shared,
		Username:    d.PreferredUsername,
		Name:        d.Name,
		URL:         d.URL,
		IconURL:     d.Icon,
		Followers:   d.Followers,
		Document:    d.raw,
	}, nil
}

// refreshActor fetches a known actor again, after it announced a change of
// its profile (an Update of itself), and copies its new avatar.
func (f *Federation) refreshActor(ctx context.Context, id string) error {
	old, err := f.store.RemoteActor(ctx, id)
	if err != nil {
		return err
	}
	f.keyCache.forgetOwner(id) // its key may be new too
	if _, err := f.fetchActor(ctx, id, old.KeyID); err != nil {
		f.logger.Info("actor not refreshed", "actor", id, "err", err)
		return nil
	}
	f.copyAvatar(ctx, id)
	return nil
}

// fetchActor fetches the actor id and caches it with the key keyID, or
// with its first key when keyID is "" or no longer listed.
func (f *Federation) fetchActor(ctx context.Context, id, keyID string) (*store.RemoteActor, error) {
	d, err := f.fetch(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := f.remoteActor(d, id)
	if err != nil {
		return nil, err
	}
	key := findKey(d, keyID)
	if key == nil {
		for _, k := range d.Keys {
			if k.Owner == id && k.PEM != "" {
				key = &k
				break
			}
		}
	}
	if key != nil {
		a.KeyID, a.PublicKeyPEM = key.ID, key.PEM
	}
	if err := f.store.SaveRemoteActor(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// sameSite reports whether host is base or a subdomain of it. Ports must
// match.
func sameSite(host, base string) bool {
	return host == base || strings.HasSuffix(host, "."+base)
}

// refetchLimiter allows one fetch again per key and interval, so that a
// peer sending badly signed requests cannot make us fetch its key on each:
// a token bucket of one per key (golang.org/x/time/rate). A key whose bucket
// is full again is forgotten, since a full bucket behaves as a new one.
type refetchLimiter struct {
	mu    sync.Mutex
	every time.Duration
	keys  map[string]*rate.Limiter
}

func newRefetchLimiter(every time.Duration) *refetchLimiter {
	return &refetchLimiter{every: every, keys: map[string]*rate.Limiter{}}
}

// allow reports whether keyID may be fetched again now, and if so counts it.
func (l *refetchLimiter) allow(keyID string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.keys) > 10_000 {
		for k, b := range l.keys {
			if b.TokensAt(now) >= 1 {
				delete(l.keys, k)
			}
		}
	}
	b := l.keys[keyID]
	if b == nil {
		b = rate.NewLimiter(rate.Every(l.every), 1)
		l.keys[keyID] = b
	}
	return b.AllowN(now, 1)
}
