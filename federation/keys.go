package federation

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"samizdat/content/store"
)

// keyBits is the size of our actors' RSA keys: RSA because GoToSocial caches
// only *rsa.PublicKey, 2048 bits as Mastodon makes them
// (docs/federation.md#rsa-keys).
const keyBits = 2048

// actorKey is a local actor's key pair, parsed once at start.
type actorKey struct {
	private   *rsa.PrivateKey
	publicPEM string
	created   time.Time
}

// Keys holds the key pairs of our actors, parsed. They never change while
// the process runs, so Keys is safe for concurrent use without a lock.
type Keys struct {
	iri  iris
	keys map[string]*actorKey // by actor name: a language, or "instance"
}

// LoadKeys makes sure the instance actor and every language actor of cfg
// have a key pair, making and storing the missing ones (the first start),
// and returns them. The delivery queue signs with them (KeySource), and New
// serves their public halves.
func LoadKeys(ctx context.Context, cfg Config, st *store.Store) (*Keys, error) {
	if cfg.BaseURL == nil || cfg.BaseURL.Host == "" {
		return nil, errors.New("federation: BaseURL must be an absolute URL")
	}
	k := &Keys{iri: newIRIs(cfg.BaseURL), keys: map[string]*actorKey{}}
	for _, name := range append([]string{instanceActor}, cfg.Languages...) {
		pair, err := st.EnsureActorKey(ctx, name, generateKey)
		if err != nil {
			return nil, err
		}
		priv, err := parsePrivateKey(pair.PrivatePEM)
		if err != nil {
			return nil, fmt.Errorf("federation: key of actor %s: %w", name, err)
		}
		k.keys[name] = &actorKey{private: priv, publicPEM: pair.PublicPEM, created: pair.CreatedAt}
	}
	return k, nil
}

// get returns an actor's key, or nil.
func (k *Keys) get(name string) *actorKey { return k.keys[name] }

// generateKey makes an RSA key pair as PKCS#8 and PKIX PEM blocks.
func generateKey() (privatePEM, publicPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return "", "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})), nil
}

// parsePrivateKey reads an RSA private key in PKCS#8 or PKCS#1 PEM.
func parsePrivateKey(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("not an RSA key but %T", k)
	}
	return rk, nil
}

// ParsePublicKey reads an RSA public key in PKIX or PKCS#1 PEM, the two forms
// the fediverse publishes.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("not an RSA key but %T", k)
		}
		return rk, nil
	}
	return x509.ParsePKCS1PublicKey(block.Bytes)
}

// KeySource returns the key id and private key a local actor signs with: a
// language code or "instance". It is the delivery queue's KeySource.
func (k *Keys) KeySource(_ context.Context, actor string) (keyID string, key *rsa.PrivateKey, err error) {
	ak, ok := k.keys[actor]
	if !ok {
		return "", nil, fmt.Errorf("federation: no key for actor %q", actor)
	}
	return k.iri.Key(actor), ak.private, nil
}
