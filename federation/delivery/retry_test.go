package delivery

import (
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		err    error
		want   outcome
	}{
		{200, nil, delivered},
		{202, nil, delivered},
		{204, nil, delivered},
		{301, nil, retry},
		{308, nil, retry},
		{400, nil, final},
		{401, nil, retry},
		{403, nil, final},
		{404, nil, final},
		{408, nil, retry},
		{410, nil, final},
		{413, nil, final},
		{422, nil, final},
		{429, nil, retry},
		{451, nil, final},
		{500, nil, retry},
		{501, nil, final},
		{502, nil, retry},
		{503, nil, retry},
		{0, errors.New("connection refused"), retry},
	}
	for _, tc := range tests {
		if got := classify(tc.status, tc.err); got != tc.want {
			t.Errorf("classify(%d, %v) = %d, want %d", tc.status, tc.err, got, tc.want)
		}
	}
}

// TestMastodonDelay checks the schedule of
// docs/federation.md#mastodon-retry-schedule against Mastodon's DeliveryWorker:
// n⁴ + 15 s, with jitter of up to n⁴/2 and Sidekiq's rand(10)·(n+1), over 16
// retries.
func TestMastodonDelay(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n        int
		u        float64
		k        int
		want     time.Duration
		wantName string
	}{
		{0, 0, 0, 15 * time.Second, "first retry"},
		{1, 0, 0, 16 * time.Second, "second retry"},
		{2, 0.5, 3, (16 + 15 + 4 + 9) * time.Second, "jittered"},
		{15, 0, 0, (50625 + 15) * time.Second, "last retry"},
	} {
		if got := mastodonDelay(tc.n, tc.u, tc.k); got != tc.want {
			t.Errorf("%s: mastodonDelay(%d, %v, %d) = %s, want %s", tc.wantName, tc.n, tc.u, tc.k, got, tc.want)
		}
	}
	var least, most time.Duration
	for n := range defaultMaxAttempts - 1 {
		least += mastodonDelay(n, 0, 0)
		most += mastodonDelay(n, 0.999999, 9)
	}
	if least < 48*time.Hour || most > 80*time.Hour {
		t.Errorf("16 retries span %s to %s, want about two to three days", least, most)
	}

	job := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, 3)}
	before := time.Now()
	next := MastodonRetry{}.NextRetry(job)
	if d := next.Sub(before); d < mastodonDelay(3, 0, 0) || d > mastodonDelay(3, 1, 9)+time.Second {
		t.Errorf("NextRetry after 3 errors waits %s", d)
	}
}

func TestRescuedAtOnce(t *testing.T) {
	p := rescuedAtOnce{policy: fixedRetry(time.Hour), after: 20 * time.Second}
	started := func(ago time.Duration) *rivertype.JobRow {
		at := time.Now().Add(-ago)
		return &rivertype.JobRow{AttemptedAt: &at}
	}
	if got := time.Until(p.NextRetry(started(21 * time.Second))); got > time.Second {
		t.Errorf("a rescued attempt waits %s, want none", got)
	}
	if got := time.Until(p.NextRetry(started(3 * time.Second))); got < 59*time.Minute {
		t.Errorf("a failed attempt waits %s, want the policy's hour", got)
	}
}
