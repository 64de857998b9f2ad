package modem

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// secretCommands take a PIN, a PUK or a password as their arguments.
var secretCommands = []string{"+CPIN=", "+CPIN2=", "+CLCK=", "+CPWD="}

// Redact returns line with the arguments of every command that carries a
// secret (AT+CPIN, AT+CPIN2, AT+CLCK, AT+CPWD) replaced by "****", up to
// the next ';' of a compound command: "AT+CPIN=1234" is "AT+CPIN=****".
// Control characters and invalid UTF-8 are escaped, so the result is safe
// to log and to print. Use it for anything that may hold a command line:
// the trace, errors, a simulator's log.
func Redact(line string) string {
	u := strings.ToUpper(line)
	for _, c := range secretCommands {
		for from := 0; ; {
			i := strings.Index(u[from:], c)
			if i < 0 {
				break
			}
			start := from + i + len(c)
			end := strings.IndexByte(line[start:], ';')
			if end < 0 {
				end = len(line)
			} else {
				end += start
			}
			line = line[:start] + "****" + line[end:]
			u = u[:start] + "****" + u[end:]
			from = start + 4
		}
	}
	return printable(line)
}

// printable escapes control characters and invalid UTF-8 (and, then,
// quotes and backslashes) as Go escapes; clean text comes back as it is.
func printable(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			q := strconv.Quote(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}
