package store_test

import (
	"errors"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store/storetest"
)

func TestStore_Subscribe(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := storetest.New(t).WithClock(func() time.Time { return now })
	ctx := t.Context()
	_, h1 := content.NewToken()
	if send, err := s.Subscribe(ctx, "anna@example.org", []string{"en"}, h1); err != nil || !send {
		t.Fatalf("first request: %v, %v", send, err)
	}
	t.Run("ErrOneMailAnHour", func(t *testing.T) {
		now = now.Add(59 * time.Minute)
		_, h := content.NewToken()
		if send, err := s.Subscribe(ctx, "anna@example.org", []string{"fr"}, h); err != nil || send {
			t.Fatalf("within the hour: %v, %v; want no mail", send, err)
		}
		if _, err := s.PendingSubscriber(ctx, h); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("the refused token works: %v", err)
		}
	})
	now = now.Add(2 * time.Minute)
	_, h2 := content.NewToken()
	if send, err := s.Subscribe(ctx, "anna@example.org", []string{"fr", "en"}, h2); err != nil || !send {
		t.Fatalf("after the hour: %v, %v", send, err)
	}
	if _, err := s.ConfirmSubscriber(ctx, h1); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("the replaced token confirmed: %v", err)
	}
	sub, err := s.ConfirmSubscriber(ctx, h2)
	if err != nil || sub.Address != "anna@example.org" || !sub.Wants("fr") || !sub.ConfirmedAt.Equal(now) {
		t.Fatalf("confirm: %+v, %v", sub, err)
	}
	t.Run("ConfirmedGetsNoMail", func(t *testing.T) {
		now = now.Add(3 * time.Hour)
		_, h := content.NewToken()
		if send, err := s.Subscribe(ctx, "anna@example.org", []string{"ru"}, h); err != nil || send {
			t.Errorf("confirmed address: %v, %v; want no mail", send, err)
		}
	})
	t.Run("ExpiresAfter48Hours", func(t *testing.T) {
		_, h := content.NewToken()
		if _, err := s.Subscribe(ctx, "boris@example.org", []string{"en"}, h); err != nil {
			t.Fatal(err)
		}
		now = now.Add(content.ConfirmValidity + time.Second)
		if _, err := s.ConfirmSubscriber(ctx, h); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("an expired token confirmed: %v", err)
		}
		if n, err := s.DeleteUnconfirmed(ctx); err != nil || n != 1 {
			t.Errorf("DeleteUnconfirmed = %d, %v; want 1", n, err)
		}
	})
	if err := s.DeleteSubscriber(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscriber(ctx, sub.ID); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("deleted subscriber: %v", err)
	}
	k1, err := s.NewsletterKey(ctx)
	k2, _ := s.NewsletterKey(ctx)
	if err != nil || len(k1) != 32 || string(k1) != string(k2) {
		t.Errorf("NewsletterKey: %x %x %v", k1, k2, err)
	}
}
