package signature

import (
	"slices"
	"testing"
)

// TestParseParams: quoted values are read with their escapes and may hold
// commas (docs/federation.md#httpsig-gaps); bare tokens, case-insensitive names
// and the defaults; and the header faults that make a request malformed.
func TestParseParams(t *testing.T) {
	t.Parallel()
	p, err := parseParams(`keyId="https://a.example/users/x,y#main-key", Algorithm=hs2019,` +
		`headers="(request-target) Host date",created=1764095115, signature="AAEC"`)
	if err != nil {
		t.Fatal(err)
	}
	if p.keyID != "https://a.example/users/x,y#main-key" || p.algorithm != "hs2019" || p.created != 1764095115 ||
		!slices.Equal(p.headers, []string{"(request-target)", "host", "date"}) || !slices.Equal(p.signature, []byte{0, 1, 2}) {
		t.Errorf("parsed %+v", p)
	}

	p, err = parseParams(`keyId="https://a.example/\"quoted\"\\key",signature="AAEC"`)
	if err != nil {
		t.Fatal(err)
	}
	if p.keyID != `https://a.example/"quoted"\key` || p.algorithm != "rsa-sha256" || !slices.Equal(p.headers, []string{"date"}) {
		t.Errorf("with escapes and defaults: %+v", p)
	}

	for _, h := range []string{
		`keyId="k",signature="AAEC",keyid="k2"`,        // given twice, in another case
		`keyId="k",signature="AAEC`,                    // unterminated
		`keyId="k\",signature="AAEC`,                   // unterminated: the quote is escaped
		`keyId="k"x,signature="AAEC"`,                  // junk after a value
		`keyId="k",signature`,                          // no value
		`signature="AAEC"`,                             // no keyId
		`keyId="k",headers="date"`,                     // no signature
		`keyId="k",signature="AAEC",created=yesterday`, // not a number
	} {
		if p, err := parseParams(h); err == nil {
			t.Errorf("parseParams(%s) = %+v, want an error", h, p)
		}
	}
}
