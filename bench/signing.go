package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"samizdat/federation/signature"
)

// signingRate measures the ceiling a fan-out is held to: how many
// deliveries' RSA-2048 signatures (signature.SignRequest, as the server
// signs each POST) every core of the machine together makes in a second,
// signing for d. A fan-out run measures it just after its deliveries, on
// the same machine at nearly the same moment, so that the ratio of the two
// says how much of the machine's signing speed the deliveries reach,
// whatever else the shared machine was doing.
func signingRate(ctx context.Context, d time.Duration) (float64, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return 0, err
	}
	body := bytes.Repeat([]byte("x"), 2<<10)
	var n atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for range runtime.NumCPU() {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(stop) {
				r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.2:1/inbox", bytes.NewReader(body))
				if err := signature.SignRequest(r, "http://127.0.0.1/actors/en#main-key", key, body, time.Now()); err != nil {
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
