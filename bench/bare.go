package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// A bare server is the yardstick of the pages run: net/http alone, sending
// from memory the very bytes and headers the server sent for a story page.
// Loaded right after the story page, by the same clients in the same run,
// it says how close serving a kept page comes to what the machine allows.
// It is a process of its own, as the server is, so that neither shares the
// load tool's runtime and only the work each does per request differs.

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
// router, no middleware, no cache lookup. It runs in a process of its own,
// this program again (serveBare), as the server does, so that it does not
// share the load generator's runtime. It returns the server's URL and a
// function that stops it.
func startBare(ctx context.Context, dir string, c *captured) (string, func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	body, headers := filepath.Join(dir, "bare.body"), filepath.Join(dir, "bare.headers")
	h, err := json.Marshal(c.header)
	if err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(body, c.body, 0o644); err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(headers, h, 0o644); err != nil {
		return "", nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	// By environment rather than arguments: under go test, self is the
	// test binary, whose TestMain looks for them as main does.
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), bareBodyEnv+"="+body, bareHeadersEnv+"="+headers)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("bare server: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// With these set, this program is the bare server (serveBare): the files
// of its body and its headers.
const (
	bareBodyEnv    = "SAMIZDAT_BENCH_BARE_BODY"
	bareHeadersEnv = "SAMIZDAT_BENCH_BARE_HEADERS"
)

// asBareServer runs serveBare when the environment says this process is
// the bare server, and reports whether it did.
func asBareServer() bool {
	body := os.Getenv(bareBodyEnv)
	if body == "" {
		return false
	}
	if err := serveBare(body, os.Getenv(bareHeadersEnv), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bare server:", err)
		os.Exit(1)
	}
	return true
}

// serveBare is the bare server's process: it sends the body and headers
// read from the two files to every request, and prints its URL.
func serveBare(bodyFile, headerFile string, stdout io.Writer) error {
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(headerFile)
	if err != nil {
		return err
	}
	var header http.Header
	if err := json.Unmarshal(b, &header); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "http://%s/\n", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})}
	return srv.Serve(ln)
}

// stylesheetURL finds the stylesheet's content-hashed URL in a page.
var stylesheetURL = regexp.MustCompile(`/static/[0-9a-f]+/style\.css`)
