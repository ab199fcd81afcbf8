package delivery

import (
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// outcome is what an attempt's answer means for the delivery.
type outcome int

const (
	retry     outcome = iota // try again later
	delivered                // acknowledged
	final                    // refused for good: never try again
)

// classify reads an attempt's answer as Mastodon does
// (JsonLdHelper#response_error_unsalvageable?,
// docs/federation.md#mastodon-retry-schedule): 2xx is delivered; a 4xx other
// than 401, 408 and 429, and 501, are final; everything else, other 5xx, those
// three 4xx, redirects and no answer at all, is retried.
func classify(status int, err error) outcome {
	switch {
	case err != nil || status == 0:
		return retry
	case status >= 200 && status < 300:
		return delivered
	case status == http.StatusUnauthorized, status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return retry
	case status >= 400 && status < 500, status == http.StatusNotImplemented:
		return final
	}
	return retry
}

// MastodonRetry is Mastodon's delivery schedule as a River retry policy
// (ActivityPub::DeliveryWorker's sidekiq_retry_in): after the n-th retry
// count n (0 for the first failure) it waits n⁴ + 15 s, plus up to half of
// n⁴ of its own jitter and Sidekiq's rand(10)·(n+1). With Config.MaxAttempts
// at 17 that spans about two to three days.
type MastodonRetry struct{}

// NextRetry implements river.ClientRetryPolicy.
func (MastodonRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(mastodonDelay(len(job.Errors), rand.Float64(), rand.IntN(10)))
}

// mastodonDelay is the wait after retry count n with the random draws
// u in [0, 1) and k in [0, 10).
func mastodonDelay(n int, u float64, k int) time.Duration {
	p := math.Pow(float64(n), 4)
	seconds := p + 15 + u*0.5*p + float64(k*(n+1))
	return time.Duration(seconds * float64(time.Second))
}

// rescuedAtOnce runs again at once a job River's rescuer took back from a
// process that died mid-attempt, and leaves every other retry to policy: the
// inbox did not fail, so the job owes no backoff. A rescued job is told by
// its attempt's age, which only a rescue lets exceed after: a live attempt
// ends at the job's timeout, which is shorter.
type rescuedAtOnce struct {
	policy river.ClientRetryPolicy
	after  time.Duration
}

// NextRetry implements river.ClientRetryPolicy.
func (p rescuedAtOnce) NextRetry(job *rivertype.JobRow) time.Time {
	if job.AttemptedAt != nil && time.Since(*job.AttemptedAt) >= p.after {
		return time.Now()
	}
	return p.policy.NextRetry(job)
}
