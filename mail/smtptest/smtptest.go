// Package smtptest runs a real SMTP server on 127.0.0.1 for tests
// (github.com/emersion/go-smtp as the receiving end): STARTTLS with a
// certificate of its own, AUTH PLAIN, and every accepted message kept.
// Import it only from tests.
package smtptest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// User and Password are what the server accepts for AUTH PLAIN.
const (
	User     = "samizdat"
	Password = "secret"
)

// Mail is one accepted message.
type Mail struct {
	From string
	To   []string
	Raw  []byte
	Msg  *mail.Message // parsed headers; read the body from Raw
}

// Server is the test SMTP server.
type Server struct {
	Addr string
	// ClientTLS trusts the server's certificate.
	ClientTLS *tls.Config

	mu    sync.Mutex
	mails []Mail
	cond  *sync.Cond
	// Before, when set, runs before a message's data is accepted; an error
	// it returns is the server's answer (use *smtp.SMTPError for a code).
	Before func(ctx context.Context, to []string) error
	ctx    context.Context
}

var (
	certOnce sync.Once
	cert     tls.Certificate
	roots    *x509.CertPool
	certErr  error
)

// RootCAs trusts the certificate every Server of this process presents.
func RootCAs() *x509.CertPool {
	certOnce.Do(func() { cert, roots, certErr = selfSigned() })
	if certErr != nil {
		panic("smtptest: certificate: " + certErr.Error())
	}
	return roots
}

// New starts a server that stops when the test ends. Clients upgrade the
// connection with STARTTLS (smtp://).
func New(t testing.TB) *Server { t.Helper(); return start(t, false) }

// NewImplicitTLS starts a server that speaks TLS from the first byte
// (smtps://).
func NewImplicitTLS(t testing.TB) *Server { t.Helper(); return start(t, true) }

func start(t testing.TB, implicit bool) *Server {
	t.Helper()
	pool := RootCAs()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Addr: ln.Addr().String(), ClientTLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, ctx: ctx}
	s.cond = sync.NewCond(&s.mu)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	if implicit {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { cancel(); srv.Close() })
	return s
}

// Port is the server's port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	var n int
	fmt.Sscan(p, &n)
	return n
}

// Mails returns the messages accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Wait waits until n messages were accepted in all, or ctx ends, and
// returns them.
func (s *Server) Wait(ctx context.Context, n int) ([]Mail, error) {
	stop := context.AfterFunc(ctx, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.mails) < n && ctx.Err() == nil {
		s.cond.Wait()
	}
	return append([]Mail(nil), s.mails...), ctx.Err()
}

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (se *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != User || pass != Password {
			return errors.New("smtptest: bad credentials")
		}
		se.authed = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if !se.authed {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if se.s.Before != nil {
		if err := se.s.Before(se.s.ctx, se.to); err != nil {
			return err
		}
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparsable message"}
	}
	se.s.mu.Lock()
	se.s.mails = append(se.s.mails, Mail{From: se.from, To: se.to, Raw: raw, Msg: msg})
	se.s.cond.Broadcast()
	se.s.mu.Unlock()
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: c}, pool, nil
}
