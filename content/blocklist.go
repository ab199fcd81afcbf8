package content

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Instance blocklists travel between fediverse servers in the CSV that
// Mastodon's admin interface exports and imports
// (docs/federation.md#domain-blocklist-csv). Samizdat blocks or does not:
// only suspensions become blocks.

// BlocklistHeader is the header row of the format.
var BlocklistHeader = []string{"#domain", "#severity", "#reject_media", "#reject_reports", "#public_comment", "#obfuscate"}

// BlocklistEntry is one row of a blocklist.
type BlocklistEntry struct {
	Domain        string
	Severity      string // suspend, silence or noop
	RejectMedia   bool
	RejectReports bool
	Comment       string
	Obfuscate     bool
}

// maxBlocklistRows bounds an import, which runs in one request.
const maxBlocklistRows = 10_000

// ErrBlocklist is a file that is not a blocklist.
var ErrBlocklist = errors.New("content: not a blocklist in Mastodon's CSV format")

// ParseBlocklist reads a blocklist in Mastodon's CSV format. The columns
// are found by the header's names, so their order does not matter; a file
// without the header is not taken.
func ParseBlocklist(r io.Reader) ([]BlocklistEntry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var col map[string]int
	var out []BlocklistEntry
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, ErrBlocklist
		}
		if first {
			first = false
			col = map[string]int{}
			for i, h := range rec {
				col[strings.ToLower(strings.TrimSpace(h))] = i
			}
			if _, ok := col["#domain"]; !ok {
				return nil, ErrBlocklist
			}
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		flag := func(name string) bool { b, _ := strconv.ParseBool(get(name)); return b }
		e := BlocklistEntry{
			Domain: strings.ToLower(get("#domain")), Severity: strings.ToLower(get("#severity")),
			RejectMedia: flag("#reject_media"), RejectReports: flag("#reject_reports"),
			Comment: get("#public_comment"), Obfuscate: flag("#obfuscate"),
		}
		if e.Domain == "" {
			continue
		}
		if e.Severity == "" {
			e.Severity = "suspend" // as Mastodon reads a row without one
		}
		if len(out) == maxBlocklistRows {
			return nil, ErrBlocklist
		}
		out = append(out, e)
	}
	return out, nil
}

// WriteBlocklist writes entries in Mastodon's CSV format, header first.
func WriteBlocklist(w io.Writer, entries []BlocklistEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(BlocklistHeader); err != nil {
		return err
	}
	for _, e := range entries {
		rec := []string{e.Domain, e.Severity, strconv.FormatBool(e.RejectMedia), strconv.FormatBool(e.RejectReports), e.Comment, strconv.FormatBool(e.Obfuscate)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
