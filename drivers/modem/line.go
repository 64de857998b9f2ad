package modem

import (
	"fmt"
	"strconv"
	"strings"
)

// Info is an information text or unsolicited result line split into its
// name and arguments, as 3GPP TS 27.007 writes them:
//
//	+CLCC: 1,0,2,0,0,"600",129
//	^^^^^  ^ ^ ^ ^ ^ ^^^^^ ^^^
//	name   arguments (quoted strings lose their quotes)
//
// A line without "+NAME:" (RING, NO CARRIER, a vendor's RDY) is all
// name and has no arguments. An argument in parentheses, as in the
// operator list of AT+COPS=?, is kept whole with its parentheses; Group
// splits it. ParseInfo keeps no reference to anything but the line's
// own substrings.
type Info struct {
	Name   string
	args   []string
	quoted []bool
}

// ParseInfo splits line into an Info. It fails, wrapping ErrSyntax, on a
// quote or a parenthesis that is not closed, or text after a closing
// quote.
func ParseInfo(line string) (Info, error) {
	line = strings.TrimSpace(line)
	name, rest, found := strings.Cut(line, ":")
	if !found || !isInfoName(name) {
		return Info{Name: line}, nil
	}
	in := Info{Name: name}
	rest = strings.TrimLeft(rest, blanks)
	if rest == "" {
		return in, nil
	}
	for {
		arg, quoted, next, err := scanArg(rest)
		if err != nil {
			return Info{}, fmt.Errorf("%w: %q: %w", ErrSyntax, line, err)
		}
		in.args = append(in.args, arg)
		in.quoted = append(in.quoted, quoted)
		if next < 0 {
			return in, nil
		}
		rest = rest[next:]
	}
}

// isInfoName reports whether s is "+NAME" (or a vendor's ^NAME, %NAME,
// $NAME): a sigil and letters, digits or underscores.
func isInfoName(s string) bool {
	if len(s) < 2 || !strings.ContainsRune("+^%$", rune(s[0])) {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// blanks are the spaces an argument may have around it.
const blanks = " \t\r\n\v\f"

func isBlank(c byte) bool { return strings.IndexByte(blanks, c) >= 0 }

// scanArg reads one argument from the start of s; next is the offset of
// the following argument, -1 at the end of the line.
func scanArg(s string) (arg string, quoted bool, next int, err error) {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	switch {
	case i < len(s) && s[i] == '"':
		end := strings.IndexByte(s[i+1:], '"')
		if end < 0 {
			return "", false, 0, fmt.Errorf("a quote at %d is not closed", i+1)
		}
		arg, quoted = s[i+1:i+1+end], true
		i += end + 2
		for i < len(s) && isBlank(s[i]) {
			i++
		}
		switch {
		case i == len(s):
			return arg, true, -1, nil
		case s[i] != ',':
			return "", false, 0, fmt.Errorf("text %q after a closing quote", s[i:])
		}
		return arg, true, i + 1, nil
	case i < len(s) && s[i] == '(':
		depth, inq := 0, false
		j := i
		for ; j < len(s); j++ {
			switch c := s[j]; {
			case c == '"':
				inq = !inq
			case inq:
			case c == '(':
				depth++
			case c == ')':
				depth--
			}
			if depth == 0 && !inq {
				break
			}
		}
		if j == len(s) {
			return "", false, 0, fmt.Errorf("a parenthesis at %d is not closed", i+1)
		}
		arg = s[i : j+1]
		j++
		for j < len(s) && isBlank(s[j]) {
			j++
		}
		switch {
		case j == len(s):
			return arg, false, -1, nil
		case s[j] != ',':
			return "", false, 0, fmt.Errorf("text %q after a closing parenthesis", s[j:])
		}
		return arg, false, j + 1, nil
	}
	comma := strings.IndexByte(s, ',')
	if comma < 0 {
		return strings.Trim(s, blanks), false, -1, nil
	}
	return strings.Trim(s[:comma], blanks), false, comma + 1, nil
}

// Len is the number of arguments.
func (in Info) Len() int { return len(in.args) }

// Str returns argument i ("" when there is none).
func (in Info) Str(i int) string {
	if i < 0 || i >= len(in.args) {
		return ""
	}
	return in.args[i]
}

// Quoted reports whether argument i was a quoted string.
func (in Info) Quoted(i int) bool { return i >= 0 && i < len(in.quoted) && in.quoted[i] }

// Int parses argument i as a decimal number.
func (in Info) Int(i int) (int, error) {
	if i < 0 || i >= len(in.args) {
		return 0, fmt.Errorf("%w: %s has %d arguments, want at least %d", ErrSyntax, in.Name, len(in.args), i+1)
	}
	n, err := strconv.Atoi(in.args[i])
	if err != nil {
		return 0, fmt.Errorf("%w: %s argument %d is %q, want a number", ErrSyntax, in.Name, i+1, in.args[i])
	}
	return n, nil
}

// IntOr parses argument i as a number, or returns def when it is absent
// or empty.
func (in Info) IntOr(i, def int) (int, error) {
	if i >= len(in.args) || in.args[i] == "" {
		return def, nil
	}
	return in.Int(i)
}

// Group parses argument i, "(a,b,...)", as the arguments of an Info
// named "".
func (in Info) Group(i int) (Info, error) {
	s := in.Str(i)
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' || in.Quoted(i) {
		return Info{}, fmt.Errorf("%w: %s argument %d is %q, want a list in parentheses", ErrSyntax, in.Name, i+1, s)
	}
	g, err := ParseInfo("+G: " + s[1:len(s)-1])
	if err != nil {
		return Info{}, err
	}
	g.Name = ""
	return g, nil
}

// String writes the line back: the name, ": " and the arguments, quoted
// strings in quotes.
func (in Info) String() string {
	if len(in.args) == 0 {
		return in.Name
	}
	var b strings.Builder
	b.WriteString(in.Name)
	b.WriteString(": ")
	for i, a := range in.args {
		if i > 0 {
			b.WriteByte(',')
		}
		if in.quoted[i] {
			b.WriteByte('"')
			b.WriteString(a)
			b.WriteByte('"')
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

// NewInfo builds an Info from its name and arguments; an argument is
// quoted when quote says so for its position (missing entries: not
// quoted). Use it to write result lines (a simulator) or to compare.
func NewInfo(name string, args []string, quote ...bool) Info {
	in := Info{Name: name, args: append([]string(nil), args...), quoted: make([]bool, len(args))}
	copy(in.quoted, quote)
	return in
}

// Final result codes (V.250 verbose form, 27.007 errors).
const (
	ResultOK         = "OK"
	ResultConnect    = "CONNECT"
	ResultErr        = "ERROR"
	ResultNoCarrier  = "NO CARRIER"
	ResultBusy       = "BUSY"
	ResultNoAnswer   = "NO ANSWER"
	ResultNoDialtone = "NO DIALTONE"
	prefixCME        = "+CME ERROR:"
	prefixCMS        = "+CMS ERROR:"
)

// resultClass is what a line means to a pending command.
type resultClass uint8

const (
	notFinal   resultClass = iota
	finalOK                // OK, CONNECT
	finalError             // ERROR, +CME ERROR, +CMS ERROR, and for a dial NO CARRIER, BUSY, ...
)

// classify tells a final result from other lines. NO CARRIER, BUSY, NO
// ANSWER and NO DIALTONE end only a dial or an answer (dial true); at
// any other time they are unsolicited (a voice call ended).
func classify(line string, dial bool) resultClass {
	if len(line) == 0 || !strings.ContainsRune("OoCcEe+NnBb", rune(line[0])) {
		return notFinal // most lines, cheaply
	}
	u := upperASCII(line, 16)
	switch {
	case u == ResultOK:
		return finalOK
	case u == ResultConnect || strings.HasPrefix(u, ResultConnect+" "):
		return finalOK
	case u == ResultErr, strings.HasPrefix(u, prefixCME), strings.HasPrefix(u, prefixCMS):
		return finalError
	case dial && (u == ResultNoCarrier || u == ResultBusy || u == ResultNoAnswer || u == ResultNoDialtone):
		return finalError
	}
	return notFinal
}

// upperASCII returns s with ASCII letters upper case; past max bytes it
// is cut (with a trailing '~', which matches no result code).
func upperASCII(s string, max int) string {
	cut := len(s) > max
	if cut {
		s = s[:max]
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	if cut {
		b = append(b, '~')
	}
	return string(b)
}

// errorCode returns the number of a +CME/+CMS ERROR line, -1 when it
// gives none (or gives text).
func errorCode(line string) int {
	_, v, ok := strings.Cut(line, ":")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return -1
	}
	return n
}
