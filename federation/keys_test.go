package federation

import (
	"net/url"
	"sync"
	"testing"

	"samizdat/content/store/storetest"
)

// TestLoadKeys_FirstStart makes the keys of a fresh database from two processes
// at once: both end up with the same stored RSA-2048 pair
// (docs/federation.md#rsa-keys).
func TestLoadKeys_FirstStart(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	base, _ := url.Parse("https://samizdat.example")
	cfg := Config{BaseURL: base, Languages: []string{"en"}}
	var (
		wg   sync.WaitGroup
		keys [2]*Keys
		errs [2]error
	)
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = LoadKeys(t.Context(), cfg, st) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("LoadKeys %d: %v", i, err)
		}
	}
	for _, name := range []string{"en", instanceActor} {
		a, b := keys[0].get(name), keys[1].get(name)
		if a == nil || b == nil || a.publicPEM != b.publicPEM || !a.private.Equal(b.private) {
			t.Fatalf("%s: the two starts hold different keys", name)
		}
		pub, err := ParsePublicKey(a.publicPEM)
		if err != nil || pub.N.BitLen() != 2048 || !pub.Equal(&a.private.PublicKey) {
			t.Errorf("%s: public key %v, %d bits; want the private key's, 2048 bits", name, err, pub.N.BitLen())
		}
		id, key, err := keys[0].KeySource(t.Context(), name)
		if err != nil || key == nil || id != "https://samizdat.example"+map[string]string{"en": "/actors/en", instanceActor: "/actor"}[name]+"#main-key" {
			t.Errorf("KeySource(%s) = %q, %v", name, id, err)
		}
	}
	if _, _, err := keys[0].KeySource(t.Context(), "de"); err == nil {
		t.Error("KeySource of an unknown actor succeeded")
	}
}
