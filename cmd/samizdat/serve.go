package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content/store"
	"samizdat/federation"
	"samizdat/federation/delivery"
	"samizdat/federation/signature"
	"samizdat/federation/transport"
	"samizdat/mail"
	"samizdat/web"
	"samizdat/web/clientaddr"
	"samizdat/web/desk"
)

// version is the software version NodeInfo and the User-Agent report.
const version = "0.1.0"

var readFile = os.ReadFile

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "Usage: samizdat serve [-cpuprofile FILE]\n\nApplies migrations, then serves the publication on LISTEN_ADDR until SIGINT or SIGTERM.\n", stderr)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to `FILE` (for benchmarks; see bench/)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	cfg, logger, pool, err := setup(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	newsletter, err := newNewsletter(cfg, st, logger)
	if err != nil {
		return err
	}
	st.OnChange(newsletter.Hook)
	// Metrics only when they are served: then each layer is handed the
	// functions that count its events.
	var m *metrics
	if cfg.MetricsAddr != "" {
		m = newMetrics(pool, st)
	}

	// Federation: the actors' keys first, because the delivery queue signs
	// with them and federation serves them; federation registers the change
	// hook that enqueues activities, so it is built before anything writes.
	fedCfg := federation.Config{
		BaseURL:          cfg.BaseURL,
		Languages:        cfg.Languages,
		PublicationName:  cfg.PublicationName,
		Version:          version,
		AllowPrivate:     cfg.FederationAllowPrivate,
		AuthorizedFetch:  cfg.AuthorizedFetch,
		CopyMedia:        true, // remote avatars, emoji and images, into the media table
		BackfillInterval: cfg.BackfillInterval,
	}
	delivCfg := delivery.Config{
		Client: transport.New(transport.Options{
			AllowPrivate: cfg.FederationAllowPrivate,
			UserAgent:    transport.UserAgent(version, cfg.BaseURL.String()+"/"),
			Timeout:      delivery.PostTimeout, // the job timeout and the rescue derive from it
		}),
		Logger:     logger,
		InsertOnly: !cfg.Roles.Worker,
	}
	webCfg := web.Config{
		BaseURL:         cfg.BaseURL,
		Languages:       cfg.Languages,
		PublicationName: cfg.PublicationName,
	}
	if m != nil {
		fedCfg.InboxResult = m.inboxResult
		delivCfg.Result = m.deliveryResult
		webCfg.PageCacheResult = m.pageCacheResult
	}
	keys, err := federation.LoadKeys(ctx, fedCfg, st)
	if err != nil {
		return err
	}
	delivCfg.Keys = keys.KeySource
	queue, err := delivery.New(pool, st, delivCfg)
	if err != nil {
		return err
	}
	fed, err := federation.New(fedCfg, st, keys, queue, logger)
	if err != nil {
		return err
	}
	if err := queue.AddWork(newsletterWork(newsletter)); err != nil {
		return err
	}
	if err := queue.AddWork(retentionWork(st, logger)); err != nil {
		return err
	}
	if err := queue.AddWork(scheduleWork(st, logger, scheduleInterval)); err != nil {
		return err
	}

	// One router in front: each package mounts the paths it serves;
	// federation's and the desk's take precedence over the site's "/*".
	// A process in the worker role only answers the health checks there.
	root := chi.NewRouter()
	if m != nil {
		root.Use(m.countRequests)
	}
	var mountWeb func(chi.Router)
	if cfg.Roles.Web {
		// The page watch lets the website serve kept pages without reading
		// their version each time; it listens until the program ends.
		watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
		defer stopWatch()
		pages := st.WatchPages(watchCtx, logger)
		webCfg.PageWatch = pages
		var site *web.Server
		if site, mountWeb, err = webRole(cfg, webCfg, st, fed, queue, newsletter, logger); err != nil {
			return err
		}
		// Kept pages are answered first, before the client's address is
		// looked for or any route (web's Server.Kept).
		root.Use(site.Kept, clientaddr.Middleware(cfg.TrustedProxies), touchAfterWrites(pages))
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		root.Method(method, "/healthz", http.HandlerFunc(handleHealthz))
		root.Method(method, "/readyz", handleReadyz(pool))
	}
	if mountWeb != nil {
		mountWeb(root)
	}

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	srv := &http.Server{
		Handler:           root,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	if err := queue.Start(workCtx); err != nil {
		return err
	}

	logger.Info("serving", "roles", cfg.Roles.String(), "addr", ln.Addr().String(), "base_url", cfg.BaseURL.String(), "rsa", signature.Backend(), "config", cfg.String())
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(ln) }()
	var msrv *http.Server
	if m != nil {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			srv.Close()
			stopWork()
			queue.Stop(context.WithoutCancel(ctx)) //nolint:errcheck // the listen error is the one to report
			return fmt.Errorf("listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		msrv = &http.Server{Handler: m.handler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
		logger.Info("serving metrics", "addr", mln.Addr().String())
		go func() { serveErr <- msrv.Serve(mln) }()
	}

	select {
	case err := <-serveErr:
		stopWork()
		queue.Stop(context.WithoutCancel(ctx)) //nolint:errcheck // the server error is the one to report
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	backstop := time.AfterFunc(cfg.ShutdownTimeout+10*time.Second, func() {
		fmt.Fprintln(stderr, "samizdat: shutdown took too long; exiting")
		os.Exit(1)
	})
	defer backstop.Stop()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if msrv != nil {
		msrv.Shutdown(shutdownCtx) //nolint:errcheck // the public server's error is the one to report
	}
	// Deliveries cut short stay queued in PostgreSQL for the next start.
	if stopErr := queue.Stop(shutdownCtx); stopErr != nil {
		logger.Error("stopping deliveries", "err", stopErr)
	}
	stopWork()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// webRole builds the public site and the desk of a process in the web role
// and returns the site and what mounts them, with federation's paths, on
// the root router.
func webRole(cfg config, webCfg web.Config, st *store.Store, fed *federation.Federation, queue *delivery.Deliverer, newsletter *mail.Newsletter, logger *slog.Logger) (*web.Server, func(chi.Router), error) {
	// Remote interaction looks up readers' instances with a client of its
	// own: unsigned, as WebFinger is, and as careful about addresses.
	interactClient := transport.New(transport.Options{
		AllowPrivate: cfg.FederationAllowPrivate,
		UserAgent:    transport.UserAgent(version, cfg.BaseURL.String()+"/"),
		Timeout:      federation.InteractTimeout,
	})
	webCfg.ActivityPub = fed.ActivityPubPages()
	webCfg.ArticleIRI = fed.ArticleIRI
	webCfg.ActorHandle = fed.ActorHandle
	webCfg.ActorURL = fed.ActorURL
	webCfg.Subscribe = subscribeFunc(newsletter)
	webCfg.AskClient = interactClient
	webCfg.ResolveAccount = func(ctx context.Context, acct string) (string, error) {
		return federation.ResolveAccount(ctx, interactClient, acct)
	}
	webCfg.Ask = fed.AskFromSite
	webCfg.Withdraw = fed.WithdrawQuestion
	webCfg.Interact = func(ctx context.Context, input, target string, follow bool) (string, error) {
		return federation.Interact(ctx, interactClient, input, target, follow)
	}
	site, err := web.New(webCfg, st, logger)
	if err != nil {
		return nil, nil, err
	}
	staffDesk, err := desk.New(desk.Config{
		BaseURL:         cfg.BaseURL,
		Languages:       cfg.Languages,
		PublicationName: cfg.PublicationName,
		Preview:         site.Preview,
		PagePreview:     site.PreviewPage,
		RetryDeliveries: queue.RetryFailed,
		ReportRemote:    fed.ReportRemote,
		SendIssue:       sendIssueFunc(newsletter),
		AnswerQuestion:  fed.AnswerQuestion,
		SummariesOpen:   newsletter.Open(),
		RevokeQuote:     fed.RevokeQuote,
		SaveProfile:     fed.SaveProfile,
	}, st, logger)
	if err != nil {
		return nil, nil, err
	}
	return site, func(r chi.Router) {
		fed.Mount(r)
		staffDesk.Mount(r)
		site.Mount(r)
	}, nil
}

// touchAfterWrites tells the page watch of every request that may have
// changed what pages show (any but GET, HEAD and OPTIONS: a desk form, an
// activity in the inbox) before its answer goes out, so that the client's
// next request sees the change even if PostgreSQL's announcement of it has
// not arrived yet. A person's request also waits until every process has
// acknowledged the announcement (store.PageWatch.Sync, a few milliseconds),
// so that their next request sees the change on any process behind the same
// address; an
// activity in an inbox does not wait: its sender reads no page afterwards.
func touchAfterWrites(pages *store.PageWatch) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				next.ServeHTTP(w, r)
				return
			}
			tw := &touchingWriter{ResponseWriter: w, pages: pages, ctx: r.Context(),
				sync: !strings.HasSuffix(r.URL.Path, "/inbox")}
			defer tw.touch() // an answer written only after the handler returns
			next.ServeHTTP(tw, r)
		})
	}
}

// touchingWriter touches (or syncs) the page watch once, before the
// answer's first byte.
type touchingWriter struct {
	http.ResponseWriter
	pages   *store.PageWatch
	ctx     context.Context
	sync    bool
	touched bool
}

func (w *touchingWriter) touch() {
	if w.touched {
		return
	}
	w.touched = true
	if w.sync {
		w.pages.Sync(w.ctx)
	} else {
		w.pages.Touch()
	}
}

func (w *touchingWriter) WriteHeader(code int) {
	w.touch()
	w.ResponseWriter.WriteHeader(code)
}

func (w *touchingWriter) Write(b []byte) (int, error) {
	w.touch()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *touchingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// startCPUProfile profiles the process into file until the returned
// function is called. It is a flag of serve and nothing else: a profile is
// written to a local file, never served over the network.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
