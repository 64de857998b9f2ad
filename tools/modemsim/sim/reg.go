package sim

import (
	"fmt"
	"strings"

	"github.com/ringo-phone/ringo/drivers/modem"
)

// The network registration: what +CREG says follows from the radio, the
// SIM, the operator selection and the network ("register", "deny", ...).
// Becoming registered (or denied) takes RegisterDelay, spent Searching;
// losing it is at once.

// targetLocked is the status the modem heads for now.
func (m *Modem) targetLocked() modem.RegStat {
	if m.cfun != 1 || m.sim != SIMReady || m.copsMode == 2 {
		return modem.RegNotSearching
	}
	if m.copsMode == 1 || m.copsMode == 4 {
		op, ok := m.operatorLocked(m.copsOper)
		switch {
		case !ok && m.copsMode == 1:
			return modem.RegSearching
		case ok && op.Stat == modem.OperatorForbidden:
			return modem.RegDenied
		case ok && op.Num != m.cfg.Operators[0].Num && m.network.String() == "home":
			return modem.RegRoaming
		}
	}
	return m.network
}

// updateRegLocked moves +CREG towards the target.
func (m *Modem) updateRegLocked() {
	target := m.targetLocked()
	if target == m.stat {
		return
	}
	if m.regTimer != nil {
		m.regTimer.Stop()
		m.regTimer = nil
	}
	switch target {
	case modem.RegHome, modem.RegRoaming, modem.RegDenied:
		m.setStatLocked(modem.RegSearching)
		m.regTimer = m.clk.AfterFunc(m.cfg.RegisterDelay, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.regTimer = nil
			m.setStatLocked(m.targetLocked())
		})
	default:
		m.setStatLocked(target)
	}
}

// setStatLocked publishes a new status with the URCs asked for.
func (m *Modem) setStatLocked(st modem.RegStat) {
	if st == m.stat {
		return
	}
	m.log.Info("registration", "from", m.stat.String(), "to", st.String())
	m.stat = st
	for _, u := range []struct {
		name string
		n    int
	}{{"+CREG", m.cregN}, {"+CGREG", m.cgregN}, {"+CEREG", m.ceregN}} {
		if u.n > 0 {
			m.emitLocked(u.name + ": " + m.regArgsLocked(u.n))
		}
	}
}

// regArgsLocked writes <stat>[,<lac>,<ci>,<act>] for mode n.
func (m *Modem) regArgsLocked(n int) string {
	s := fmt.Sprint(int(m.stat))
	if n >= 2 && (m.stat == modem.RegHome || m.stat == modem.RegRoaming) {
		s += `,"00C3","0A1B2C3",7`
	}
	return s
}

func (m *Modem) registeredLocked() bool {
	return m.stat == modem.RegHome || m.stat == modem.RegRoaming
}

// operatorLocked finds an operator by numeric id or long or short name.
func (m *Modem) operatorLocked(id string) (modem.Operator, bool) {
	for _, op := range m.cfg.Operators {
		if op.Num == id || strings.EqualFold(op.Long, id) || strings.EqualFold(op.Short, id) {
			return op, true
		}
	}
	return modem.Operator{}, false
}

// currentOperatorLocked is the operator registered with.
func (m *Modem) currentOperatorLocked() modem.Operator {
	if (m.copsMode == 1 || m.copsMode == 4) && m.copsOper != "" {
		if op, ok := m.operatorLocked(m.copsOper); ok {
			return op
		}
	}
	return m.cfg.Operators[0]
}

// parseRegStat names a network state for flags and controls.
func parseRegStat(s string) (modem.RegStat, error) {
	for st := modem.RegNotSearching; st <= modem.RegRoaming; st++ {
		if st.String() == s {
			return st, nil
		}
	}
	if s == "none" {
		return modem.RegNotSearching, nil
	}
	return 0, fmt.Errorf("%w: network %q: want home, roaming, searching, denied, not-searching (none) or unknown",
		ErrConfig, s)
}
