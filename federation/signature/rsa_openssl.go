//go:build cgo && linux

package signature

import (
	"crypto"
	"crypto/rsa"
	"log/slog"
	"math/big"
	"os"
	"sync"

	"github.com/golang-fips/openssl/v2"
	"github.com/golang-fips/openssl/v2/bbig"
)

// OpenSSL signs RSA-2048 about 1.6 times faster than BoringCrypto and 2.3
// times faster than Go's crypto/rsa on the same cores
// (docs/benchmarks.md#openssl). The binding loads libcrypto with dlopen at
// run time, so the binary still starts, on Go's RSA, where it is missing.
// SAMIZDAT_GO_CRYPTO=1 keeps Go's RSA even where it is present.
func init() { loadSigner = loadOpenSSL }

// libcryptos are the libraries tried, newest first: Debian 12 and later
// ship OpenSSL 3 as libssl3, older systems 1.1.
var libcryptos = []string{"libcrypto.so.3", "libcrypto.so.1.1"}

func loadOpenSSL() rsaSigner {
	if os.Getenv("SAMIZDAT_GO_CRYPTO") != "" {
		return nil
	}
	for _, lib := range libcryptos {
		if ok, _ := openssl.CheckVersion(lib); !ok {
			continue
		}
		// Only the first Init counts, so it is called for a library known
		// to be there.
		if err := openssl.Init(lib); err != nil {
			slog.Warn("OpenSSL found but not usable; signing with Go's RSA", "lib", lib, "err", err)
			return nil
		}
		return &opensslRSA{}
	}
	return nil
}

// maxKeys bounds the converted keys kept: the process signs with a
// handful (the instance actor and one actor per language). Beyond it a key
// is converted for each signature, which is slower but still right.
const maxKeys = 64

// opensslRSA signs with OpenSSL, converting each Go key once.
type opensslRSA struct {
	mu   sync.Mutex
	keys map[*rsa.PrivateKey]*openssl.PrivateKeyRSA
}

func (o *opensslRSA) name() string { return openssl.VersionText() }

func (o *opensslRSA) sign(key *rsa.PrivateKey, digest []byte) ([]byte, error) {
	if len(key.Primes) != 2 || key.Precomputed.Dp == nil {
		// A key OpenSSL would sign slowly or not at all, and which no
		// parsed key is: Go signs it.
		return goRSA{}.sign(key, digest)
	}
	k, err := o.key(key)
	if err != nil {
		return nil, err
	}
	return openssl.SignRSAPKCS1v15(k, crypto.SHA256, digest)
}

// key returns key in OpenSSL's form. Keys are parsed once when the
// process starts and never change afterwards, so the pointer identifies one.
func (o *opensslRSA) key(key *rsa.PrivateKey) (*openssl.PrivateKeyRSA, error) {
	o.mu.Lock()
	k := o.keys[key]
	o.mu.Unlock()
	if k != nil {
		return k, nil
	}
	k, err := toOpenSSL(key)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.keys == nil {
		o.keys = map[*rsa.PrivateKey]*openssl.PrivateKeyRSA{}
	}
	if len(o.keys) < maxKeys {
		o.keys[key] = k
	}
	return k, nil
}

// toOpenSSL hands OpenSSL the key with its CRT values, which it needs to
// sign at full speed; Go computes them when the key is parsed.
func toOpenSSL(key *rsa.PrivateKey) (*openssl.PrivateKeyRSA, error) {
	p := key.Precomputed
	return openssl.NewPrivateKeyRSA(
		bbig.Enc(key.N), bbig.Enc(big.NewInt(int64(key.E))), bbig.Enc(key.D),
		bbig.Enc(key.Primes[0]), bbig.Enc(key.Primes[1]),
		bbig.Enc(p.Dp), bbig.Enc(p.Dq), bbig.Enc(p.Qinv))
}
