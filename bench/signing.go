package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"samizdat/federation/signature"
)

// signingRate measures the ceiling a fan-out is held to: how many
// deliveries' RSA-2048 signatures (signature.SignRequestDigest, as the
// server signs each POST of an activity whose digest it computed once) every core of the machine together makes in a second,
// signing for d. A fan-out run measures it just after its deliveries, on
// the same machine at nearly the same moment, so that the ratio of the two
// says how much of the machine's signing speed the deliveries reach,
// whatever else the shared machine was doing.
func signingRate(ctx context.Context, d time.Duration) (float64, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return 0, err
	}
	digest := signature.Digest(bytes.Repeat([]byte("x"), 2<<10))
	var n atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for range runtime.NumCPU() {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(stop) {
				r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.2:1/inbox", nil)
				if err := signature.SignRequestDigest(r, "http://127.0.0.1/actors/en#main-key", key, digest, time.Now()); err != nil {
					once.Do(func() { first = err })
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	return float64(n.Load()) / time.Since(start).Seconds(), ctx.Err()
}

// Waiting for a quiet machine before the ceiling is measured.
const (
	quietShare  = 0.10                   // of all cores busy, at most
	quietWindow = 250 * time.Millisecond // over this long
	quietMax    = 15 * time.Second       // then measure anyway, and say so
)

// waitQuiet waits until the machine's busy time over a quietWindow is under
// quietShare of its cores, so that the ceiling is measured on a machine that
// does nothing else: right after a fan-out, PostgreSQL still vacuums and
// writes what the deliveries changed, and signing beside it would put the
// ceiling too low and the ratio too high. It logs how long it waited.
func waitQuiet(ctx context.Context, log io.Writer) error {
	start := time.Now()
	cores := float64(runtime.NumCPU())
	var share float64
	for time.Since(start) < quietMax {
		b0, _, err := machineCPU()
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(quietWindow):
		}
		b1, _, err := machineCPU()
		if err != nil {
			return err
		}
		if share = (b1 - b0).Seconds() / quietWindow.Seconds() / cores; share < quietShare {
			fmt.Fprintf(log, "bench:   machine quiet after %s (%.0f%% busy)\n", time.Since(start).Round(10*time.Millisecond), 100*share)
			return nil
		}
	}
	fmt.Fprintf(log, "bench:   machine still %.0f%% busy after %s; measuring the ceiling anyway\n", 100*share, quietMax)
	return nil
}
