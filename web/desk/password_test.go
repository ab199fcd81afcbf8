package desk

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// TestPassword: new hashes use the current parameters; the right password
// matches and a wrong one does not; a hash made with the earlier 64 MiB
// parameters still verifies.
func TestPassword(t *testing.T) {
	t.Parallel()
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: not the current parameters", hash)
	}
	for _, c := range []struct {
		password string
		want     bool
	}{{"correct horse", true}, {"correct horse ", false}, {"", false}} {
		if ok, err := CheckPassword(hash, c.password); err != nil || ok != c.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", c.password, ok, err, c.want)
		}
	}

	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte("old secret"), salt, 3, 64*1024, 2, 32)
	b64 := base64.RawStdEncoding
	old := fmt.Sprintf("$argon2id$v=19$m=65536,t=3,p=2$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))
	if ok, err := CheckPassword(old, "old secret"); err != nil || !ok {
		t.Errorf("a 64 MiB hash: CheckPassword = %v, %v; want true", ok, err)
	}
	if ok, _ := CheckPassword(old, "new secret"); ok {
		t.Error("a 64 MiB hash matched the wrong password")
	}
	if _, err := CheckPassword("$2y$10$notargon", "x"); err == nil {
		t.Error("a bcrypt hash was taken for argon2id")
	}
}
