// Package clientaddr tells clients apart for rate limits: it finds the
// address a request came from, looking behind reverse proxies the operator
// trusts, and counts requests per client with golang.org/x/time/rate.
//
// The address is kept in the request's context and in the limiters' memory,
// and nowhere else: it is never logged nor stored, because the publication
// keeps no data about its readers.
package clientaddr

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type ctxKey struct{}

// ParsePrefixes reads a comma- or space-separated list of CIDR prefixes
// ("10.0.0.0/8, 192.0.2.7/32"); a bare address means that address alone.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", f)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8", f)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Middleware puts each request's client address in its context, where From
// finds it. Only when the connection comes from one of trusted is the
// address taken from X-Forwarded-For, or else X-Real-IP: the rightmost hop
// that is not itself a trusted proxy, because every hop to the left of it
// was written by the client and may be made up.
func Middleware(trusted []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := resolve(r, trusted)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, a)))
		})
	}
}

// From returns the request's client address as Middleware found it, or the
// connection's peer when the request did not pass through Middleware. It is
// the zero Addr when neither can be read.
func From(r *http.Request) netip.Addr {
	if a, ok := r.Context().Value(ctxKey{}).(netip.Addr); ok {
		return a
	}
	return peer(r)
}

func peer(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err == nil {
		return ap.Addr().Unmap()
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func resolve(r *http.Request, trusted []netip.Prefix) netip.Addr {
	a := peer(r)
	if !isTrusted(a, trusted) {
		return a
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	if len(hops) == 0 {
		hops = r.Header.Values("X-Real-Ip")
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// A hop we cannot read: the last proxy we trust is the
			// nearest client we know of.
			return a
		}
		a = h.Unmap()
		if !isTrusted(a, trusted) {
			return a
		}
	}
	return a
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
