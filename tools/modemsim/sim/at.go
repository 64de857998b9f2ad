package sim

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/version"
)

// The AT command interpreter: a command line is "AT" and one or more
// commands, basic (D, A, H, E, Z, ...) or extended (+NAME, +NAME?,
// +NAME=?, +NAME=args), extended ones separated by ';', as V.250 has it.
// A dial string ends at its ';' and the line goes on after it: that is
// why an agent must never put a ';' of the user's in a dial string.

func itoa(n int) string { return strconv.Itoa(n) }

// cmeLocked is the +CME ERROR for code as AT+CMEE asks: plain ERROR,
// the number, or the words.
func (m *Modem) cmeLocked(code int) string {
	switch m.cmee {
	case 1:
		return "+CME ERROR: " + itoa(code)
	case 2:
		if t := modem.CMEText(code); t != "" {
			return "+CME ERROR: " + t
		}
		return "+CME ERROR: " + itoa(code)
	}
	return modem.ResultErr
}

// execLocked runs a command line and returns the lines it answers, the
// final result last.
func (m *Modem) execLocked(text string) []string {
	var out []string
	rest := text[2:]
	for rest != "" {
		var lines []string
		final := ""
		switch c := rest[0]; {
		case c == ';' || c == ' ':
			rest = rest[1:]
			continue
		case c == '+' || c == '^' || c == '$' || c == '%':
			cmd := rest
			if i := unquotedIndex(rest, ';'); i >= 0 {
				cmd, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			lines, final = m.extendedLocked(cmd)
		case c == 'D' || c == 'd':
			dial := rest[1:]
			if i := strings.IndexByte(dial, ';'); i >= 0 {
				rest = dial[i+1:]
				final = m.dialLocked(strings.TrimSpace(dial[:i]))
			} else {
				rest = ""
				final = modem.ResultNoCarrier // a data call: not here
				m.lastCause = "data calls are not supported"
			}
		default:
			var cmd string
			cmd, rest = basicCommand(rest)
			lines, final = m.basicLocked(cmd)
		}
		out = append(out, lines...)
		if final != "" && final != modem.ResultOK {
			return append(out, final)
		}
	}
	return append(out, modem.ResultOK)
}

// basicCommand splits one basic command (a letter, or & and a letter,
// with its number, or S<n>=<v> / S<n>?) off the front of s.
func basicCommand(s string) (cmd, rest string) {
	i := 1
	if s[0] == '&' && len(s) > 1 {
		i = 2
	}
	if s[0] == 'S' || s[0] == 's' {
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '=' || s[i] == '?') {
			i++
		}
		return s[:i], s[i:]
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

func unquotedIndex(s string, b byte) int {
	q := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			q = !q
		case !q && s[i] == b:
			return i
		}
	}
	return -1
}

func (m *Modem) basicLocked(cmd string) ([]string, string) {
	u := strings.ToUpper(cmd)
	arg := 0
	if len(u) > 1 && u[0] != 'S' && u[0] != '&' {
		n, err := strconv.Atoi(u[1:])
		if err != nil {
			return nil, modem.ResultErr
		}
		arg = n
	}
	switch {
	case u == "A":
		in := m.withStat(modem.CallIncoming)
		if len(in) == 0 {
			return nil, modem.ResultNoCarrier
		}
		in[0].stat = modem.CallActive
		m.log.Info("answered", "call", in[0].idx, "number", in[0].number)
		return nil, ""
	case u[0] == 'E':
		m.echo = arg != 0
	case u[0] == 'H':
		m.hangupLocked()
	case u[0] == 'Z':
		m.echo = !m.cfg.NoEcho
		m.cmee = 0
	case u[0] == 'I':
		return []string{"Ringo modemsim", "Revision: " + version.Version}, ""
	case u[0] == 'V', u[0] == 'Q', u[0] == 'X', u[0] == 'L', u[0] == 'M', u[0] == '&', u[0] == 'S':
		// Accepted and ignored: verbose results and no quiet mode are
		// all this modem knows.
	default:
		return nil, modem.ResultErr
	}
	return nil, ""
}

// hangupLocked is ATH and AT+CHUP: the active, dialling and ringing
// calls end; held and waiting ones stay.
func (m *Modem) hangupLocked() {
	for _, c := range slices.Clone(m.calls) {
		switch c.stat {
		case modem.CallActive, modem.CallDialing, modem.CallAlerting, modem.CallIncoming:
			m.removeLocked(c, "", "normal call clearing")
		}
	}
}

// extendedLocked runs one extended command: "+CREG?", "+COPS=?",
// "+CHLD=2", "+CLCC".
func (m *Modem) extendedLocked(cmd string) ([]string, string) {
	name, form, args := cmd, "", ""
	if i := strings.IndexAny(cmd, "=?"); i >= 0 {
		name, form = cmd[:i], cmd[i:]
		if strings.HasPrefix(form, "=") && form != "=?" {
			form, args = "=", form[1:]
		}
	}
	name = strings.ToUpper(name)
	var in modem.Info
	if form == "=" {
		var err error
		if in, err = modem.ParseInfo(name + ": " + args); err != nil || args == "" {
			return nil, m.cmeLocked(4)
		}
	}
	c := ext{name: name, form: form, in: in}
	switch name {
	case "+CMEE":
		return m.intSettingLocked(c, &m.cmee, 2)
	case "+CREG":
		return m.regSettingLocked(c, &m.cregN)
	case "+CGREG":
		return m.regSettingLocked(c, &m.cgregN)
	case "+CEREG":
		return m.regSettingLocked(c, &m.ceregN)
	case "+CLIP":
		return m.boolSettingLocked(c, &m.clip)
	case "+CCWA":
		return m.boolSettingLocked(c, &m.ccwa)
	case "+CRC":
		return m.boolSettingLocked(c, &m.crc)
	case "+COLP":
		return nil, ""
	case "+CFUN":
		return m.cfunLocked(c)
	case "+CPIN":
		return m.cpinLocked(c)
	case "+COPS":
		return m.copsLocked(c)
	case "+CLCC":
		return m.clccLocked(c)
	case "+CHUP":
		if form == "" {
			m.hangupLocked()
		}
		return nil, ""
	case "+CHLD":
		return m.chldLocked(c)
	case "+VTS":
		return m.vtsLocked(c)
	case "+CRSM":
		return m.crsmLocked(c)
	case "+CGMI":
		return []string{"Ringo"}, ""
	case "+CGMM":
		return []string{"modemsim"}, ""
	case "+CGMR":
		return []string{version.Version}, ""
	case "+CGSN":
		return []string{"000000000000000"}, ""
	case "+CSQ":
		return []string{"+CSQ: 20,99"}, ""
	case "+CEER":
		return []string{`+CEER: "` + m.lastCause + `"`}, ""
	case "+CIMI":
		if m.sim != SIMReady {
			return nil, m.simErrLocked()
		}
		return []string{"001010123456789"}, ""
	}
	return nil, modem.ResultErr
}

// ext is one extended command: its name, its form ("" execute, "?"
// read, "=?" test, "=" set) and a set's arguments.
type ext struct {
	name, form string
	in         modem.Info
}

// intSettingLocked is +NAME=n (0..max) and +NAME? answering +NAME: n.
func (m *Modem) intSettingLocked(c ext, p *int, max int) ([]string, string) {
	switch c.form {
	case "=":
		n, err := c.in.Int(0)
		if err != nil || n < 0 || n > max {
			return nil, m.cmeLocked(4)
		}
		*p = n
	case "?":
		return []string{c.name + ": " + itoa(*p)}, ""
	case "=?":
		return []string{c.name + ": (0-" + itoa(max) + ")"}, ""
	}
	return nil, ""
}

// regSettingLocked is +CREG=n (the URC mode) and +CREG? (n,stat...).
func (m *Modem) regSettingLocked(c ext, p *int) ([]string, string) {
	if c.form == "?" {
		return []string{c.name + ": " + itoa(*p) + "," + m.regArgsLocked(*p)}, ""
	}
	return m.intSettingLocked(c, p, 2)
}

func (m *Modem) boolSettingLocked(c ext, p *bool) ([]string, string) {
	switch c.form {
	case "=":
		n, err := c.in.Int(0)
		if err != nil || n < 0 || n > 1 {
			return nil, m.cmeLocked(4)
		}
		*p = n == 1
	case "?":
		v := 0
		if *p {
			v = 1
		}
		return []string{c.name + ": " + itoa(v) + ",1"}, ""
	}
	return nil, ""
}
