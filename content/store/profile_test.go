package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

func TestStore_SaveActorProfile(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()

	t.Run("NothingSet", func(t *testing.T) {
		p, err := s.ActorProfile(ctx, "ru")
		if err != nil || p.Lang != "ru" || p.DisplayName != "" || p.Fields != nil {
			t.Errorf("ActorProfile = %+v, %v; want an empty profile", p, err)
		}
	})
	t.Run("RolledBackWithItsWork", func(t *testing.T) {
		fail := errors.New("delivery refused")
		p := &content.ActorProfile{Lang: "en", DisplayName: "Never"}
		err := s.SaveActorProfile(ctx, 0, p, func(context.Context, pgx.Tx, *content.ActorProfile) error { return fail })
		if !errors.Is(err, fail) {
			t.Fatalf("err = %v", err)
		}
		if got, _ := s.ActorProfile(ctx, "en"); got.DisplayName != "" {
			t.Errorf("a failed save kept %+v", got)
		}
		if log, _ := s.AuditLog(ctx, store.AuditFilter{Actions: []string{store.ActionProfile}}); len(log) != 0 {
			t.Errorf("a failed save is in the log: %v", log)
		}
	})
	t.Run("OK", func(t *testing.T) {
		p := &content.ActorProfile{Lang: "en", DisplayName: "Samizdat", Bio: "b", BioHTML: "<p>b</p>", Avatar: "a.jpg",
			Fields: []content.ProfileField{{Label: "Site", Value: "https://example.org/"}}}
		var inTx bool
		if err := s.SaveActorProfile(ctx, 0, p, func(context.Context, pgx.Tx, *content.ActorProfile) error { inTx = true; return nil }); err != nil || !inTx {
			t.Fatalf("save: %v (ran: %v)", err, inTx)
		}
		got, err := s.ActorProfile(ctx, "en")
		if err != nil || got.DisplayName != "Samizdat" || got.BioHTML != "<p>b</p>" || got.Avatar != "a.jpg" || len(got.Fields) != 1 || got.Fields[0].Value != "https://example.org/" {
			t.Errorf("ActorProfile = %+v, %v", got, err)
		}
		p.Fields = nil
		if err := s.SaveActorProfile(ctx, 0, p, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ActorProfile(ctx, "en"); len(got.Fields) != 0 {
			t.Errorf("fields after emptying: %v", got.Fields)
		}
		if log, _ := s.AuditLog(ctx, store.AuditFilter{Actions: []string{store.ActionProfile}}); len(log) != 2 || log[0].Target != "actor en" {
			t.Errorf("audit log = %v", log)
		}
	})
}
