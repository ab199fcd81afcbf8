package delivery

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/content/store"
	"samizdat/content/store/storetest"
	"samizdat/federation/transport"
)

// crashChildEnv, when set, makes the test binary a delivery process for
// TestDeliverer_Crash instead of running tests. Its value is a childConfig.
const crashChildEnv = "SAMIZDAT_DELIVERY_CHILD"

type childConfig struct {
	DatabaseURL string `json:"database_url"`
	KeyFile     string `json:"key_file"`
}

func TestMain(m *testing.M) {
	if c := os.Getenv(crashChildEnv); c != "" {
		os.Exit(runChild(c))
	}
	os.Exit(m.Run())
}

// runChild runs a Deliverer against the test's database until SIGTERM, or
// until its parent kills it.
func runChild(conf string) int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	fail := func(err error) int { logger.Error("crash child", "err", err); return 2 }
	var c childConfig
	if err := json.Unmarshal([]byte(conf), &c); err != nil {
		return fail(err)
	}
	b, err := os.ReadFile(c.KeyFile)
	if err != nil {
		return fail(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return fail(fmt.Errorf("no PEM in %s", c.KeyFile))
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	pool, err := pgxpool.New(ctx, c.DatabaseURL)
	if err != nil {
		return fail(err)
	}
	defer pool.Close()
	d, err := New(pool, store.New(pool), Config{
		Keys: testKeys(key),
		Client: transport.New(transport.Options{
			AllowPrivate: true,
			UserAgent:    transport.UserAgent("crash-test", "https://samizdat.example/"),
			Timeout:      PostTimeout,
		}),
		Logger:       logger,
		Workers:      5,
		RetryPolicy:  fixedRetry(100 * time.Millisecond),
		PollInterval: 50 * time.Millisecond,
		// JobTimeout and RescueAfter are the production ones, derived
		// from PostTimeout, which the test holds to its minute.
	})
	if err != nil {
		return fail(err)
	}
	if err := d.Start(context.Background()); err != nil {
		return fail(err)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Stop(sctx); err != nil {
		return fail(err)
	}
	return 0
}

// child is a delivery process started by the test.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
}

func startChild(t *testing.T, conf childConfig) *child {
	t.Helper()
	b, _ := json.Marshal(conf)
	c := &child{done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), crashChildEnv+"="+string(b))
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.cmd.Wait(); close(c.done) }() //nolint:errcheck
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			c.cmd.Process.Kill() //nolint:errcheck
			<-c.done
		}
		if t.Failed() && c.stderr.Len() > 0 {
			t.Logf("child %d said:\n%s", c.cmd.Process.Pid, c.stderr.String())
		}
	})
	return c
}

// kill sends SIGKILL to the child, by its pid, and waits for it to die.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("child did not die")
	}
}

// TestDeliverer_Crash kills a delivery process in the middle of a fan-out
// to fifty inboxes, some of them slow, and starts another. Afterwards every
// inbox has the activity, every delivery is recorded as delivered, and the
// inboxes that had acknowledged before the crash were not sent it again;
// all within a minute of the kill, with the production timeouts.
func TestDeliverer_Crash(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewURL(t)
	pool, err := pgxpool.New(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f := &fixture{pool: pool, st: store.New(pool)}

	key := testKey()
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(keyFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	const n = 50
	inboxes := make([]*inbox, n)
	urls := make([]string, n)
	for i := range inboxes {
		inboxes[i] = newInbox(t, &key.PublicKey)
		inboxes[i].delay = 30 * time.Millisecond
		if i%3 == 0 {
			inboxes[i].delay = 700 * time.Millisecond
		}
		urls[i] = inboxes[i].URL
	}
	a := activity("https://samizdat.example/ap/articles/crash#create")
	f.enqueue(t, f.deliverer(t, false), a, urls...)

	conf := childConfig{DatabaseURL: dbURL, KeyFile: keyFile}
	first := startChild(t, conf)
	delivered := func() map[string]bool {
		ds, err := f.st.Deliveries(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, d := range ds {
			if d.State == store.DeliveryDelivered {
				out[d.Inbox] = true
			}
		}
		return out
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(delivered()) < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("the first process delivered %d in 30 s", len(delivered()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	first.kill(t)

	acked := delivered()
	if len(acked) == n {
		t.Fatalf("all %d deliveries were done before the kill; the test proves nothing", n)
	}
	inFlight := 0
	for _, in := range inboxes {
		if _, posts := in.received(a.ID); posts > 0 && !acked[in.URL] {
			inFlight++
		}
	}
	t.Logf("killed with %d of %d acknowledged, %d received but not acknowledged", len(acked), n, inFlight)

	// Deliveries taken by the dead process must go out within a minute of
	// its death: the promise docs/operations.md#crash-recovery makes.
	killed := time.Now()
	second := startChild(t, conf)
	deadline = killed.Add(time.Minute)
	for len(delivered()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the kill, %d of %d delivered", len(delivered()), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("all %d delivered %s after the kill", n, time.Since(killed).Round(time.Second))
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-second.done
	if code := second.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("second process exited with %d", code)
	}

	resent := 0
	for _, in := range inboxes {
		got, _ := in.received(a.ID)
		switch {
		case got == 0:
			t.Errorf("%s never received the activity", in.URL)
		case acked[in.URL] && got != 1:
			t.Errorf("%s acknowledged before the crash but received the activity %d times", in.URL, got)
		case got > 1:
			resent++
		}
	}
	t.Logf("%d inboxes that had not acknowledged received the activity again", resent)
}
