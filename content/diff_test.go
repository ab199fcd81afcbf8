package content

import (
	"strings"
	"testing"
)

func TestLineDiff(t *testing.T) {
	t.Parallel()
	show := func(d []DiffLine) string {
		var b strings.Builder
		for _, l := range d {
			b.WriteByte(l.Op)
			b.WriteString(l.Text)
			b.WriteByte('|')
		}
		return b.String()
	}
	tests := []struct{ old, new, want string }{
		{"a\nb\nc", "a\nb\nc", " a| b| c|"},
		{"a\nb\nc", "a\nx\nc", " a|-b|+x| c|"},
		{"a\nc", "a\nb\nc", " a|+b| c|"},
		{"a\nb\nc", "c", "-a|-b| c|"},
		{"", "new", "-|+new|"},
		{"one\ntwo\nthree\nfour", "zero\none\nthree\nfour\nfive", "+zero| one|-two| three| four|+five|"},
	}
	for _, tc := range tests {
		if got := show(LineDiff(tc.old, tc.new)); got != tc.want {
			t.Errorf("LineDiff(%q, %q) = %s, want %s", tc.old, tc.new, got, tc.want)
		}
	}
	// Texts too different to match line by line still give every line.
	big := strings.Repeat("x\n", 3000)
	if d := LineDiff(big+"a", "b\n"+big+"c"); len(d) < 3000 {
		t.Errorf("%d lines", len(d))
	}
}
