//go:build cgo && linux

package signature

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// The machines this runs on have OpenSSL (PostgreSQL's Debian package
// depends on it), so a signer that silently fell back to Go's RSA is a
// failure here, unless Go's RSA was asked for.
func TestBackend_OpenSSL(t *testing.T) {
	if os.Getenv("SAMIZDAT_GO_CRYPTO") != "" {
		t.Skip("SAMIZDAT_GO_CRYPTO is set: Go's RSA signs")
	}
	if got := Backend(); !strings.HasPrefix(got, "OpenSSL ") {
		t.Fatalf("Backend() = %q, want OpenSSL (is libcrypto.so.3 installed?)", got)
	}
}

// PKCS #1 v1.5 is deterministic: OpenSSL must give the very bytes Go's
// crypto/rsa gives, for keys parsed as the server parses its own, and from
// many goroutines at once (the converted keys are shared).
func TestOpenSSL_SameAsGo(t *testing.T) {
	o := loadOpenSSL()
	if o == nil {
		t.Skip("OpenSSL not loadable here; TestBackend_OpenSSL says why")
	}
	var keys []*rsa.PrivateKey
	for range 2 {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, parsed.(*rsa.PrivateKey))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 8 {
				key := keys[(g+i)%len(keys)]
				sum := sha256.Sum256([]byte(fmt.Sprintf("message %d/%d", g, i)))
				got, err := o.sign(key, sum[:])
				if err != nil {
					errs <- err
					return
				}
				want, _ := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
				if string(got) != string(want) {
					errs <- fmt.Errorf("goroutine %d, message %d: OpenSSL's signature differs from Go's", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(o.(*opensslRSA).keys); n != len(keys) {
		t.Errorf("%d keys converted and kept, want %d", n, len(keys))
	}

	// A key without its CRT values is signed by Go rather than refused.
	bare := &rsa.PrivateKey{PublicKey: keys[0].PublicKey, D: keys[0].D, Primes: keys[0].Primes}
	sum := sha256.Sum256([]byte("bare"))
	got, err := o.sign(bare, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&keys[0].PublicKey, crypto.SHA256, sum[:], got); err != nil {
		t.Errorf("a key without CRT values: %v", err)
	}
}
