package delivery

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"samizdat/content/store"
)

// TestDeliverer_SignatureScheme covers docs/federation.md#rfc9421-signatures
// on the sending side: a server that verifies RFC 9421 only answers our
// draft-cavage POST 401 (or 400), gets the same POST again at once signed
// with RFC 9421, and is remembered, so that the next delivery goes straight
// to RFC 9421; should it later take only draft-cavage, the same happens the
// other way.
func TestDeliverer_SignatureScheme(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.deliverer(t, true)
	scheme := func(t *testing.T, host string) string {
		t.Helper()
		s, err := f.st.InstanceSignature(t.Context(), host)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	deliver := func(t *testing.T, in *inbox, name string) {
		t.Helper()
		a := activity("https://samizdat.example/ap/articles/" + name + "#create")
		f.enqueue(t, d, a, in.URL)
		got := f.settle(t, a.ID, 10*time.Second)[in.URL]
		if got.State != store.DeliveryDelivered || got.Attempts != 1 {
			t.Errorf("%s: delivery %+v, want delivered on the first attempt", name, got)
		}
		if n, _ := in.received(a.ID); n != 1 {
			t.Errorf("%s: %d verified POSTs, want 1", name, n)
		}
	}
	refused := func(in *inbox) int {
		in.mu.Lock()
		defer in.mu.Unlock()
		return in.refused
	}

	for _, refuse := range []int{http.StatusUnauthorized, http.StatusBadRequest} {
		t.Run(fmt.Sprint(refuse), func(t *testing.T) {
			t.Parallel()
			in := newInbox(t, &testKey().PublicKey)
			in.accepts, in.refuseWith = store.SignatureRFC9421, refuse
			if got := scheme(t, in.Host); got != "" {
				t.Fatalf("scheme before any delivery = %q", got)
			}

			deliver(t, in, fmt.Sprintf("knock-%d-1", refuse))
			if n := refused(in); n != 1 {
				t.Errorf("%d POSTs refused, want the one draft-cavage POST", n)
			}
			if got := scheme(t, in.Host); got != store.SignatureRFC9421 {
				t.Errorf("scheme remembered = %q, want rfc9421", got)
			}

			deliver(t, in, fmt.Sprintf("knock-%d-2", refuse))
			if n := refused(in); n != 1 {
				t.Errorf("%d POSTs refused, want still 1: the second delivery goes straight to RFC 9421", n)
			}

			// The instance goes back to draft-cavage only.
			in.mu.Lock()
			in.accepts = ""
			in.mu.Unlock()
			deliver(t, in, fmt.Sprintf("knock-%d-3", refuse))
			if n := refused(in); n != 2 {
				t.Errorf("%d POSTs refused, want 2", n)
			}
			if got := scheme(t, in.Host); got != store.SignatureCavage {
				t.Errorf("scheme remembered = %q, want cavage", got)
			}
		})
	}

	// A server that refuses both: the delivery is retried, as a 401 is,
	// and nothing is remembered.
	t.Run("RefusedBoth", func(t *testing.T) {
		t.Parallel()
		in := newInbox(t, &testKey().PublicKey, http.StatusUnauthorized)
		a := activity("https://samizdat.example/ap/articles/knock-both#create")
		f.enqueue(t, d, a, in.URL)
		got := f.settle(t, a.ID, 10*time.Second)[in.URL]
		if got.State != store.DeliveryDelivered || got.Attempts != 2 {
			t.Errorf("delivery %+v, want delivered on the second attempt", got)
		}
		if _, posts := in.received(a.ID); posts != 3 {
			t.Errorf("%d POSTs, want 3 (draft-cavage, RFC 9421, then draft-cavage again)", posts)
		}
		if got := scheme(t, in.Host); got != "" {
			t.Errorf("scheme remembered = %q, want none", got)
		}
	})
}
