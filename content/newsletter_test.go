package content

import "testing"

func TestNormalizeAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{" Anna@Example.ORG ", "anna@example.org"},
		{"a.b+news@mail.example.org", "a.b+news@mail.example.org"},
		{"", ""},
		{"anna", ""},
		{"anna@localhost", ""},
		{"Anna <anna@example.org>", ""},
		{"anna@example.org, boris@example.org", ""},
		{"anna@[127.0.0.1]", ""},
	} {
		got, err := NormalizeAddress(tc.in)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestUnsubscribeMAC(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	mac := UnsubscribeMAC(key, 7, "anna@example.org")
	if !CheckUnsubscribeMAC(key, 7, "anna@example.org", mac) {
		t.Error("own MAC refused")
	}
	if CheckUnsubscribeMAC(key, 8, "anna@example.org", mac) || CheckUnsubscribeMAC(key, 7, "boris@example.org", mac) ||
		CheckUnsubscribeMAC([]byte("another key"), 7, "anna@example.org", mac) {
		t.Error("MAC accepted for another id, address or key")
	}
}
