package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"samizdat/federation/signature"
	"samizdat/federation/transport"
)

// A bare sender is the yardstick of the fan-out, as the bare server is of
// the pages: this program again, in a process of its own, sending one
// activity to every fake instance with what a delivery cannot do without
// (the server's HTTP client, transport.New, and its signature,
// signature.SignRequestDigest, one per inbox) and nothing else: no queue, no
// database, no delivery state. The same fleet receives and checks its
// POSTs, and the signing ceiling is measured the same way after it. What
// the fan-out reaches against the bare sender is what its durable queue and
// bookkeeping cost; what the bare sender reaches against the ceiling is
// what sending over HTTP costs beside the signature on this machine.

// bareSendWorkers is how many POSTs the bare sender has in flight, as many
// as a server process runs deliveries at once (delivery.Config.Workers).
const bareSendWorkers = 128

// bareSendResult is what a bare sender run measured.
type bareSendResult struct {
	Instances int
	Posts     int           // POSTs that arrived and verified
	Last      time.Duration // the go to the last POST's arrival
	PerSecond float64
	SignRate  float64
	Sender    time.Duration // the bare sender's CPU, first POST to last answer
	Tool      time.Duration // this tool's (the fleet's) in the same time
	Machine   time.Duration
}

// SignShare is deliveries a second as a share of signatures a second.
func (r *bareSendResult) SignShare() float64 {
	if r.SignRate == 0 {
		return 0
	}
	return r.PerSecond / r.SignRate
}

// perOp formats the CPU columns per delivery: sender / load tool / all.
func (r *bareSendResult) perOp() string {
	return strings.Join([]string{perOp(r.Sender, r.Posts), perOp(r.Tool, r.Posts), perOp(r.Machine, r.Posts)}, " / ")
}

// bareSendSpec is what the parent hands the bare sender, in a file.
type bareSendSpec struct {
	Hosts []string `json:"hosts"`
	KeyID string   `json:"key_id"`
	Key   string   `json:"key"` // PKCS #8 PEM
	Body  []byte   `json:"body"`
}

// bareActivityID is the id of the activity the bare sender sends.
const bareActivityID = "http://127.0.0.1/activities/bare-sender"

// runBareSend sends one activity to instances fake instances through a bare
// sender and times it as runFanout times a fan-out.
func runBareSend(ctx context.Context, e *env, instances int) (*bareSendResult, error) {
	fmt.Fprintf(e.log, "bench: baresend-%d\n", instances)
	fl, err := startFleet(instances, e.perAddr)
	if err != nil {
		return nil, err
	}
	defer fl.close()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	spec := bareSendSpec{
		Hosts: fl.hosts,
		KeyID: "http://127.0.0.1/actors/en#main-key",
		Key:   string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		Body:  bareActivity(),
	}
	fl.expectKeyID, fl.expectKey = spec.KeyID, &key.PublicKey
	dir := filepath.Join(e.workDir, "baresend")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	specFile := filepath.Join(dir, "spec.json")
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(specFile, b, 0o600); err != nil {
		return nil, err
	}

	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), bareSendEnv+"="+specFile)
	cmd.Stderr = e.log
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }() //nolint:errcheck // it has exited, or is stopped here
	out := bufio.NewReader(outPipe)
	if line, err := out.ReadString('\n'); err != nil || line != "ready\n" {
		return nil, fmt.Errorf("bare sender: %q %v", line, err)
	}

	fl.expect(instances)
	pid := cmd.Process.Pid
	sender0, tool0, all0, err := bareCPU(pid)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if _, err := io.WriteString(in, "go\n"); err != nil {
		return nil, err
	}
	if err := fl.wait(ctx, time.Minute+time.Duration(instances)*20*time.Millisecond); err != nil {
		return nil, err
	}
	// Every POST arrived; the sender reads the last answers, then says so.
	done, err := out.ReadString('\n')
	if err != nil || !strings.HasPrefix(done, "done") {
		return nil, fmt.Errorf("bare sender: %q %v", done, err)
	}
	sender1, tool1, all1, err := bareCPU(pid)
	if err != nil {
		return nil, err
	}
	in.Close() // the sender exits
	if strings.TrimSpace(done) != "done" {
		return nil, fmt.Errorf("bare sender: %s", strings.TrimSpace(strings.TrimPrefix(done, "done")))
	}

	res := &bareSendResult{Instances: instances, Sender: sender1 - sender0, Tool: tool1 - tool0, Machine: all1 - all0}
	fl.mu.Lock()
	res.Last = fl.last.Sub(start)
	fl.mu.Unlock()
	res.PerSecond = float64(instances) / res.Last.Seconds()
	time.Sleep(500 * time.Millisecond) // as runFanout: a repeat would show
	if err := fl.check(fl.hosts, bareActivityID); err != nil {
		return nil, fmt.Errorf("bare sender: %w", err)
	}
	if res.Posts = int(fl.posts.Load()); res.Posts != instances {
		return nil, fmt.Errorf("bare sender: %d POSTs for %d instances", res.Posts, instances)
	}
	if err := waitQuiet(ctx, e.log); err != nil {
		return nil, err
	}
	if res.SignRate, err = signingRate(ctx, e.signFor); err != nil {
		return nil, fmt.Errorf("bare sender: signing rate: %w", err)
	}
	return res, nil
}

// bareCPU reads the CPU time the sender, this tool and the whole machine
// have spent so far.
func bareCPU(pid int) (sender, tool, machine time.Duration, err error) {
	sender, errS := processCPU(pid)
	tool, errT := processCPU(os.Getpid())
	machine, _, errM := machineCPU()
	if err := errors.Join(errS, errT, errM); err != nil {
		return 0, 0, 0, fmt.Errorf("bare sender: CPU time: %w", err)
	}
	return sender, tool, machine, nil
}

// bareActivity is a Create of an Article about the size of a story's.
func bareActivity() []byte {
	content := strings.Repeat("<p>A story told across a border, in a language of its own. </p>", 40)
	b, _ := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       bareActivityID,
		"type":     "Create",
		"actor":    "http://127.0.0.1/actors/en",
		"to":       []string{"https://www.w3.org/ns/activitystreams#Public"},
		"cc":       []string{"http://127.0.0.1/actors/en/followers"},
		"object": map[string]any{
			"id": "http://127.0.0.1/en/bare-sender", "type": "Article", "name": "The bare sender",
			"attributedTo": "http://127.0.0.1/actors/en", "content": content,
		},
	})
	return b
}

// With this set, this program is the bare sender (sendBare): the file of
// its bareSendSpec.
const bareSendEnv = "SAMIZDAT_BENCH_BARE_SEND"

// asBareSender runs sendBare when the environment says this process is
// the bare sender, and reports whether it did.
func asBareSender() bool {
	spec := os.Getenv(bareSendEnv)
	if spec == "" {
		return false
	}
	if err := sendBare(spec, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bare sender:", err)
		os.Exit(1)
	}
	return true
}

// sendBare is the bare sender's process. It prints "ready" once set up,
// sends on a line from stdin, prints "done" (with the first failure, if
// any) once every POST was answered, and returns when stdin closes.
func sendBare(specFile string, stdin io.Reader, stdout io.Writer) error {
	b, err := os.ReadFile(specFile)
	if err != nil {
		return err
	}
	var spec bareSendSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		return err
	}
	block, _ := pem.Decode([]byte(spec.Key))
	if block == nil {
		return errors.New("no PEM key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return err
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return errors.New("not an RSA key")
	}
	client := transport.New(transport.Options{AllowPrivate: true, UserAgent: "samizdat-bench bare sender"})
	in := bufio.NewReader(stdin)
	fmt.Fprintln(stdout, "ready")
	if _, err := in.ReadString('\n'); err != nil {
		return err
	}

	digest := signature.Digest(spec.Body) // once, as the server does
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range bareSendWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(spec.Hosts) {
					return
				}
				if err := postOne(client, "http://"+spec.Hosts[i]+"/inbox", spec.KeyID, key, spec.Body, digest); err != nil {
					once.Do(func() { first = err })
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		fmt.Fprintln(stdout, "done", first)
	} else {
		fmt.Fprintln(stdout, "done")
	}
	io.Copy(io.Discard, in) //nolint:errcheck // until the parent closes stdin
	return nil
}

// postOne signs and POSTs body, whose Digest is digest, to inbox as a
// delivery does.
func postOne(client *http.Client, inbox, keyID string, key *rsa.PrivateKey, body []byte, digest string) error {
	req, err := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := signature.SignRequestDigest(req, keyID, key, digest, time.Now()); err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("POST %s: %s", inbox, resp.Status)
	}
	return nil
}
