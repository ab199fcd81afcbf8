package federation

import (
	"context"
	"net/http"

	"samizdat/federation/signature"
)

// Authorized fetch (Config.AuthorizedFetch) is Mastodon's "secure mode" for
// our ActivityPub documents: Articles, their collections, the actors'
// collections and the quote authorizations answer only GETs signed by a
// server that is not blocked, so that an instance a moderator blocked can no
// longer read the publication by fetching it. What peers need to check our
// own signatures and to find us stays public: the instance actor, each
// language actor as a stub that holds its key, WebFinger and NodeInfo; the
// website is never gated (docs/federation.md#authorized-fetch).

// signerKey is the context key of a GET's verified signer.
type signerKey struct{}

// fetchSigner returns the actor whose signature on r verifies, or "" when r
// is unsigned or its signature does not verify. A signer found earlier for
// the same request (by gated) is not verified again.
func (f *Federation) fetchSigner(r *http.Request) string {
	if s, ok := r.Context().Value(signerKey{}).(string); ok {
		return s
	}
	if r.Header.Get("Signature") == "" {
		return ""
	}
	_, signer, err := signature.Verify(r, nil, f.now(), f.lookupKey)
	if err != nil {
		f.logger.Debug("fetch signature refused", "err", err, "path", r.URL.Path)
		return ""
	}
	return signer
}

// access is what authorized fetch allows a request to see.
type access int

const (
	accessFull    access = iota // authorized fetch is off, or a good signer
	accessNone                  // unsigned, or a signature that did not verify
	accessBlocked               // signed by a blocked account or instance
)

// fetchAccess decides what r may see, and returns r carrying its signer.
func (f *Federation) fetchAccess(r *http.Request) (access, *http.Request, error) {
	if !f.cfg.AuthorizedFetch {
		return accessFull, r, nil
	}
	signer := f.fetchSigner(r)
	r = r.WithContext(context.WithValue(r.Context(), signerKey{}, signer))
	if signer == "" {
		return accessNone, r, nil
	}
	blocked, err := f.store.IsBlocked(r.Context(), signer)
	if err != nil {
		return accessNone, r, err
	}
	if blocked {
		return accessBlocked, r, nil
	}
	return accessFull, r, nil
}

// gatedKey marks a request whose answer depends on its signature, so that
// writeAP says so to caches.
type gatedKey struct{}

// gated wraps a handler of documents that authorized fetch closes: an
// unsigned GET, or one whose signature does not verify, is answered 401, and
// one signed by a blocked account or instance 404, as for an object that is
// not there (the peer then drops the copy it holds). When pages is set, a
// request that does not ask for ActivityPub passes, for the handler sends
// browsers to the web page.
func (f *Federation) gated(pages bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !f.cfg.AuthorizedFetch || (pages && !WantsActivityPub(r.Header.Get("Accept"))) {
			next(w, r)
			return
		}
		a, r, err := f.fetchAccess(r)
		w.Header().Set("Vary", "Accept, Signature")
		switch {
		case err != nil:
			f.error(w, r, err)
		case a == accessNone:
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		case a == accessBlocked:
			http.Error(w, http.StatusText(http.StatusNotFound), http.StatusNotFound)
		default:
			next(w, r.WithContext(context.WithValue(r.Context(), gatedKey{}, true)))
		}
	}
}

// isGated reports whether r's answer depends on its signature.
func isGated(r *http.Request) bool {
	g, _ := r.Context().Value(gatedKey{}).(bool)
	return g
}
