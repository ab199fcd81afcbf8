package content

import "strings"

// DiffLine is one line of a comparison of two texts: Op is ' ' for a line
// both have, '-' for one only the old text has, '+' for one only the new.
type DiffLine struct {
	Op   byte
	Text string
}

// maxDiffCells bounds the work of LineDiff: beyond it the changed middle
// of the texts is shown as removed, then added, rather than matched line
// by line.
const maxDiffCells = 4_000_000

// LineDiff compares two texts line by line: the lines they share at the
// start and the end, and between them a longest common subsequence.
func LineDiff(old, new string) []DiffLine {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	var out []DiffLine
	start := 0
	for start < len(a) && start < len(b) && a[start] == b[start] {
		out = append(out, DiffLine{' ', a[start]})
		start++
	}
	endA, endB := len(a), len(b)
	for endA > start && endB > start && a[endA-1] == b[endB-1] {
		endA--
		endB--
	}
	ma, mb := a[start:endA], b[start:endB]
	if len(ma)*len(mb) > maxDiffCells {
		for _, l := range ma {
			out = append(out, DiffLine{'-', l})
		}
		for _, l := range mb {
			out = append(out, DiffLine{'+', l})
		}
	} else {
		// lcs[i][j] is the longest common subsequence of ma[i:] and mb[j:].
		lcs := make([][]int, len(ma)+1)
		for i := range lcs {
			lcs[i] = make([]int, len(mb)+1)
		}
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				out = append(out, DiffLine{' ', ma[i]})
				i++
				j++
			case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
				out = append(out, DiffLine{'-', ma[i]})
				i++
			default:
				out = append(out, DiffLine{'+', mb[j]})
				j++
			}
		}
	}
	for k := endA; k < len(a); k++ {
		out = append(out, DiffLine{' ', a[k]})
	}
	return out
}
