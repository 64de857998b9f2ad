package policy

import "sync"

// status is a manager's mutable state, safe for concurrent use.
type status struct {
	mu     sync.Mutex
	state  RegistrationState
	flight bool
}

func (s *status) set(st RegistrationState) {
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
}

func (s *status) setFlight(on bool) {
	s.mu.Lock()
	s.flight = on
	s.mu.Unlock()
}

func (s *status) get() (RegistrationState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.flight
}

// AsteriskManager is the Manager of the "asterisk" service (call type
// "Asterisk"). phoned feeds it the registration state it reads from the
// value space. It is safe for concurrent use.
type AsteriskManager struct {
	rule AsteriskRule
	st   status
}

// NewAsteriskManager returns a manager in state None.
func NewAsteriskManager(rule AsteriskRule) *AsteriskManager {
	m := &AsteriskManager{rule: rule}
	m.st.state = RegistrationNone
	return m
}

// SetRegistrationState records the service's registration state.
func (m *AsteriskManager) SetRegistrationState(st RegistrationState) { m.st.set(st) }

// Service returns "asterisk".
func (*AsteriskManager) Service() string { return "asterisk" }

// CallType returns "Asterisk".
func (*AsteriskManager) CallType() string { return "Asterisk" }

// DisplayName returns "Asterisk".
func (*AsteriskManager) DisplayName() string { return "Asterisk" }

// CallTypeIcon returns "asterisk".
func (*AsteriskManager) CallTypeIcon() string { return "asterisk" }

// RegistrationState returns the last state set.
func (m *AsteriskManager) RegistrationState() RegistrationState {
	st, _ := m.st.get()
	return st
}

// RegistrationMessage applies AsteriskRule.RegistrationMessage.
func (m *AsteriskManager) RegistrationMessage() string {
	return m.rule.RegistrationMessage(m.RegistrationState())
}

// RegistrationIcon returns "asterisk" when registered Home, else
// "asterisk-offline".
func (m *AsteriskManager) RegistrationIcon() string {
	if m.RegistrationState() == RegistrationHome {
		return "asterisk"
	}
	return "asterisk-offline"
}

// Handling applies AsteriskRule.Handling.
func (m *AsteriskManager) Handling(number string) Handling {
	return m.rule.Handling(number, m.RegistrationState())
}

// IsAvailable reports whether Handling is CanHandle or MustHandle.
func (m *AsteriskManager) IsAvailable(number string) bool {
	return available(m.Handling(number))
}

// ModemManager is the Manager of the "modem" service (call type "Voice").
// It is safe for concurrent use.
type ModemManager struct {
	rule ModemRule
	st   status
}

// NewModemManager returns a manager in state None with flight mode off.
func NewModemManager(rule ModemRule) *ModemManager {
	m := &ModemManager{rule: rule}
	m.st.state = RegistrationNone
	return m
}

// SetRegistrationState records the modem's registration state.
func (m *ModemManager) SetRegistrationState(st RegistrationState) { m.st.set(st) }

// SetFlightMode records the position of the flight-mode switch.
func (m *ModemManager) SetFlightMode(on bool) { m.st.setFlight(on) }

// FlightMode reports the last flight-mode position set.
func (m *ModemManager) FlightMode() bool {
	_, on := m.st.get()
	return on
}

// Service returns "modem".
func (*ModemManager) Service() string { return "modem" }

// CallType returns "Voice", the GSM voice call type of Qt Extended.
func (*ModemManager) CallType() string { return "Voice" }

// DisplayName returns "Cellular".
func (*ModemManager) DisplayName() string { return "Cellular" }

// CallTypeIcon returns "cellular".
func (*ModemManager) CallTypeIcon() string { return "cellular" }

// RegistrationState returns the last state set.
func (m *ModemManager) RegistrationState() RegistrationState {
	st, _ := m.st.get()
	return st
}

// RegistrationMessage applies ModemRule.RegistrationMessage.
func (m *ModemManager) RegistrationMessage() string {
	return m.rule.RegistrationMessage(m.st.get())
}

// RegistrationIcon returns "flightmode", "cellular", "cellular-roaming" or
// "cellular-offline".
func (m *ModemManager) RegistrationIcon() string {
	st, flight := m.st.get()
	switch {
	case flight:
		return "flightmode"
	case st == RegistrationHome:
		return "cellular"
	case st == RegistrationRoaming:
		return "cellular-roaming"
	}
	return "cellular-offline"
}

// Handling applies ModemRule.Handling.
func (m *ModemManager) Handling(number string) Handling {
	st, flight := m.st.get()
	return m.rule.Handling(number, st, flight)
}

// IsAvailable reports whether Handling is CanHandle or MustHandle.
func (m *ModemManager) IsAvailable(number string) bool {
	return available(m.Handling(number))
}

func available(h Handling) bool { return h == CanHandle || h == MustHandle }
