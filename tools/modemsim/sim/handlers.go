package sim

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/ringo-phone/ringo/drivers/modem"
)

// simErrLocked is the error of a command that needs an unlocked SIM.
func (m *Modem) simErrLocked() string {
	switch m.sim {
	case SIMAbsent:
		return m.cmeLocked(modem.CMESIMNotInserted)
	case SIMPIN:
		return m.cmeLocked(modem.CMESIMPINRequired)
	case SIMPUK:
		return m.cmeLocked(modem.CMESIMPUKRequired)
	}
	return m.cmeLocked(3)
}

// cfunLocked: AT+CFUN=1 radio on, =4 (or 0) radio off: calls end and the
// registration is lost.
func (m *Modem) cfunLocked(c ext) ([]string, string) {
	switch c.form {
	case "?":
		return []string{"+CFUN: " + itoa(m.cfun)}, ""
	case "=?":
		return []string{"+CFUN: (0,1,4),(0-1)"}, ""
	case "=":
		n, err := c.in.Int(0)
		if err != nil || n != 0 && n != 1 && n != 4 {
			return nil, m.cmeLocked(4)
		}
		if n != m.cfun {
			m.log.Info("radio", "cfun", n)
		}
		m.cfun = n
		if n != 1 {
			for _, call := range slices.Clone(m.calls) {
				m.removeLocked(call, modem.ResultNoCarrier, "radio off")
			}
		}
		m.updateRegLocked()
		return nil, ""
	}
	return nil, m.cmeLocked(4)
}

// cpinLocked: AT+CPIN? says what the SIM needs; AT+CPIN="pin" unlocks
// it (three wrong tries block it), AT+CPIN="puk","newpin" unblocks it.
func (m *Modem) cpinLocked(c ext) ([]string, string) {
	switch c.form {
	case "?":
		switch m.sim {
		case SIMAbsent:
			return nil, m.cmeLocked(modem.CMESIMNotInserted)
		case SIMPIN:
			return []string{"+CPIN: SIM PIN"}, ""
		case SIMPUK:
			return []string{"+CPIN: SIM PUK"}, ""
		}
		return []string{"+CPIN: READY"}, ""
	case "=":
	default:
		return nil, ""
	}
	switch m.sim {
	case SIMAbsent:
		return nil, m.cmeLocked(modem.CMESIMNotInserted)
	case SIMReady:
		return nil, m.cmeLocked(3)
	case SIMPIN:
		if c.in.Str(0) != m.pin {
			m.pinTries--
			m.log.Warn("wrong PIN", "tries left", m.pinTries)
			if m.pinTries <= 0 {
				m.sim = SIMPUK
				m.log.Warn("SIM blocked: PUK needed")
			}
			return nil, m.cmeLocked(modem.CMEIncorrectPassword)
		}
	case SIMPUK:
		if c.in.Str(0) != m.cfg.PUK || c.in.Str(1) == "" {
			m.pukTries--
			m.log.Warn("wrong PUK", "tries left", m.pukTries)
			return nil, m.cmeLocked(modem.CMEIncorrectPassword)
		}
		m.pin = c.in.Str(1)
	}
	m.sim = SIMReady
	m.pinTries, m.pukTries = 3, 10
	m.log.Info("SIM unlocked")
	m.updateRegLocked()
	return nil, ""
}

// copsLocked: the operator. AT+COPS? the current one (in the format
// AT+COPS=3,f chose), AT+COPS=? the operators in range, AT+COPS=0
// automatic, =1,f,"oper" manual, =2 deregister, =4,f,"oper" manual then
// automatic.
func (m *Modem) copsLocked(c ext) ([]string, string) {
	opName := func(op modem.Operator) string {
		switch m.copsFormat {
		case 1:
			return op.Short
		case 2:
			return op.Num
		}
		return op.Long
	}
	switch c.form {
	case "?":
		if !m.registeredLocked() {
			return []string{"+COPS: " + itoa(m.copsMode)}, ""
		}
		op := m.currentOperatorLocked()
		return []string{modem.NewInfo("+COPS", []string{itoa(m.copsMode), itoa(m.copsFormat), opName(op), itoa(op.AcT)},
			false, false, true, false).String()}, ""
	case "=?":
		if m.cfun != 1 {
			return nil, m.cmeLocked(modem.CMENoNetworkService)
		}
		cur := m.currentOperatorLocked()
		var groups []string
		for _, op := range m.cfg.Operators {
			st := op.Stat
			if m.registeredLocked() && op.Num == cur.Num {
				st = modem.OperatorCurrent
			}
			groups = append(groups, fmt.Sprintf(`(%d,"%s","%s","%s",%d)`, st, op.Long, op.Short, op.Num, op.AcT))
		}
		return []string{"+COPS: " + strings.Join(groups, ",") + ",,(0,1,2,3,4),(0,1,2)"}, ""
	case "=":
	default:
		return nil, ""
	}
	mode, err := c.in.Int(0)
	if err != nil || mode < 0 || mode > 4 {
		return nil, m.cmeLocked(4)
	}
	if c.in.Len() > 1 {
		f, err := c.in.Int(1)
		if err != nil || f < 0 || f > 2 {
			return nil, m.cmeLocked(4)
		}
		m.copsFormat = f
	}
	if mode == 3 {
		return nil, ""
	}
	if mode == 1 || mode == 4 {
		op, ok := m.operatorLocked(c.in.Str(2))
		if !ok && mode == 1 {
			return nil, m.cmeLocked(modem.CMENoNetworkService)
		}
		if ok && op.Stat == modem.OperatorForbidden && mode == 1 {
			m.copsMode, m.copsOper = mode, op.Num
			m.updateRegLocked()
			return nil, m.cmeLocked(modem.CMEEmergencyCallsOnly)
		}
		m.copsOper = op.Num
	}
	m.copsMode = mode
	m.log.Info("operator selection", "mode", mode, "operator", m.copsOper)
	m.updateRegLocked()
	return nil, ""
}

func (m *Modem) clccLocked(c ext) ([]string, string) {
	if c.form != "" {
		return nil, ""
	}
	calls := slices.Clone(m.calls)
	slices.SortFunc(calls, func(a, b *call) int { return a.idx - b.idx })
	var out []string
	for _, call := range calls {
		out = append(out, call.listed().Line())
	}
	return out, ""
}

// chldLocked is call hold and multiparty (27.007 §7.13).
func (m *Modem) chldLocked(c ext) ([]string, string) {
	switch c.form {
	case "=?":
		return []string{"+CHLD: (0,1,1x,2,2x,3,4)"}, ""
	case "=":
	default:
		return nil, m.cmeLocked(4)
	}
	arg := c.in.Str(0)
	if arg == "" {
		return nil, m.cmeLocked(4)
	}
	active, held, waiting := m.withStat(modem.CallActive), m.withStat(modem.CallHeld), m.withStat(modem.CallWaiting)
	fail := func() ([]string, string) { return nil, m.cmeLocked(3) }
	setAll := func(cs []*call, st modem.CallStat) {
		for _, x := range cs {
			x.stat = st
		}
	}
	m.log.Info("call hold", "chld", arg)
	switch arg {
	case "0": // release held calls, or busy for a waiting one
		if len(waiting) > 0 {
			m.removeLocked(waiting[0], "", "user busy")
			return nil, ""
		}
		if len(held) == 0 {
			return fail()
		}
		for _, x := range held {
			m.removeLocked(x, "", "normal call clearing")
		}
	case "1": // release the active calls, accept the other
		for _, x := range active {
			m.removeLocked(x, "", "normal call clearing")
		}
		switch {
		case len(waiting) > 0:
			waiting[0].stat = modem.CallActive
		case len(held) > 0:
			setAll(held, modem.CallActive)
		case len(active) == 0:
			return fail()
		}
	case "2": // hold the active calls, accept the other
		switch {
		case len(waiting) > 0:
			setAll(active, modem.CallHeld)
			waiting[0].stat = modem.CallActive
		case len(active) > 0 || len(held) > 0:
			setAll(active, modem.CallHeld)
			setAll(held, modem.CallActive)
		default:
			return fail()
		}
	case "3": // a conference of the active and held calls
		if len(active)+len(held) < 2 || len(held) == 0 {
			return fail()
		}
		setAll(held, modem.CallActive)
		for _, x := range m.withStat(modem.CallActive) {
			x.mpty = true
		}
	case "4": // connect the two calls and leave
		if len(active) != 1 || len(held) != 1 {
			return fail()
		}
		m.removeLocked(active[0], "", "transferred")
		m.removeLocked(held[0], "", "transferred")
	default:
		var idx int
		if _, err := fmt.Sscanf(arg[1:], "%d", &idx); err != nil || len(arg) < 2 {
			return nil, m.cmeLocked(4)
		}
		x := m.callLocked(idx)
		if x == nil {
			return fail()
		}
		switch arg[0] {
		case '1':
			m.removeLocked(x, "", "normal call clearing")
		case '2':
			switch x.stat {
			case modem.CallActive: // split x from the conference
				for _, o := range active {
					if o != x {
						o.stat = modem.CallHeld
					}
				}
				x.mpty = false
			case modem.CallHeld:
				setAll(active, modem.CallHeld)
				x.stat = modem.CallActive
			default:
				return fail()
			}
		default:
			return nil, m.cmeLocked(4)
		}
	}
	m.settleLocked()
	return nil, ""
}

// vtsLocked sends DTMF on the active call: AT+VTS=1, AT+VTS="123".
func (m *Modem) vtsLocked(c ext) ([]string, string) {
	if c.form == "=?" {
		return []string{"+VTS: (0-9,#,*,A-D),(0-255)"}, ""
	}
	if c.form != "=" {
		return nil, m.cmeLocked(4)
	}
	if len(m.withStat(modem.CallActive)) == 0 {
		return nil, m.cmeLocked(3)
	}
	tones := c.in.Str(0)
	if tones == "" || strings.Trim(tones, "0123456789*#ABCDabcd") != "" {
		return nil, m.cmeLocked(4)
	}
	for _, d := range tones {
		m.log.Info("dtmf", "digit", string(d))
	}
	return nil, ""
}

// crsmLocked is restricted SIM access to EF_ECC (6FB7): READ RECORD
// (178) on a USIM's linear fixed file, READ BINARY (176) on a GSM SIM's
// transparent one, GET RESPONSE (192) on both, with the status words a
// SIM gives for the wrong command, a missing record or another file.
func (m *Modem) crsmLocked(c ext) ([]string, string) {
	if c.form != "=" {
		return nil, ""
	}
	if m.sim == SIMAbsent {
		return nil, m.cmeLocked(modem.CMESIMNotInserted)
	}
	cmd, err1 := c.in.Int(0)
	file, err2 := c.in.Int(1)
	if err1 != nil || err2 != nil {
		return nil, m.cmeLocked(4)
	}
	p1, _ := c.in.IntOr(2, 0)
	p3, _ := c.in.IntOr(4, 0)
	sw := func(sw1, sw2 int, data []byte) ([]string, string) {
		line := fmt.Sprintf("+CRSM: %d,%d", sw1, sw2)
		if data != nil {
			line += `,"` + strings.ToUpper(hex.EncodeToString(data)) + `"`
		}
		return []string{line}, ""
	}
	if file != modem.EFECC {
		return sw(0x6a, 0x82, nil) // file not found
	}
	const recLen = 4 // 3 bytes of code, 1 of service category, no alpha id
	usim := m.eccFile == "usim"
	switch cmd {
	case modem.CRSMGetResponse:
		size, structure, rec := 15, 0x00, 0
		if usim {
			size, structure, rec = recLen*max(1, len(m.ecc)), 0x01, recLen
		}
		r := make([]byte, 15)
		r[2], r[3] = byte(size>>8), byte(size)
		r[4], r[5] = 0x6f, 0xb7
		r[6] = 0x04 // EF
		r[13], r[14] = byte(structure), byte(rec)
		return sw(0x90, 0, r)
	case modem.CRSMReadRecord:
		if !usim {
			return sw(0x69, 0x81, nil) // incompatible with the file structure
		}
		if p1 < 1 || p1 > max(1, len(m.ecc)) {
			return sw(0x6a, 0x83, nil) // record not found
		}
		rec := []byte{0xff, 0xff, 0xff, 0x00}
		if p1 <= len(m.ecc) {
			b, _ := modem.EncodeECC(m.ecc[p1-1])
			copy(rec, b[:])
		}
		if p3 > recLen {
			rec = append(rec, make([]byte, p3-recLen)...)
			for i := recLen; i < p3; i++ {
				rec[i] = 0xff
			}
		}
		return sw(0x90, 0, rec)
	case modem.CRSMReadBinary:
		if usim {
			return sw(0x69, 0x81, nil)
		}
		data := make([]byte, 15)
		for i := range data {
			data[i] = 0xff
		}
		for i, n := range m.ecc {
			b, _ := modem.EncodeECC(n)
			copy(data[3*i:], b[:])
		}
		if p3 > 0 && p3 < len(data) {
			data = data[:p3]
		}
		return sw(0x90, 0, data)
	}
	return sw(0x6d, 0x00, nil) // instruction not supported
}
