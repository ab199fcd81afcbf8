package main

import (
	"fmt"
	"slices"
	"time"
)

// latencies are the response times of a run's requests.
type latencies []time.Duration

// percentile returns the p-th percentile (0 < p ≤ 100) by the nearest-rank
// method, or 0 for no requests.
func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// ms formats a duration in milliseconds, with one decimal under 100 ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// mb formats bytes as MiB.
func mb(b int64) string { return fmt.Sprintf("%.0f", float64(b)/(1<<20)) }

// kb formats bytes as KiB.
func kb(b int) string { return fmt.Sprintf("%.1f", float64(b)/1024) }

// rate formats a rate per second.
func rate(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// thousands writes n with thin separators: 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
