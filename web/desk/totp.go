package desk

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The second factor: time-based one-time codes (RFC 6238) of six digits
// every 30 seconds with HMAC-SHA1, which every authenticator app reads from
// a QR code, by github.com/pquerna/otp.
const (
	totpPeriod     = 30
	recoveryCount  = 10
	recoveryLength = 10 // base32 characters: 50 random bits each
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// newTOTPKey makes a new secret for account, named after the publication
// in the app.
func newTOTPKey(issuer, account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// totpQR draws key's otpauth:// address as a PNG QR code. It is served by
// the desk itself, so that the secret never reaches another host.
func totpQR(key *otp.Key) ([]byte, error) {
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = png.Encode(&buf, img)
	return buf.Bytes(), err
}

// checkTOTP reports whether code is the code of secret at now, or at the
// step before or after it (clocks drift, people type slowly), and which
// step it was, so that the caller can refuse a code used already.
func checkTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryCodes returns recoveryCount codes to show once, as
// "abcde-fghij", and the SHA-256 of each to keep.
func newRecoveryCodes() ([]string, [][]byte) {
	codes := make([]string, recoveryCount)
	hashes := make([][]byte, recoveryCount)
	for i := range codes {
		b := make([]byte, 8)
		rand.Read(b)
		c := strings.ToLower(recoveryEncoding.EncodeToString(b))[:recoveryLength]
		codes[i] = c[:5] + "-" + c[5:]
		hashes[i] = recoveryHash(c)
	}
	return codes, hashes
}

// recoveryHash is what is kept of a recovery code, whatever its case and
// dashes or spaces as typed.
func recoveryHash(code string) []byte {
	code = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// looksLikeRecoveryCode tells a recovery code from a six-digit code.
func looksLikeRecoveryCode(code string) bool {
	code = strings.NewReplacer("-", "", " ", "").Replace(code)
	return len(code) == recoveryLength
}
