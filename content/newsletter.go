package content

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Newsletter rules (docs/architecture.md#readers-taking-part).
const (
	// ConfirmValidity is how long a confirmation link works.
	ConfirmValidity = 48 * time.Hour
	// ConfirmResendAfter is the least time between two confirmation mails
	// to one address, so the form cannot be used to flood someone's inbox.
	ConfirmResendAfter = time.Hour
	// MaxAddress is the longest address accepted (RFC 5321's path limit).
	MaxAddress = 254
)

// Subscriber is a newsletter subscriber: nothing but the address, the
// languages wanted and when the address was confirmed.
type Subscriber struct {
	ID          int64
	Address     string
	Langs       []string
	ConfirmedAt time.Time // zero until the reader follows the link
}

// Wants reports whether the subscriber asked for mails in lang.
func (s *Subscriber) Wants(lang string) bool { return slices.Contains(s.Langs, lang) }

// NormalizeAddress checks that input is one bare e-mail address
// (name@domain, no display name, no comments) and returns it lowercased. It
// returns a *ValidationError on the field "address" otherwise.
func NormalizeAddress(input string) (string, error) {
	input = strings.TrimSpace(input)
	var v ValidationError
	a, err := mail.ParseAddress(input)
	switch {
	case input == "":
		v.Add("address", "address_required")
	case err != nil || a.Name != "" || a.Address != input, len(input) > MaxAddress:
		v.Add("address", "address_invalid")
	default:
		at := strings.LastIndexByte(input, '@')
		if domain := input[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, "[") {
			v.Add("address", "address_invalid")
		}
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	return strings.ToLower(input), nil
}

// NewToken returns a random token for a link and the hash to store of it.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the hash kept of a token: a leaked table reveals no working link.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// UnsubscribeMAC authenticates an unsubscribe link for one subscriber with
// the publication's newsletter key, so that no token is stored per address.
// The address is part of it: a link stays dead after its address
// unsubscribed, even if the id is used again.
func UnsubscribeMAC(key []byte, id int64, address string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(id, 10) + "\n" + address))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// CheckUnsubscribeMAC reports whether mac is UnsubscribeMAC's for id and address.
func CheckUnsubscribeMAC(key []byte, id int64, address, mac string) bool {
	return hmac.Equal([]byte(mac), []byte(UnsubscribeMAC(key, id, address)))
}

// NewsletterIssue is one mail to the subscribers of a language: a published
// story's own (TranslationID set) or an editors' digest.
type NewsletterIssue struct {
	ID             int64
	Lang           string
	TranslationID  int64 // the story mailed on publication; 0 for a digest
	Subject        string
	Intro          string // plain text; a digest's introduction
	TranslationIDs []int64
	CreatedBy      int64
	CreatedAt      time.Time
	Sent, Failed   int
	Queued         int // sends neither sent nor failed yet
}
