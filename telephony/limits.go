package telephony

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Input limits. A number or an address longer than MaxNumberLen is refused
// before it reaches a service: IAX2 carries a called number in one IE of at
// most 255 bytes, and no dial plan needs more than a few dozen characters.
// Tones (DTMF) are sent MaxTones at most per request, and a name is cut at
// MaxNameLen when it is published.
const (
	MaxNumberLen = 64
	MaxTones     = 32
	MaxNameLen   = 64
)

// CheckNumber refuses a number or address that is empty, longer than
// MaxNumberLen, not UTF-8, or holds control characters; the error (wrapping
// ErrBadNumber) says which, with the offending character escaped.
func CheckNumber(number string) error {
	switch {
	case strings.TrimSpace(number) == "":
		return fmt.Errorf("%w: the number is empty", ErrBadNumber)
	case len(number) > MaxNumberLen:
		return fmt.Errorf("%w: %d characters, at most %d", ErrBadNumber, len(number), MaxNumberLen)
	case !utf8.ValidString(number):
		return fmt.Errorf("%w: not UTF-8 text", ErrBadNumber)
	}
	if i := strings.IndexFunc(number, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(number[i:])
		return fmt.Errorf("%w: control character %q at position %d", ErrBadNumber, r, i+1)
	}
	return nil
}

// CheckTones refuses a DTMF string that is empty, longer than MaxTones, or
// holds anything but 0-9, *, #, A-D.
func CheckTones(tones string) error {
	switch {
	case tones == "":
		return fmt.Errorf("%w: no tones", ErrBadTones)
	case len(tones) > MaxTones:
		return fmt.Errorf("%w: %d tones, at most %d per request", ErrBadTones, len(tones), MaxTones)
	}
	for i, r := range tones {
		if !strings.ContainsRune("0123456789*#ABCDabcd", r) {
			return fmt.Errorf("%w: %q at position %d is no DTMF tone (0-9, *, #, A-D)", ErrBadTones, r, i+1)
		}
	}
	return nil
}

// Printable returns s safe to print on a terminal and to publish: control
// characters (escape sequences among them) and invalid UTF-8 are escaped
// as Go escapes (\x1b, \a, \ufffd...), and the result is cut at max runes
// with "…" (max <= 0: no cut). Plain text comes back unchanged.
func Printable(s string, max int) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean && (max <= 0 || utf8.RuneCountInString(s) <= max) {
		return s
	}
	var b strings.Builder
	n := 0
	for i, r := range s {
		if max > 0 && n >= max {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case unicode.IsControl(r):
			q := fmt.Sprintf("%+q", string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
