package store

import (
	"context"
	"strconv"
	"time"

	"samizdat/content"
)

// The flood limits' settings (content.FloodLimits).
const (
	settingFloodActor    = "flood_actor_per_hour"
	settingFloodInstance = "flood_instance_per_hour"
	settingFloodSurge    = "flood_surge_since" // RFC 3339; "" while off
)

// floodLimitsOf reads the flood settings as the intake's statement gives
// them: the defaults where unset or unreadable.
func floodLimitsOf(actor, instance *string, since *time.Time) content.FloodLimits {
	l := content.DefaultFloodLimits()
	if n, err := strconv.Atoi(deref(actor)); err == nil && n > 0 {
		l.ActorPerHour = n
	}
	if n, err := strconv.Atoi(deref(instance)); err == nil && n > 0 {
		l.InstancePerHour = n
	}
	if since != nil {
		l.SurgeSince = *since
	}
	return l
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// FloodLimits returns the flood limits in force.
func (s *Store) FloodLimits(ctx context.Context) (content.FloodLimits, error) {
	var actor, instance, since *string
	err := s.pool.QueryRow(ctx, `
		SELECT (SELECT value FROM settings WHERE key = $1), (SELECT value FROM settings WHERE key = $2),
			(SELECT value FROM settings WHERE key = $3)`,
		settingFloodActor, settingFloodInstance, settingFloodSurge).Scan(&actor, &instance, &since)
	if err != nil {
		return content.FloodLimits{}, mapErr("flood limits", err)
	}
	var t *time.Time
	if v, err := time.Parse(time.RFC3339Nano, deref(since)); err == nil {
		t = &v
	}
	return floodLimitsOf(actor, instance, t), nil
}

// SetFloodLimits saves the two rates and logs each change as the staff
// member in ctx's.
func (s *Store) SetFloodLimits(ctx context.Context, l content.FloodLimits) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if err := s.SetSetting(ctx, settingFloodActor, strconv.Itoa(l.ActorPerHour)); err != nil {
		return err
	}
	return s.SetSetting(ctx, settingFloodInstance, strconv.Itoa(l.InstancePerHour))
}

// SetSurge turns the surge switch on (from now) or off. Turning it on while
// it is on keeps the moment it was first turned on.
func (s *Store) SetSurge(ctx context.Context, on bool) error {
	v := ""
	if on {
		cur, err := s.FloodLimits(ctx)
		if err != nil {
			return err
		}
		if cur.Surge() {
			return nil
		}
		v = s.now().UTC().Format(time.RFC3339Nano)
	}
	return s.SetSetting(ctx, settingFloodSurge, v)
}
