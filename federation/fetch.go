package federation

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"samizdat/federation/signature"
	"samizdat/federation/transport"
)

// fetchAccept is the Accept header of our fetches, Mastodon's
// (docs/federation.md#activitypub-accept-headers).
const fetchAccept = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// errFetch marks a remote document we could not get or could not use.
var errFetch = errors.New("federation: fetch")

// statusError is a fetch answered with a status other than 200.
type statusError struct{ code int }

func (e *statusError) Error() string { return fmt.Sprintf("status %d", e.code) }

// temporary reports whether a failed fetch may succeed later: the peer was
// unreachable, timed out, or answered 5xx, 408 or 429. A 4xx, a document we
// cannot use or an address we refuse is final.
func temporary(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.code >= 500 || se.code == http.StatusTooManyRequests || se.code == http.StatusRequestTimeout
	}
	if errors.Is(err, transport.ErrForbiddenAddress) || errors.Is(err, transport.ErrTooLarge) || errors.Is(err, errBudget) {
		return false
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// newClient returns the client remote documents are fetched with: the transport
// client, which refuses non-public addresses on the address actually dialled
// unless AllowPrivate, so that a remote document cannot point us into our own
// network, and which signs again, as the instance actor, any request it is
// redirected with.
func (f *Federation) newClient() *http.Client {
	return transport.New(transport.Options{
		AllowPrivate: f.cfg.AllowPrivate,
		UserAgent:    transport.UserAgent(f.cfg.Version, f.iri.Root()),
		Resign:       f.signGet,
	})
}

// signGet signs a GET as the instance actor over (request-target) host date:
// GoToSocial and Mastodon in secure mode refuse unsigned fetches
// (docs/federation.md#signed-headers, #signed-fetches, #instance-actor).
func (f *Federation) signGet(r *http.Request) error {
	keyID, key, err := f.keys.KeySource(r.Context(), instanceActor)
	if err != nil {
		return err
	}
	return signature.SignRequest(r, keyID, key, nil, f.now())
}

type deadlineKey struct{}

// withFetchDeadline bounds every fetch made under ctx, and only fetches, by
// the time at.
func withFetchDeadline(ctx context.Context, at time.Time) context.Context {
	return context.WithValue(ctx, deadlineKey{}, at)
}

// fetchContext is ctx with the fetch deadline set on it, if any. The
// deadline is measured on the wall clock the HTTP client uses.
func fetchContext(ctx context.Context) (context.Context, context.CancelFunc) {
	at, ok := ctx.Value(deadlineKey{}).(time.Time)
	if !ok {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, at)
}

// remoteURL parses an IRI taken from a remote document: http or https, with
// a host, and not one of ours. The fragment is dropped, as HTTP does.
func (f *Federation) remoteURL(iri string) (*url.URL, error) {
	u, err := url.Parse(iri)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%w: %q is not an http(s) URL", errFetch, iri)
	}
	if strings.EqualFold(u.Host, f.iri.Host()) {
		return nil, fmt.Errorf("%w: %q is on our own host", errFetch, iri)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// fetch GETs a remote ActivityPub document with a signed request and decodes
// it. The response must be 200 with a JSON content type and at most 1 MB
// (docs/federation.md#peer-timeouts-and-limits).
func (f *Federation) fetch(ctx context.Context, iri string) (*object, error) {
	u, err := f.remoteURL(iri)
	if err != nil {
		return nil, err
	}
	if err := takeBudget(ctx, u.Host); err != nil {
		return nil, err
	}
	ctx, cancel := fetchContext(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errFetch, iri, err)
	}
	req.Header.Set("Accept", fetchAccept)
	if err := f.signGet(req); err != nil {
		return nil, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errFetch, iri, err)
	}
	body, err := transport.ReadBody(resp, transport.MaxBody)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errFetch, iri, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s: %w", errFetch, iri, &statusError{resp.StatusCode})
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/activity+json" && mt != "application/ld+json" && mt != "application/json" {
		return nil, fmt.Errorf("%w: %s: content type %q", errFetch, iri, resp.Header.Get("Content-Type"))
	}
	d, err := readObject(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errFetch, iri, err)
	}
	return d, nil
}
