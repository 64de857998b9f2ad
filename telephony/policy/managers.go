package policy

import "sync"

// AsteriskManager is the Manager of the "asterisk" service (call type
// "Asterisk"). phoned feeds it the registration state it reads from the
// value space. It is safe for concurrent use.
type AsteriskManager struct {
	rule AsteriskRule

	mu    sync.Mutex
	state RegistrationState
}

// NewAsteriskManager returns a manager in state None.
func NewAsteriskManager(rule AsteriskRule) *AsteriskManager {
	return &AsteriskManager{rule: rule, state: RegistrationNone}
}

// SetRegistrationState records the service's registration state.
func (m *AsteriskManager) SetRegistrationState(st RegistrationState) {
	m.mu.Lock()
	m.state = st
	m.mu.Unlock()
}

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
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
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

	mu     sync.Mutex
	state  RegistrationState
	flight bool
}

// NewModemManager returns a manager in state None with flight mode off.
func NewModemManager(rule ModemRule) *ModemManager {
	return &ModemManager{rule: rule, state: RegistrationNone}
}

// SetRegistrationState records the modem's registration state.
func (m *ModemManager) SetRegistrationState(st RegistrationState) {
	m.mu.Lock()
	m.state = st
	m.mu.Unlock()
}

// SetFlightMode records the position of the flight-mode switch.
func (m *ModemManager) SetFlightMode(on bool) {
	m.mu.Lock()
	m.flight = on
	m.mu.Unlock()
}

// FlightMode reports the last flight-mode position set.
func (m *ModemManager) FlightMode() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.flight
}

func (m *ModemManager) snapshot() (RegistrationState, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state, m.flight
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
	st, _ := m.snapshot()
	return st
}

// RegistrationMessage applies ModemRule.RegistrationMessage.
func (m *ModemManager) RegistrationMessage() string {
	st, flight := m.snapshot()
	return m.rule.RegistrationMessage(st, flight)
}

// RegistrationIcon returns "flightmode", "cellular", "cellular-roaming" or
// "cellular-offline".
func (m *ModemManager) RegistrationIcon() string {
	st, flight := m.snapshot()
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
	st, flight := m.snapshot()
	return m.rule.Handling(number, st, flight)
}

// IsAvailable reports whether Handling is CanHandle or MustHandle.
func (m *ModemManager) IsAvailable(number string) bool {
	return available(m.Handling(number))
}

func available(h Handling) bool { return h == CanHandle || h == MustHandle }
