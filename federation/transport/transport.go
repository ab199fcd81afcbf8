// Package transport is the HTTP client for everything Samizdat sends to or
// fetches from other servers. It keeps the etiquette of
// docs/federation.md#peer-timeouts-and-limits, #user-agent (Mastodon's
// timeouts, redirect limit, response cap and a User-Agent naming the site) and
// refuses to connect to loopback, private, link-local and other non-public
// addresses, so that a remote document cannot make the server reach into its
// own network.
//
// The check runs on the address actually dialled, in net.Dialer.Control,
// after name resolution: a host name that resolves to a private address is
// refused whatever it looked like, and so is a DNS answer that changes
// between a check and the connection (DNS rebinding), because there is no
// separate check. Every redirect is a new dial and meets the same check.
package transport

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Defaults, Mastodon's (app/lib/request.rb,
// docs/federation.md#peer-timeouts-and-limits).
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultHeaderTimeout  = 10 * time.Second
	DefaultTimeout        = 30 * time.Second
	MaxRedirects          = 3
	MaxBody               = 1 << 20 // bytes; also the inbox's limit (docs/federation.md#inbox-answers)
	// MaxIdleConns bounds the connections kept open, across all hosts,
	// for the next request; net/http's default of 100 closed most of them
	// after a fan-out to more instances than that.
	MaxIdleConns = 1024
)

// ErrForbiddenAddress is returned, wrapped, when a connection would go to an
// address that is not public.
var ErrForbiddenAddress = errors.New("transport: refusing to connect to a non-public address")

// ErrReservedHost is returned, wrapped, for a request to a host name under
// a top-level domain reserved for examples and tests (RFC 2606, RFC 6761):
// the demo's fictional instances live under .example, and nothing is ever
// sent to or fetched from them. It wraps ErrForbiddenAddress, so callers
// that treat a forbidden address as final treat these alike.
var ErrReservedHost = fmt.Errorf("%w: reserved example host", ErrForbiddenAddress)

// reservedTLDs are the top-level domains that name no real server.
var reservedTLDs = []string{"example", "invalid"}

// Reserved reports whether host, with or without a port, is under a
// top-level domain reserved for examples: "example", "x.example",
// "x.invalid". Such a host is never contacted.
func Reserved(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, tld := range reservedTLDs {
		if host == tld || strings.HasSuffix(host, "."+tld) {
			return true
		}
	}
	return false
}

// ErrTooLarge is returned by ReadBody for a body over its limit.
var ErrTooLarge = errors.New("transport: response body too large")

// Options configure a client. The zero value is a safe production client
// without a User-Agent of its own.
type Options struct {
	// AllowPrivate lets the client reach loopback and private addresses:
	// for tests and local development only (FEDERATION_ALLOW_PRIVATE).
	AllowPrivate bool
	// UserAgent is sent on every request that sets none; see UserAgent.
	UserAgent string
	// ConnectTimeout bounds each TCP connect; DefaultConnectTimeout if zero.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait for response headers once the request
	// is sent; DefaultHeaderTimeout if zero.
	HeaderTimeout time.Duration
	// Timeout bounds a whole exchange, redirects and reading the body
	// included; DefaultTimeout if zero.
	Timeout time.Duration
	// Resign, if set, is called on each redirected request after its stale
	// Signature header is removed, so the caller can sign it for its new
	// target (GoToSocial answers unsigned GETs with 401).
	Resign func(r *http.Request) error
}

// UserAgent returns the User-Agent of docs/federation.md#user-agent:
// "Samizdat/1.2 (+https://host/)".
func UserAgent(version, baseURL string) string {
	return fmt.Sprintf("Samizdat/%s (+%s)", version, baseURL)
}

// New returns an HTTP client configured by opts.
func New(opts Options) *http.Client {
	check := publicOnly
	if opts.AllowPrivate {
		check = func(netip.Addr) error { return nil }
	}
	return newClient(opts, check, nil)
}

// newClient builds the client with check applied to every dialled address,
// then afterCheck, which tests use to stop a dial that passed the check
// before any packet leaves.
func newClient(opts Options, check func(netip.Addr) error, afterCheck func(netip.Addr) error) *http.Client {
	dialer := &net.Dialer{
		Timeout:   orDefault(opts.ConnectTimeout, DefaultConnectTimeout),
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: unparsable address %q", ErrForbiddenAddress, address)
			}
			if err := check(ap.Addr()); err != nil {
				return err
			}
			if afterCheck != nil {
				return afterCheck(ap.Addr())
			}
			return nil
		},
	}
	tr := &http.Transport{
		// No proxy: the address check must see the real peer, not a proxy.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   orDefault(opts.ConnectTimeout, DefaultConnectTimeout) * 2,
		ResponseHeaderTimeout: orDefault(opts.HeaderTimeout, DefaultHeaderTimeout),
		ExpectContinueTimeout: time.Second,
		// Connections stay open between the jobs of one instance: a story
		// and its edits, or several inboxes on one host, go out within
		// seconds, and a new TCP (and TLS) handshake costs more than the
		// POST. A kept connection goes where its dial went, which passed
		// the address check. Enough idle ones for a fan-out to every
		// instance a publication reaches, at about 20 KB each.
		MaxIdleConns:        MaxIdleConns,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{
		Transport: &userAgent{next: tr, ua: opts.UserAgent},
		Timeout:   orDefault(opts.Timeout, DefaultTimeout),
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fmt.Errorf("transport: more than %d redirects", MaxRedirects)
			}
			if r.URL.Scheme != "https" && r.URL.Scheme != "http" {
				return fmt.Errorf("transport: redirect to scheme %q", r.URL.Scheme)
			}
			// The signature covered the old target; it proves nothing here
			// and would only hand a replayable signature to another host.
			r.Header.Del("Signature")
			if opts.Resign != nil {
				return opts.Resign(r)
			}
			return nil
		},
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// userAgent sets the User-Agent on requests that have none, and refuses
// reserved hosts before anything is resolved or dialled. Redirects pass
// through here too, so a redirect to such a host is refused as well.
type userAgent struct {
	next http.RoundTripper
	ua   string
}

func (t *userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	if Reserved(r.URL.Host) {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s", ErrReservedHost, r.URL.Hostname())
	}
	if t.ua != "" && r.Header.Get("User-Agent") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("User-Agent", t.ua)
	}
	return t.next.RoundTrip(r)
}

// ReadBody reads and closes resp's body, failing with ErrTooLarge when it is
// longer than max bytes (MaxBody is Mastodon's limit,
// docs/federation.md#peer-timeouts-and-limits).
func ReadBody(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: %d bytes announced, limit %d", ErrTooLarge, resp.ContentLength, max)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("transport: read body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, max)
	}
	return b, nil
}
