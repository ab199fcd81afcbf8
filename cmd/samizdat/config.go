package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/web/clientaddr"
)

// config is everything Samizdat reads from the environment, parsed and
// checked in one place.
type config struct {
	DatabaseURL            string
	BaseURL                *url.URL
	ListenAddr             string
	Languages              []string
	PublicationName        string
	MediaDir               string
	LogLevel               slog.Level
	LogFormat              string // "text" or "json"
	ShutdownTimeout        time.Duration
	FederationAllowPrivate bool
	AuthorizedFetch        bool // federation documents only to signed GETs
	// BackfillInterval is how often replies between readers are looked
	// for in remote threads (a River periodic job, once across processes).
	BackfillInterval time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; the client address it gives is used for rate limits only.
	TrustedProxies []netip.Prefix
	// MetricsAddr, when set, is where Prometheus metrics are served: a
	// listener of their own, never the public one.
	MetricsAddr string
	Mail        mailConfig
	// Roles is what this process does (SAMIZDAT_ROLES): serve the site,
	// the desk and the inbox, run the background work, or both.
	Roles roles
}

// roles are the parts of the program a process runs. Any number of
// processes share one database; each may take either role or both.
type roles struct {
	// Web serves the site, the desk and the inbox. It still queues
	// background work (an insert-only River client).
	Web bool
	// Worker runs River's workers (deliveries, newsletter mails,
	// backfill, scheduled publishing, retention) and takes part in the
	// election of the leader that inserts the periodic jobs.
	Worker bool
}

func (r roles) String() string {
	switch {
	case r.Web && r.Worker:
		return "web,worker"
	case r.Web:
		return "web"
	case r.Worker:
		return "worker"
	}
	return "none"
}

// parseRoles reads SAMIZDAT_ROLES: web, worker, or both separated by a comma.
func parseRoles(v string) (roles, error) {
	var r roles
	for _, part := range strings.Split(v, ",") {
		switch strings.ToLower(strings.TrimSpace(part)) {
		case "web":
			r.Web = true
		case "worker":
			r.Worker = true
		case "":
		default:
			return roles{}, fmt.Errorf("unknown role %q", strings.TrimSpace(part))
		}
	}
	if !r.Web && !r.Worker {
		return roles{}, errors.New("no role named")
	}
	return r, nil
}

var langRE = regexp.MustCompile(`^[a-z]{2,3}$`)

// loadConfig reads the configuration through getenv and reports every problem
// at once. Secrets may come from a file named by the variable with _FILE.
func loadConfig(getenv func(string) string) (config, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	cfg := config{
		DatabaseURL:     get("DATABASE_URL", ""),
		ListenAddr:      get("LISTEN_ADDR", ":8080"),
		PublicationName: get("PUBLICATION_NAME", "Samizdat"),
		MediaDir:        get("MEDIA_DIR", "./media"),
		LogFormat:       get("LOG_FORMAT", "text"),
		MetricsAddr:     get("METRICS_ADDR", ""),
	}
	if f := get("DATABASE_URL_FILE", ""); f != "" && cfg.DatabaseURL == "" {
		b, err := readFile(f)
		if err != nil {
			bad("DATABASE_URL_FILE: %v", err)
		}
		cfg.DatabaseURL = strings.TrimSpace(string(b))
	}
	if cfg.DatabaseURL == "" {
		bad("DATABASE_URL is required (for example postgres://user:password@localhost:5432/samizdat)")
	} else if _, err := pgx.ParseConfig(cfg.DatabaseURL); err != nil {
		bad("DATABASE_URL is not a valid PostgreSQL connection string")
	}

	base := get("BASE_URL", "http://localhost:8080")
	u, err := url.Parse(base)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad("BASE_URL must be an absolute http(s) address such as https://example.org, got %q", base)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		bad("BASE_URL must be the site's root with no path, query or fragment, got %q", base)
	default:
		u.Path = ""
		cfg.BaseURL = u
	}

	if _, _, err := net.SplitHostPort(cfg.ListenAddr); err != nil {
		bad("LISTEN_ADDR must be host:port or :port, got %q", cfg.ListenAddr)
	}

	if cfg.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
			bad("METRICS_ADDR must be host:port such as 127.0.0.1:9090, got %q", cfg.MetricsAddr)
		} else if cfg.MetricsAddr == cfg.ListenAddr {
			bad("METRICS_ADDR must not be LISTEN_ADDR: metrics are never served on the public listener")
		}
	}

	seen := map[string]bool{}
	for _, l := range strings.Split(get("LANGUAGES", "en,ru,fr"), ",") {
		l = strings.ToLower(strings.TrimSpace(l))
		switch {
		case l == "":
		case !langRE.MatchString(l):
			bad("LANGUAGES: %q is not a bare language code such as en, ru or fr (no regions: Mastodon filters by the primary code)", l)
		case seen[l]:
			bad("LANGUAGES: %q is listed twice", l)
		default:
			seen[l] = true
			cfg.Languages = append(cfg.Languages, l)
		}
	}
	if len(cfg.Languages) == 0 {
		bad("LANGUAGES must name at least one language")
	}

	if err := cfg.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		bad("LOG_LEVEL must be debug, info, warn or error, got %q", getenv("LOG_LEVEL"))
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		bad("LOG_FORMAT must be text or json, got %q", cfg.LogFormat)
	}
	if d, err := time.ParseDuration(get("SHUTDOWN_TIMEOUT", "15s")); err != nil || d <= 0 {
		bad("SHUTDOWN_TIMEOUT must be a positive duration such as 15s")
	} else {
		cfg.ShutdownTimeout = d
	}
	if d, err := time.ParseDuration(get("BACKFILL_INTERVAL", "30m")); err != nil || d < time.Second {
		bad("BACKFILL_INTERVAL must be a duration of a second or more, such as 30m")
	} else {
		cfg.BackfillInterval = d
	}
	if v := get("FEDERATION_ALLOW_PRIVATE", "false"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("FEDERATION_ALLOW_PRIVATE must be true or false")
		}
		cfg.FederationAllowPrivate = b
	}
	if v := get("AUTHORIZED_FETCH", "false"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("AUTHORIZED_FETCH must be true or false")
		}
		cfg.AuthorizedFetch = b
	}
	if p, err := clientaddr.ParsePrefixes(get("TRUSTED_PROXIES", "")); err != nil {
		bad("TRUSTED_PROXIES must list CIDR prefixes such as 10.0.0.0/8,::1/128: %v", err)
	} else {
		cfg.TrustedProxies = p
	}
	if r, err := parseRoles(get("SAMIZDAT_ROLES", "web,worker")); err != nil {
		bad("SAMIZDAT_ROLES must be web, worker or web,worker: %v", err)
	} else {
		cfg.Roles = r
	}
	host := "localhost"
	if cfg.BaseURL != nil {
		host = cfg.BaseURL.Hostname()
	}
	cfg.Mail = loadMailConfig(get, bad, host)
	return cfg, errors.Join(errs...)
}

// String describes the configuration with secrets masked.
func (c config) String() string {
	db := "(unset)"
	if pc, err := pgx.ParseConfig(c.DatabaseURL); err == nil {
		db = fmt.Sprintf("postgres://%s:***@%s:%d/%s", pc.User, pc.Host, pc.Port, pc.Database)
	}
	base := ""
	if c.BaseURL != nil {
		base = c.BaseURL.String()
	}
	return fmt.Sprintf("database=%s base_url=%s listen=%s roles=%s languages=%s media=%s mail=%s", db, base, c.ListenAddr, c.Roles, strings.Join(c.Languages, ","), c.MediaDir, c.Mail)
}
