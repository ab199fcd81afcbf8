package content

import "time"

// Flood limits hold for review the replies that arrive faster than a
// conversation does: too many from one account or one instance within an
// hour, or, while the surge switch is on, any from an account the
// publication had not heard from before it was turned on (brigading).
// Held replies wait in the queue as any other; nothing is refused.
type FloodLimits struct {
	ActorPerHour    int       // replies one account may post in an hour and have go live
	InstancePerHour int       // the same for all accounts of one instance
	SurgeSince      time.Time // when the surge switch was turned on; zero while off
}

// Default flood limits: more than a person in a heated conversation writes
// in an hour, far less than a script posts.
const (
	DefaultActorPerHour    = 20
	DefaultInstancePerHour = 200
	MaxFloodLimit          = 10_000
)

// DefaultFloodLimits are the limits until staff change them.
func DefaultFloodLimits() FloodLimits {
	return FloodLimits{ActorPerHour: DefaultActorPerHour, InstancePerHour: DefaultInstancePerHour}
}

// Surge reports whether the surge switch is on.
func (l FloodLimits) Surge() bool { return !l.SurgeSince.IsZero() }

// Validate checks limits an editor set.
func (l FloodLimits) Validate() error {
	var v ValidationError
	if l.ActorPerHour < 1 || l.ActorPerHour > MaxFloodLimit {
		v.Add("actor_per_hour", "Give a number from 1 to 10,000.")
	}
	if l.InstancePerHour < 1 || l.InstancePerHour > MaxFloodLimit {
		v.Add("instance_per_hour", "Give a number from 1 to 10,000.")
	}
	return v.Err()
}

// Flood is what the flood limits need to know of a new reply: the limits,
// whether its account and its instance have gone over their rates, and
// whether the account wrote before the surge switch was turned on.
type Flood struct {
	FloodLimits
	ActorOver    bool // the account sent more than ActorPerHour in the past hour
	InstanceOver bool // its instance sent more than InstancePerHour
	SeenBefore   bool // the account wrote to us before the surge switch was turned on
}

// Hold returns why a new reply is held by the flood limits ("flood" or
// "surge"), or "" when they let it through.
func (f Flood) Hold() string {
	switch {
	case f.ActorOver || f.InstanceOver:
		return "flood"
	case f.Surge() && !f.SeenBefore:
		return "surge"
	}
	return ""
}
