package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// wire sends requests written out beforehand, byte for byte, over
// kept-alive HTTP/1.1 connections of its own, and reads no more of each
// answer than its status and its end. The inbox's load generator shares
// the two cores with the server it measures: net/http's client (two
// goroutines per connection, a request and a response with their header
// maps) took 0.11 ms of them per request at 64 clients, and the load tool
// 0.24 ms at 1,000 a second on a schedule; with this, 0.05 and 0.14. The
// server reads the very same requests either way.
type wire struct {
	addr string
	idle chan *wireConn
}

type wireConn struct {
	net.Conn
	r *bufio.Reader
}

// newWire returns a wire to addr (host:port) that keeps up to conns
// connections open between requests.
func newWire(addr string, conns int) *wire {
	return &wire{addr: addr, idle: make(chan *wireConn, conns)}
}

// do sends req, a whole HTTP/1.1 request, and returns the answer's status.
func (w *wire) do(req []byte) (int, error) {
	var c *wireConn
	select {
	case c = <-w.idle:
	default:
		nc, err := net.DialTimeout("tcp", w.addr, 10*time.Second)
		if err != nil {
			return 0, err
		}
		c = &wireConn{Conn: nc, r: bufio.NewReaderSize(nc, 4096)}
	}
	c.SetDeadline(time.Now().Add(30 * time.Second)) //nolint:errcheck // a failed write or read says so
	status, keep, err := c.roundTrip(req)
	if err != nil || !keep {
		c.Close()
		return status, err
	}
	select {
	case w.idle <- c:
	default:
		c.Close()
	}
	return status, nil
}

// close closes the idle connections.
func (w *wire) close() {
	for {
		select {
		case c := <-w.idle:
			c.Close()
		default:
			return
		}
	}
}

// roundTrip writes req and reads the answer through to its end: its
// status, and whether the connection may carry another request.
func (c *wireConn) roundTrip(req []byte) (status int, keep bool, err error) {
	if _, err := c.Write(req); err != nil {
		return 0, false, err
	}
	tp := textproto.NewReader(c.r)
	line, err := tp.ReadLine()
	if err != nil {
		return 0, false, err
	}
	proto, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	if status, err = strconv.Atoi(code); err != nil || !strings.HasPrefix(proto, "HTTP/1.") {
		return 0, false, fmt.Errorf("wire: bad status line %q", line)
	}
	length, chunked := int64(-1), false
	keep = proto == "HTTP/1.1"
	for {
		h, err := tp.ReadLine()
		if err != nil {
			return status, false, err
		}
		if h == "" {
			break
		}
		name, value, _ := strings.Cut(h, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			if length, err = strconv.ParseInt(value, 10, 64); err != nil {
				return status, false, fmt.Errorf("wire: bad Content-Length %q", value)
			}
		case "transfer-encoding":
			chunked = strings.EqualFold(value, "chunked")
		case "connection":
			keep = keep && !strings.EqualFold(value, "close")
		}
	}
	switch {
	case chunked:
		err = discardChunked(c.r)
	case length >= 0:
		_, err = io.CopyN(io.Discard, c.r, length)
	default: // the body runs to the end of the connection
		_, err = io.Copy(io.Discard, c.r)
		keep = false
	}
	return status, keep && err == nil, err
}

// discardChunked reads a chunked body through to its end.
func discardChunked(r *bufio.Reader) error {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		sizeText, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		size, err := strconv.ParseInt(sizeText, 16, 64)
		if err != nil {
			return fmt.Errorf("wire: bad chunk size %q", line)
		}
		if size == 0 {
			for { // trailers, then the blank line
				t, err := r.ReadString('\n')
				if err != nil {
					return err
				}
				if t == "\r\n" || t == "\n" {
					return nil
				}
			}
		}
		if _, err := io.CopyN(io.Discard, r, size+2); err != nil { // the chunk and its CRLF
			return err
		}
	}
}

// wireRequest writes out a POST of body to path on host, with the signed
// headers of h and the others a Mastodon delivery carries.
func wireRequest(host, path string, body []byte, h http.Header) signedRequest {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\n", path, host)
	for _, kv := range [][2]string{
		{"Content-Type", "application/activity+json"},
		{"User-Agent", "samizdat-bench (+loopback)"},
		{"Date", h.Get("Date")},
		{"Digest", h.Get("Digest")},
		{"Signature", h.Get("Signature")},
		{"Content-Length", strconv.Itoa(len(body))},
	} {
		if strings.ContainsAny(kv[1], "\r\n") {
			panic("wire: a header value with a line break") // signatures and dates never have one
		}
		fmt.Fprintf(&b, "%s: %s\r\n", kv[0], kv[1])
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}
