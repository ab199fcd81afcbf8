package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"samizdat/content/store"
	"samizdat/web"
)

var readFile = os.ReadFile

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "Usage: samizdat serve\n\nApplies migrations, then serves the publication on LISTEN_ADDR until SIGINT or SIGTERM.\n", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, logger, pool, err := setup(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := os.MkdirAll(cfg.MediaDir, 0o755); err != nil {
		return fmt.Errorf("MEDIA_DIR: %w", err)
	}
	st := store.New(pool)

	site, err := web.New(web.Config{
		BaseURL:         cfg.BaseURL,
		Languages:       cfg.Languages,
		PublicationName: cfg.PublicationName,
		MediaDir:        cfg.MediaDir,
	}, st, logger)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	srv := &http.Server{
		Handler:           site,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var workers sync.WaitGroup
	workers.Go(func() { publishScheduled(workCtx, st, logger) })

	logger.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.BaseURL.String(), "config", cfg.String())
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		stopWork()
		workers.Wait()
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
	stopWork()
	workers.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// publishScheduled publishes scheduled translations when their time comes.
// The schedule lives in the database, so a restart loses nothing: the first
// pass after starting catches up.
func publishScheduled(ctx context.Context, st *store.Store, logger interface {
	Error(string, ...any)
	Info(string, ...any)
}) {
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		n, err := st.PublishDue(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Error("publish scheduled", "err", err)
		} else if n > 0 {
			logger.Info("published scheduled translations", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
