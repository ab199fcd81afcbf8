package signature_test

import (
	"net/http"
	"strings"
	"testing"

	"samizdat/federation/signature"
)

// activityBody is about the size of a Create{Article} with a full story.
var activityBody = `{"type":"Create","actor":"https://remote.example/users/carol","object":{"content":"` + strings.Repeat("<p>We crossed the bridge at dawn.</p>", 400) + `"}}`

// BenchmarkSignRequest is the signing of one delivery: an RSA-2048
// signature over (request-target) host date digest, and the body's digest.
// A fan-out signs once per inbox, so this bounds deliveries per core
// (docs/benchmarks.md).
func BenchmarkSignRequest(b *testing.B) {
	key := testKeys()[0]
	for b.Loop() {
		r, _ := http.NewRequest(http.MethodPost, "https://remote.example/inbox", strings.NewReader(activityBody))
		if err := signature.SignRequest(r, testKeyID, key, []byte(activityBody), now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the inbox's check of one signed POST, key lookup
// excluded: parsing, the Date window, the Digest and the RSA verification.
func BenchmarkVerify(b *testing.B) {
	key := testKeys()[0]
	r := newPost("/inbox", activityBody)
	if err := signature.SignRequest(r, testKeyID, key, []byte(activityBody), now); err != nil {
		b.Fatal(err)
	}
	lookup := lookupOf(&key.PublicKey, nil)
	for b.Loop() {
		if _, _, err := signature.Verify(r, []byte(activityBody), now, lookup); err != nil {
			b.Fatal(err)
		}
	}
}
