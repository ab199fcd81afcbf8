package desk

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"samizdat/content"
	"samizdat/content/store/storetest"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestThrottle_GrowingDelays(t *testing.T) {
	c := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	th := newThrottle(3, 10*time.Second, time.Minute, c.now)
	var intervals []time.Duration
	for range 7 {
		if d := th.wait("k"); d > 0 {
			c.add(d)
			if d := th.wait("k"); d != 0 {
				t.Fatalf("after waiting, still %v to wait", d)
			}
		}
		th.fail("k")
		_, iv := th.state("k")
		intervals = append(intervals, iv)
	}
	want := []time.Duration{10 * time.Second, 10 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}
	for i := range want {
		if intervals[i] != want[i] {
			t.Fatalf("intervals = %v, want %v", intervals, want)
		}
	}
	if d := th.wait("k"); d <= 0 || d > time.Minute {
		t.Errorf("after 7 failures, wait %v; want up to a minute", d)
	}
	if d := th.wait("other"); d != 0 {
		t.Errorf("another key waits %v", d)
	}
	th.reset("k")
	if n, _ := th.state("k"); n != 0 || th.wait("k") != 0 {
		t.Error("reset kept the failures")
	}
	// A day of quiet forgets a key.
	for range 5 {
		th.fail("q")
	}
	c.add(throttleForget)
	if d := th.wait("q"); d != 0 {
		t.Errorf("after a day of quiet, wait %v", d)
	}
}

// An attacker at one address with 50 wrong passwords slows down only
// themselves: the delays between their attempts grow, and the editor signs
// in from another address at once.
func TestDesk_LoginThrottle_AttackerElsewhere(t *testing.T) {
	t.Parallel()
	c := &testClock{t: time.Now()}
	cfg := testConfig(t, "Throttle Test")
	cfg.Now = c.now
	d := startDeskSite(t, storetest.New(t), cfg)
	d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)

	attacker := d.browser(t)
	attacker.from = "203.0.113.9"
	attacker.get("/desk/login")
	account := "ed@example.org\x00203.0.113.9"
	var intervals []time.Duration
	refused := 0
	for i := range 50 {
		resp := attacker.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"guess " + strconv.Itoa(i)}})
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			_, iv := d.srv.limits.account.state(account)
			intervals = append(intervals, iv)
		case http.StatusTooManyRequests:
			refused++
			secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || secs <= 0 {
				t.Fatalf("429 with Retry-After %q", resp.Header.Get("Retry-After"))
			}
			c.add(time.Duration(secs) * time.Second)
		default:
			t.Fatalf("attempt %d: status %d", i, resp.StatusCode)
		}
	}
	failures, last := d.srv.limits.account.state(account)
	t.Logf("attacker: %d failures let through, %d refused; intervals %v", failures, refused, intervals)
	if refused == 0 || failures >= 50 {
		t.Errorf("the attacker was never slowed down: %d failures, %d refused", failures, refused)
	}
	for i := 1; i < len(intervals); i++ {
		if intervals[i] < intervals[i-1] {
			t.Errorf("the delay shrank: %v", intervals)
		}
	}
	if last < 8*time.Minute {
		t.Errorf("after %d failures the delay is %v; want it grown to 8 minutes or more", failures, last)
	}

	editor := d.browser(t)
	editor.from = "198.51.100.7"
	editor.login("ed@example.org", "correct horse battery")
	wantStatus(t, editor.get("/desk/stories/"), http.StatusOK)

	// The attacker's own address is still slowed down, right password or
	// not, unless they wait out the delay.
	attacker.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"one more guess"}})
	resp := attacker.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"correct horse battery"}})
	wantStatus(t, resp, http.StatusTooManyRequests)
}

// Even from the address that is being throttled for the account, the
// right password with a valid code gets in; a wrong code does not.
func TestDesk_LoginThrottle_SecondFactorPasses(t *testing.T) {
	t.Parallel()
	d := newDeskSite(t)
	ed := d.addStaff("ed@example.org", "correct horse battery", content.RoleEditor)
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	if err := d.store.EnableTOTP(t.Context(), ed.ID, secret, 0, nil); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.from = "192.0.2.44"
	b.get("/desk/login")
	for i := range loginPerAccount {
		wantStatus(t, b.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"guess " + strconv.Itoa(i)}}), http.StatusUnauthorized)
	}
	wantStatus(t, b.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"correct horse battery"}, "code": {"000000"}}), http.StatusTooManyRequests)
	code, err := totp.GenerateCodeCustom(secret, time.Now(), totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	resp := b.post("/desk/login", url.Values{"email": {"ed@example.org"}, "password": {"correct horse battery"}, "code": {code}})
	wantRedirect(t, resp, "/desk/")
}
