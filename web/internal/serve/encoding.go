package serve

import (
	"strconv"
	"strings"
)

// AcceptsGzip reports whether Accept-Encoding accepts gzip: named without
// q=0, or not named and covered by a * without q=0 (RFC 9110 section
// 12.5.3). It allocates nothing: every kept page asks it.
func AcceptsGzip(headers []string) bool {
	star := false
	for _, header := range headers {
		for rest := header; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ",")
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				return !Refused(params)
			case coding == "*":
				star = !Refused(params)
			}
		}
	}
	return star
}

// Refused reports whether the parameters of a media range or a content
// coding carry q=0.
func Refused(params string) bool {
	for rest := params; rest != ""; {
		var p string
		p, rest, _ = strings.Cut(rest, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q == 0
		}
	}
	return false
}
