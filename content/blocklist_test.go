package content

import (
	"bytes"
	"strings"
	"testing"
)

func TestBlocklist_RoundTrip(t *testing.T) {
	in := "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n" +
		"Spam.Example,suspend,true,true,\"spam, and raids\",false\n" +
		"quiet.example,silence,false,false,,false\n" +
		"h*dden.example,suspend,false,false,,true\n"
	got, err := ParseBlocklist(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != (BlocklistEntry{"spam.example", "suspend", true, true, "spam, and raids", false}) ||
		got[1].Severity != "silence" || !got[2].Obfuscate {
		t.Fatalf("parsed %+v", got)
	}
	var buf bytes.Buffer
	if err := WriteBlocklist(&buf, got); err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(in, "Spam.Example", "spam.example", 1); buf.String() != want {
		t.Errorf("written:\n%s\nwant:\n%s", buf.String(), want)
	}

	// Columns in another order, and a file without a header.
	got, err = ParseBlocklist(strings.NewReader("#severity,#domain\nsuspend,a.example\n"))
	if err != nil || len(got) != 1 || got[0].Domain != "a.example" {
		t.Errorf("reordered: %+v, %v", got, err)
	}
	got, err = ParseBlocklist(strings.NewReader("#domain\nb.example\n"))
	if err != nil || len(got) != 1 || got[0].Severity != "suspend" {
		t.Errorf("domain only: %+v, %v", got, err)
	}
	if _, err := ParseBlocklist(strings.NewReader("b.example,suspend\n")); err != ErrBlocklist {
		t.Errorf("no header: %v", err)
	}
	if _, err := ParseBlocklist(strings.NewReader("#name,#kind\nx,y\n")); err != ErrBlocklist {
		t.Errorf("a CSV without #domain: %v", err)
	}
	if _, err := ParseBlocklist(strings.NewReader("a,\"b\n")); err != ErrBlocklist {
		t.Errorf("broken CSV: %v", err)
	}
}
