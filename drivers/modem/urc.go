package modem

import "strings"

// URC is an unsolicited result code: a line the modem sent on its own
// (an incoming call's RING, a registration change, ...), or any line that
// arrived while no command was waiting.
type URC struct {
	// Line is the line as received.
	Line string
	// Name is "+CLIP", "RING", "NO CARRIER", ...: Info's name.
	Name string
}

// Info parses the URC's line.
func (u URC) Info() (Info, error) { return ParseInfo(u.Line) }

// DefaultURCs are the names of the unsolicited result codes the channel
// knows (27.007 and V.250, and the common vendors' boot and status
// lines). While a command waits, a line with one of these names goes to
// URCs, unless it is the command's own response (+CREG: in answer to
// AT+CREG?); any other line is the command's. Options.URCs adds names.
var DefaultURCs = []string{
	"RING", "+CRING", "+CLIP", "+CCWA", "+COLP", "+CNAP", "NO CARRIER", "BUSY", "NO ANSWER",
	"+CREG", "+CGREG", "+CEREG", "+C5GREG", "+CIEV", "+CLCC", "+CSSI", "+CSSU", "+CUSD",
	"+CMTI", "+CMT", "+CDS", "+CBM", "+CPIN", "+CFUN", "+CTZV", "+CTZE", "+CMEE",
	"RDY", "POWERED DOWN", "+QIND", "+QUSIM", "^SYSSTART",
}

// commandPrefix is the name of the information lines a command answers
// with: "+CREG" for AT+CREG? and AT+CREG=?, "+COPS" for AT+COPS=?; ""
// for a basic command (ATD, ATA, ATE0, ...).
func commandPrefix(cmd string) string {
	s := cmd[2:] // after "AT"
	if len(s) == 0 || !strings.ContainsRune("+^%$", rune(s[0])) {
		return ""
	}
	end := 1
	for end < len(s) && (isNameByte(s[end])) {
		end++
	}
	return strings.ToUpper(s[:end])
}

func isNameByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// isDial reports whether cmd dials or answers: its final result may be
// NO CARRIER, BUSY, NO ANSWER or NO DIALTONE.
func isDial(cmd string) bool {
	u := strings.ToUpper(cmd)
	return strings.HasPrefix(u, "ATD") || u == "ATA"
}

// lineName is the name part of a line: "+CLIP" of "+CLIP: ...", the
// whole line otherwise, upper case.
func lineName(line string) string {
	head := line
	if len(head) > 32 {
		head = head[:32] // names are short: a long line is no URC's
	}
	if name, _, ok := strings.Cut(head, ":"); ok && isInfoName(strings.TrimSpace(name)) {
		return upperASCII(strings.TrimSpace(name), 32)
	}
	return upperASCII(strings.TrimSpace(head), 32)
}
