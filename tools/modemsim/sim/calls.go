package sim

import (
	"slices"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/clock"
)

// maxCalls is how many calls GSM holds at once.
const maxCalls = 7

// call is one voice call of the modem.
type call struct {
	idx    int
	mo     bool // mobile originated: we dialled
	stat   modem.CallStat
	number string
	name   string
	mpty   bool
	timers []clock.Timer
	gone   bool
}

func (c *call) stop() {
	c.gone = true
	for _, t := range c.timers {
		t.Stop()
	}
	c.timers = nil
}

func (c *call) listed() modem.ListedCall {
	lc := modem.ListedCall{Index: c.idx, Incoming: !c.mo, Stat: c.stat, Multiparty: c.mpty, Number: c.number, Type: -1}
	if !c.mo {
		lc.Alpha = c.name
	}
	return lc
}

// after runs f on c under the modem's lock after d, unless c has ended.
func (m *Modem) after(c *call, d time.Duration, f func()) {
	c.timers = append(c.timers, m.clk.AfterFunc(d, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if !c.gone {
			f()
		}
	}))
}

func (m *Modem) freeIndexLocked() int {
	for i := 1; i <= maxCalls; i++ {
		if !slices.ContainsFunc(m.calls, func(c *call) bool { return c.idx == i }) {
			return i
		}
	}
	return 0
}

func (m *Modem) callLocked(idx int) *call {
	for _, c := range m.calls {
		if c.idx == idx {
			return c
		}
	}
	return nil
}

// withStat returns the calls in state st.
func (m *Modem) withStat(st modem.CallStat) []*call {
	var out []*call
	for _, c := range m.calls {
		if c.stat == st {
			out = append(out, c)
		}
	}
	return out
}

// removeLocked ends c; urc is what the far end's ending says ("NO
// CARRIER", "BUSY"), "" for our own hangup.
func (m *Modem) removeLocked(c *call, urc, cause string) {
	c.stop()
	m.calls = slices.DeleteFunc(m.calls, func(x *call) bool { return x == c })
	if cause != "" {
		m.lastCause = cause
	}
	m.log.Info("call ended", "call", c.idx, "number", c.number, "cause", cause)
	if urc != "" {
		m.emitLocked(urc)
	}
	m.settleLocked()
}

// settleLocked keeps the call list consistent after a change: a
// conference of one is no conference, and a waiting call with nothing
// else left rings as an incoming one.
func (m *Modem) settleLocked() {
	if n := len(slices.DeleteFunc(slices.Clone(m.calls), func(c *call) bool { return !c.mpty })); n < 2 {
		for _, c := range m.calls {
			c.mpty = false
		}
	}
	if w := m.withStat(modem.CallWaiting); len(w) > 0 && len(m.calls) == len(w) {
		w[0].stat = modem.CallIncoming
		m.ringLocked(w[0])
	}
}

// dialLocked is ATD<number>; it returns the final result.
func (m *Modem) dialLocked(number string) string {
	if m.cfun != 1 {
		return m.cmeLocked(modem.CMENoNetworkService)
	}
	emergency := m.emergencyLocked(number)
	if !emergency {
		switch m.sim {
		case SIMAbsent:
			return m.cmeLocked(modem.CMESIMNotInserted)
		case SIMPIN:
			return m.cmeLocked(modem.CMESIMPINRequired)
		case SIMPUK:
			return m.cmeLocked(modem.CMESIMPUKRequired)
		}
		if !m.registeredLocked() {
			return m.cmeLocked(modem.CMENoNetworkService)
		}
	}
	idx := m.freeIndexLocked()
	if idx == 0 {
		return m.cmeLocked(3)
	}
	b := m.numbers[number]
	if b == "" {
		b = Answer
	}
	if b == Fail {
		m.lastCause = "the call could not be set up"
		m.log.Info("dial failed", "number", number, "emergency", emergency)
		return modem.ResultNoCarrier
	}
	for _, a := range m.withStat(modem.CallActive) {
		a.stat = modem.CallHeld
	}
	c := &call{idx: idx, mo: true, stat: modem.CallDialing, number: number}
	m.calls = append(m.calls, c)
	m.log.Info("dialling", "call", idx, "number", number, "emergency", emergency, "far", string(b))
	m.after(c, m.cfg.AlertAfter, func() {
		switch b {
		case Busy:
			m.removeLocked(c, modem.ResultBusy, "user busy")
			return
		case Reject:
			m.removeLocked(c, modem.ResultNoCarrier, "call rejected")
			return
		}
		if c.stat == modem.CallDialing {
			c.stat = modem.CallAlerting
		}
		if b == Ring {
			return
		}
		m.after(c, m.cfg.AnswerAfter, func() {
			m.farAnswerLocked(c)
			if b == Hangup {
				m.after(c, m.cfg.AnswerAfter, func() {
					m.removeLocked(c, modem.ResultNoCarrier, "normal call clearing")
				})
			}
		})
	})
	return modem.ResultOK
}

// farAnswerLocked: the far end of an outgoing call answers.
func (m *Modem) farAnswerLocked(c *call) {
	if c.stat != modem.CallDialing && c.stat != modem.CallAlerting {
		return
	}
	c.stat = modem.CallActive
	m.log.Info("answered by the far end", "call", c.idx, "number", c.number)
}

// emergencyLocked: 112 and 911 always, the SIM's EF_ECC, and without a
// SIM the numbers 3GPP TS 22.101 lists for that case.
func (m *Modem) emergencyLocked(number string) bool {
	if number == "112" || number == "911" || slices.Contains(m.ecc, number) {
		return true
	}
	return m.sim == SIMAbsent && slices.Contains([]string{"000", "08", "110", "999", "118", "119"}, number)
}

// ringLocked starts RING (+CRING) and +CLIP for an incoming call, again
// every RingInterval while it rings.
func (m *Modem) ringLocked(c *call) {
	var ring func()
	ring = func() {
		if c.stat != modem.CallIncoming {
			return
		}
		urc := []string{"RING"}
		if m.crc {
			urc[0] = "+CRING: VOICE"
		}
		if m.clip {
			urc = append(urc, modem.NewInfo("+CLIP", []string{c.number, itoa(typeOf(c.number)), "", "", c.name, "0"},
				true, false, true, false, true, false).String())
		}
		m.emitLocked(urc...)
		m.after(c, m.cfg.RingInterval, ring)
	}
	ring()
}

// incomingLocked is a call from number (name may be ""): Incoming, or
// Waiting when another call exists.
func (m *Modem) incomingLocked(number, name string) (*call, error) {
	if m.cfun != 1 || m.sim != SIMReady || !m.registeredLocked() {
		return nil, controlErr("nobody can call: the modem is not registered (radio %d, SIM %s, %s)", m.cfun, m.sim, m.stat)
	}
	if len(m.withStat(modem.CallIncoming))+len(m.withStat(modem.CallWaiting)) > 0 {
		return nil, controlErr("a call is already ringing: answer or drop it first")
	}
	idx := m.freeIndexLocked()
	if idx == 0 {
		return nil, controlErr("%d calls already", maxCalls)
	}
	c := &call{idx: idx, number: number, name: name, stat: modem.CallIncoming}
	if len(m.calls) > 0 {
		c.stat = modem.CallWaiting
	}
	m.calls = append(m.calls, c)
	m.log.Info("incoming call", "call", idx, "number", number, "name", name, "waiting", c.stat == modem.CallWaiting)
	if c.stat == modem.CallWaiting {
		if m.ccwa {
			m.emitLocked(modem.NewInfo("+CCWA", []string{number, itoa(typeOf(number)), "1", name}, true, false, false, true).String())
		}
		return c, nil
	}
	m.ringLocked(c)
	return c, nil
}

func typeOf(n string) int {
	if len(n) > 0 && n[0] == '+' {
		return 145
	}
	return 129
}
