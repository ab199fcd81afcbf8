package web

import (
	"time"

	"samizdat/web/clientaddr"
)

// limits are the in-memory rate limits of the public forms, each keyed by
// client as clientaddr finds it behind trusted proxies.
type limits struct {
	tell     *clientaddr.Limiter
	interact *clientaddr.Limiter
}

func newLimits(now func() time.Time) limits {
	return limits{
		tell:     clientaddr.NewLimiter(tellLimit, tellPer, now),
		interact: clientaddr.NewLimiter(interactPerHour, time.Hour, now),
	}
}
