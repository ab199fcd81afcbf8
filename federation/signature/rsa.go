package signature

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Every outgoing request carries an RSA-2048 PKCS #1 v1.5 signature over
// SHA-256, the one kind every fediverse server checks, and a fan-out makes
// one per inbox, so the signing routine bounds how fast a story reaches
// its followers (docs/benchmarks.md#openssl). It is OpenSSL's when the
// process can load it (rsa_openssl.go) and Go's crypto/rsa otherwise:
// PKCS #1 v1.5 is deterministic, so both give the very same bytes.

// rsaSigner signs a SHA-256 digest with key.
type rsaSigner interface {
	sign(key *rsa.PrivateKey, digest []byte) ([]byte, error)
	name() string
}

// goRSA is Go's crypto/rsa: BoringCrypto's module when the binary is built
// with GOEXPERIMENT=boringcrypto.
type goRSA struct{}

func (goRSA) sign(key *rsa.PrivateKey, digest []byte) ([]byte, error) {
	return rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest)
}

func (goRSA) name() string {
	if boringEnabled() {
		return "BoringCrypto"
	}
	return "Go crypto/rsa"
}

// loadSigner is set by rsa_openssl.go where cgo can reach OpenSSL; it
// returns nil when OpenSSL cannot be loaded or is switched off.
var loadSigner func() rsaSigner

var signer = sync.OnceValue(func() rsaSigner {
	if loadSigner != nil {
		if s := loadSigner(); s != nil {
			return s
		}
	}
	return goRSA{}
})

// Backend names the RSA implementation that signs in this process, such as
// "OpenSSL 3.0.19 27 Jan 2026" or "Go crypto/rsa", for logs and reports.
func Backend() string { return signer().name() }

// signSHA256 signs digest, a SHA-256 sum, with key.
func signSHA256(key *rsa.PrivateKey, digest []byte) ([]byte, error) {
	return signer().sign(key, digest)
}

// sshSigner lets go-fed/httpsig build the draft-cavage signing string and
// headers while the signature itself comes from signSHA256: httpsig signs
// with crypto/rsa itself unless it is handed an ssh.Signer, which gets the
// signing string and returns the signature's bytes.
type sshSigner struct {
	key *rsa.PrivateKey
	pub ssh.PublicKey
}

func newSSHSigner(key *rsa.PrivateKey) (sshSigner, error) {
	pub, err := ssh.NewPublicKey(&key.PublicKey)
	return sshSigner{key: key, pub: pub}, err
}

func (s sshSigner) PublicKey() ssh.PublicKey { return s.pub }

func (s sshSigner) Sign(_ io.Reader, data []byte) (*ssh.Signature, error) {
	sum := sha256.Sum256(data)
	sig, err := signSHA256(s.key, sum[:])
	if err != nil {
		return nil, err
	}
	return &ssh.Signature{Format: ssh.KeyAlgoRSASHA256, Blob: sig}, nil
}
