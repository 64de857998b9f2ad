package ctl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringo-phone/ringo/telephony"
)

// What phonectl prints comes from the network (a caller's number and
// name, a server's refusal) or from a user (a dialled number): every such
// text goes through cell or printable, so that a caller id holding a
// terminal escape is shown escaped instead of acting on the console.

// Cut lengths of table cells, in runes; the -json output is never cut.
const (
	maxReasonLen  = 120
	maxMessageLen = 120
)

// cell is s made printable and cut at max runes, or "-" when empty.
func cell(s string, max int) string {
	if s == "" {
		return "-"
	}
	return telephony.Printable(s, max)
}

// printable is s made printable, never cut.
func printable(s string) string { return telephony.Printable(s, 0) }

// printableLines makes each line of s printable, keeping the line breaks
// (an error's text with its hint on a second line).
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = printable(l)
	}
	return strings.Join(lines, "\n")
}

// printableError shows an error's text escaped and keeps its chain for
// errors.Is and errors.As (and so for its exit code).
type printableError struct{ err error }

func (e printableError) Error() string { return printableLines(e.err.Error()) }
func (e printableError) Unwrap() error { return e.err }

// clock formats a duration as a call timer does: m:ss, or h:mm:ss from
// an hour on.
func clock(d time.Duration) string {
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// duration is the call's DURATION cell: its connected time, or "-".
func duration(c Call, now time.Time) string {
	d, ok := c.Duration(now)
	if !ok {
		return "-"
	}
	return clock(d)
}

// writeJSON writes v as indented JSON. encoding/json escapes the C0
// control characters in strings but not DEL and the C1 controls (U+0080
// to U+009F, which some terminals take as escape sequences); they are
// escaped here as well, so the JSON means the same and is safe to print.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return err
	}
	out := b.Bytes()
	if bytes.ContainsFunc(out, isC1) {
		// Such runes only occur inside JSON strings, where \u escapes
		// stand for them.
		var esc bytes.Buffer
		for len(out) > 0 {
			r, size := utf8.DecodeRune(out)
			if isC1(r) {
				fmt.Fprintf(&esc, `\u%04x`, r)
			} else {
				esc.Write(out[:size])
			}
			out = out[size:]
		}
		out = esc.Bytes()
	}
	_, err := w.Write(out)
	return err
}

func isC1(r rune) bool { return r == 0x7f || (r >= 0x80 && r <= 0x9f) }
