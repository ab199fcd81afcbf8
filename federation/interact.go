package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"samizdat/content"
	"samizdat/federation/transport"
)

// Remote interaction (docs/federation.md#remote-interaction-templates,
// #remote-interaction-without-templates, #well-known-cors): a reader of the
// website types their fediverse address, and we find the page on their own
// instance where they can follow one of our actors or answer one of our
// Articles. The lookup runs on the server, through the address-checking client,
// so the reader's browser contacts no other host until it is sent to their
// instance. What the reader typed is neither stored nor logged, here or by the
// caller.

// The WebFinger link relations that point to interaction pages, FEP-3b86's
// intent-specific ones first, then the OStatus one every Mastodon since 2.x
// publishes (mastodon:app/serializers/webfinger_serializer.rb).
const (
	relFollowIntent = "https://w3id.org/fep/3b86/Follow"
	relObjectIntent = "https://w3id.org/fep/3b86/Object"
	relSubscribe    = "http://ostatus.org/schema/1.0/subscribe"
)

// InteractTimeout bounds a whole lookup, every request included: the
// reader is waiting.
const InteractTimeout = 5 * time.Second

// maxJRD bounds a WebFinger answer; real ones are under 2 kB.
const maxJRD = 64 << 10

// maxAddress bounds what a reader may type.
const maxAddress = 320

// Interact finds where a reader should go to follow (follow true) or answer
// (follow false) target: our actor's id or our Article's id. input is what
// the reader typed: "user@instance", "@user@instance", "acct:user@instance",
// an instance's domain or its https:// address.
//
// It follows Mastodon's own interaction helper
// (mastodon:app/javascript/entrypoints/remote_interaction_helper.ts) with
// FEP-3b86 added, as docs/federation.md#remote-interaction-templates lists: it
// asks the instance's WebFinger about the account (acct:user@instance), or
// about https://instance for a bare domain, and in the links looks for the
// intent's FEP-3b86 relation (…/Follow to follow, …/Object to answer), then
// …/Object, then the OStatus subscribe template, reading the link's "template"
// (what Mastodon reads) or "href" (what the FEP's text says), and substitutes
// target, percent-encoded, for {object} or {uri}.
//
// Where Mastodon's helper falls back blindly to
// https://instance/authorize_interaction?uri=…, Interact does so only when the
// instance answered a bare-domain lookup without any template, which is what
// Mastodon's own instance actor answers; an instance that answers an account
// lookup without templates is GoToSocial
// (docs/federation.md#remote-interaction-without-templates), which has no such
// page. In that case it returns "" and no error: the caller shows the address
// to paste into the reader's app. A failed lookup is an error, and the caller
// does the same. Bad input is a *content.ValidationError.
//
// client must be the transport package's client: it refuses private
// addresses unless configured for development. WebFinger is asked over
// https, as Mastodon asks it (mastodon:app/lib/webfinger.rb#standard_url);
// only a loopback host, which that client reaches only in development and
// tests, is asked over plain http.
func Interact(ctx context.Context, client *http.Client, input, target string, follow bool) (string, error) {
	user, host, err := parseAddress(input)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, InteractTimeout)
	defer cancel()
	scheme := schemeFor(host)
	if user != "" {
		links, err := webfinger(ctx, client, scheme, host, "acct:"+user+"@"+host)
		if err == nil {
			return interactionURL(links, scheme, target, follow), nil
		}
		// Like Mastodon's helper: a failed account lookup (a mistyped
		// name, a server that does not know it) still leaves the domain.
	}
	links, err := webfinger(ctx, client, scheme, host, scheme+"://"+host)
	if err != nil {
		return "", err
	}
	if u := interactionURL(links, scheme, target, follow); u != "" {
		return u, nil
	}
	return fillTemplate(scheme+"://"+host+"/authorize_interaction?uri={uri}", target, scheme), nil
}

// addressError is the one message for input Interact cannot read; the
// website shows its own, in the reader's language.
func addressError() error {
	v := &content.ValidationError{}
	v.Add("address", "Type your fediverse address, such as name@example.social, or your instance's domain, such as example.social.")
	return v
}

var userRE = regexp.MustCompile(`^[^\s@/?#:]+$`)

// parseAddress reads what a reader typed into a user name ("" for a bare
// domain) and a host: a domain name in ASCII (IDNA) and lower case, or an
// IP address, with an optional port.
func parseAddress(input string) (user, host string, err error) {
	s := strings.TrimSpace(input)
	if s == "" || len(s) > maxAddress {
		return "", "", addressError()
	}
	if len(s) > 5 && strings.EqualFold(s[:5], "acct:") {
		s = s[5:]
	}
	if lower := strings.ToLower(s); strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || u.User != nil {
			return "", "", addressError()
		}
		s = u.Host
	}
	s = strings.TrimPrefix(s, "@")
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		user, s = s[:i], s[i+1:]
		if !userRE.MatchString(user) {
			return "", "", addressError()
		}
	}
	host, err = normalizeHost(strings.TrimRight(s, "/"))
	if err != nil {
		return "", "", addressError()
	}
	return user, host, nil
}

// normalizeHost checks a host with an optional port and returns it in the
// form URLs carry it.
func normalizeHost(s string) (string, error) {
	name, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		name, port = h, p
		if len(p) == 0 || len(p) > 5 || strings.Trim(p, "0123456789") != "" {
			return "", errors.New("bad port")
		}
	}
	name = strings.TrimSuffix(name, ".")
	if a, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		if port != "" || a.Is6() {
			return net.JoinHostPort(a.String(), port), nil
		}
		return a.String(), nil
	}
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil || !strings.Contains(ascii, ".") {
		return "", fmt.Errorf("bad host %q", name)
	}
	if port != "" {
		return net.JoinHostPort(ascii, port), nil
	}
	return ascii, nil
}

// schemeFor is https, except for loopback hosts (see Interact).
func schemeFor(host string) string {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if a, err := netip.ParseAddr(strings.Trim(name, "[]")); (err == nil && a.IsLoopback()) || name == "localhost" {
		return "http"
	}
	return "https"
}

// jrdLinkIn is a link of a WebFinger answer as we read others': each link
// on its own, so that one malformed link does not spoil the rest.
type jrdLinkIn struct {
	Rel      string `json:"rel"`
	Href     string `json:"href"`
	Template string `json:"template"`
}

// webfinger asks host's WebFinger about resource and returns the answer's
// links. Anything but a 200 with a JSON object is an error.
func webfinger(ctx context.Context, client *http.Client, scheme, host, resource string) ([]jrdLinkIn, error) {
	u := scheme + "://" + host + "/.well-known/webfinger?resource=" + url.QueryEscape(resource)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("federation: interact: %w", err)
	}
	req.Header.Set("Accept", "application/jrd+json, application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("federation: interact: webfinger %s: %w", host, err)
	}
	body, err := transport.ReadBody(resp, maxJRD)
	if err != nil {
		return nil, fmt.Errorf("federation: interact: webfinger %s: %w", host, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("federation: interact: webfinger %s: status %d", host, resp.StatusCode)
	}
	var doc struct {
		Links []json.RawMessage `json:"links"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("federation: interact: webfinger %s: %w", host, err)
	}
	var links []jrdLinkIn
	for _, raw := range doc.Links {
		var l jrdLinkIn
		if json.Unmarshal(raw, &l) == nil {
			links = append(links, l)
		}
	}
	return links, nil
}

// interactionURL picks the interaction template for the intent from links
// and fills it in; "" when there is none that gives a usable address.
func interactionURL(links []jrdLinkIn, scheme, target string, follow bool) string {
	rels := []string{relObjectIntent, relSubscribe}
	if follow {
		rels = []string{relFollowIntent, relObjectIntent, relSubscribe}
	}
	for _, rel := range rels {
		for _, l := range links {
			if l.Rel != rel {
				continue
			}
			for _, tmpl := range []string{l.Template, l.Href} {
				if u := fillTemplate(tmpl, target, scheme); u != "" {
					return u
				}
			}
		}
	}
	return ""
}

// fillTemplate substitutes target, percent-encoded as JavaScript's
// encodeURIComponent does, for the template's {object} (FEP-3b86) or {uri}
// (OStatus) and checks that the result is an address a browser may be sent
// to: https, or http where the instance itself was reached over http. It
// returns "" otherwise.
func fillTemplate(tmpl, target, scheme string) string {
	value := strings.ReplaceAll(url.QueryEscape(target), "+", "%20")
	var out string
	switch {
	case strings.Contains(tmpl, "{object}"):
		out = strings.ReplaceAll(tmpl, "{object}", value)
	case strings.Contains(tmpl, "{uri}"):
		out = strings.ReplaceAll(tmpl, "{uri}", value)
	default:
		return ""
	}
	u, err := url.Parse(out)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && (u.Scheme != "http" || scheme != "http")) {
		return ""
	}
	return out
}
