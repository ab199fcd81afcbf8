package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"time"
)

// A bare server is the yardstick of the pages run: net/http alone, sending
// from memory the very bytes and headers the server sent for a story page.
// Loaded right after the story page, by the same clients in the same run,
// it says how close serving a kept page comes to what the machine allows.

// captured is one response as the server sent it.
type captured struct {
	header http.Header
	body   []byte
}

// capture fetches url as the load does (gzip accepted) and keeps the
// response as sent, not decompressed.
func capture(ctx context.Context, url string) (*captured, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	resp.Header.Del("Date")
	return &captured{header: resp.Header, body: body}, nil
}

// startBare serves c on 127.0.0.1 from memory with nothing else: no
// router, no middleware, no cache lookup. It returns the server's URL and
// a function that stops it.
func startBare(c *captured) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range c.header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(c.body)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }, nil
}

// stylesheetURL finds the stylesheet's content-hashed URL in a page.
var stylesheetURL = regexp.MustCompile(`/static/[0-9a-f]+/style\.css`)
