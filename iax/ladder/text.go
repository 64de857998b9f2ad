package ladder

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// DefaultWidth is the console width Text draws for.
const DefaultWidth = 80

// margin is where the first lifeline stands: a time column of seven
// characters ("123.456") and two blanks.
const margin = 9

// Letter names party i in the drawing: A, B, ..., Z, then A1, B1, ...
func Letter(i int) string {
	s := string(rune('A' + i%26))
	if i >= 26 {
		s += fmt.Sprint(i / 26)
	}
	return s
}

// lifelines returns the column of each party's lifeline for a drawing
// width characters wide (the last character is left blank, so that a
// full line does not wrap on a console that wraps at the margin).
func lifelines(n, width int) []int {
	xs := make([]int, n)
	last := width - 2
	for i := range xs {
		if n == 1 {
			xs[i] = margin
			continue
		}
		xs[i] = margin + i*(last-margin)/(n-1)
	}
	return xs
}

// label is a row's text as drawn: its label, and the marks.
func (r Row) label() string {
	if r.Again {
		return r.Label + " (again)"
	}
	return r.Label
}

// Text draws the ladder for a console width characters wide (0:
// DefaultWidth): a legend of the parties, a header with their letters,
// one line per row with the time since the first datagram in seconds,
// and a closing summary. Labels that do not fit between two lifelines
// end in "…".
func (l *Ladder) Text(w io.Writer, width int) error {
	if width <= 0 {
		width = DefaultWidth
	}
	bw := bufio.NewWriter(w)
	n := len(l.Parties)
	if min := margin + 4*max(n-1, 1) + 2; width < min {
		width = min
	}
	for i, p := range l.Parties {
		fmt.Fprintf(bw, "%-2s %s\n", Letter(i), p.Name())
	}
	xs := lifelines(n, width)
	head := []rune(strings.Repeat(" ", width-1))
	copy(head, []rune("   time"))
	for i, x := range xs {
		for j, r := range Letter(i) {
			if x+j < len(head) {
				head[x+j] = r
			}
		}
	}
	fmt.Fprintln(bw, strings.TrimRight(string(head), " "))
	for _, r := range l.Rows {
		fmt.Fprintln(bw, l.line(r, xs, width))
	}
	fmt.Fprintln(bw, l.Summary())
	return bw.Flush()
}

// line draws one row.
func (l *Ladder) line(r Row, xs []int, width int) string {
	line := []rune(strings.Repeat(" ", width-1))
	copy(line, []rune(fmt.Sprintf("%7.3f", r.At.Seconds())))
	for _, x := range xs {
		line[x] = '|'
	}
	text := r.label()
	if r.From == r.To || r.Kind == RowNote {
		x := xs[r.From]
		put(line, x+2, len(line)-(x+2), "* "+text)
		return strings.TrimRight(string(line), " ")
	}
	lo, hi := xs[r.From], xs[r.To]
	if lo > hi {
		lo, hi = hi, lo
	}
	for x := lo + 1; x < hi; x++ {
		line[x] = '-'
	}
	head := '>'
	if r.Kind == RowLost {
		head = 'x'
	}
	if r.From < r.To {
		line[hi-1] = head
	} else {
		if head == '>' {
			head = '<'
		}
		line[lo+1] = head
	}
	put(line, lo+3, hi-lo-5, text)
	return strings.TrimRight(string(line), " ")
}

// put writes s into line at x, in at most room characters ("…" when cut).
func put(line []rune, x, room int, s string) {
	if room <= 0 {
		return
	}
	if utf8.RuneCountInString(s) > room {
		rs := []rune(s)
		s = string(rs[:room-1]) + "…"
	}
	for i, r := range []rune(s) {
		if x+i < len(line) {
			line[x+i] = r
		}
	}
}

// Summary is the ladder's closing line, or two for an encrypted call:
// what it shows in numbers.
func (l *Ladder) Summary() string {
	again, lost, voice := 0, 0, 0
	for _, r := range l.Rows {
		if r.Again {
			again += r.Count
		}
		lost += r.Lost
		if r.Kind == RowVoice {
			voice += r.Count
		}
	}
	s := fmt.Sprintf("%d datagrams in %.3f s, %d rows: %d voice frames, %d sent again, %d lost",
		len(l.Frames), l.Span.Seconds(), len(l.Rows), voice, again, lost)
	switch {
	case l.Encrypted == 0:
	case l.Undecrypted > 0:
		s += fmt.Sprintf("\n%d encrypted, %d of them not decrypted: give the account's secret", l.Encrypted, l.Undecrypted)
	default:
		s += fmt.Sprintf("\n%d encrypted, shown decrypted", l.Encrypted)
	}
	return s
}
