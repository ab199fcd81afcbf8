package serve

import (
	"strconv"
	"strings"
)

// AcceptsGzip reports whether Accept-Encoding accepts gzip: named without
// q=0, or not named and covered by a * without q=0 (RFC 9110 section
// 12.5.3).
func AcceptsGzip(headers []string) bool {
	star := false
	for _, header := range headers {
		for _, part := range strings.Split(header, ",") {
			coding, params, _ := strings.Cut(part, ";")
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				return !Refused(params)
			case "*":
				star = !Refused(params)
			}
		}
	}
	return star
}

// Refused reports whether the parameters of a media range or a content
// coding carry q=0.
func Refused(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q == 0
		}
	}
	return false
}
