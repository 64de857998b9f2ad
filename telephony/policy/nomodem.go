package policy

import (
	"fmt"
	"strings"

	"github.com/ringo-phone/ringo/telephony"
)

// NoModemManager stands in for the cellular radio while no modem agent
// runs (no "modem" service): the phone server feeds it the effective
// flight mode, so that an emergency number is still refused at once in
// flight mode, with the contract's words, before any other service is
// asked. With flight mode off it answers CannotHandle for every number,
// and it gives "no cellular modem" as its part of an emergency refusal.
// It is safe for concurrent use.
type NoModemManager struct {
	emergency EmergencyNumbers
	st        state
}

// NewNoModemManager returns the placeholder with flight mode off.
func NewNoModemManager(cfg Config) *NoModemManager {
	m := &NoModemManager{emergency: cfg.Emergency}
	m.st.in.Registration = telephony.RegistrationNone
	return m
}

// Update records the inputs; only FlightMode matters.
func (m *NoModemManager) Update(in Inputs) {
	m.st.update(func(s *Inputs) { s.FlightMode = in.FlightMode })
}

// Service returns "modem", the name reserved for the cellular radio.
func (*NoModemManager) Service() string { return "modem" }

// CallType returns "Voice", as the modem's manager would.
func (*NoModemManager) CallType() string { return "Voice" }

// DisplayName returns "Cellular".
func (*NoModemManager) DisplayName() string { return "Cellular" }

// CallTypeIcon returns "cellular".
func (*NoModemManager) CallTypeIcon() string { return "cellular" }

// RegistrationState is always None: there is no modem to register.
func (*NoModemManager) RegistrationState() telephony.RegistrationState {
	return telephony.RegistrationNone
}

// RegistrationMessage says flight mode, else nothing: the placeholder
// stays out of the refusals of ordinary numbers.
func (m *NoModemManager) RegistrationMessage() string {
	if m.st.get().FlightMode {
		return MsgFlightMode
	}
	return ""
}

// RegistrationIcon returns "flightmode" or "cellular-offline".
func (m *NoModemManager) RegistrationIcon() string {
	if m.st.get().FlightMode {
		return "flightmode"
	}
	return "cellular-offline"
}

// Handling is NeverHandle for an emergency number in flight mode and
// CannotHandle otherwise.
func (m *NoModemManager) Handling(number string) Handling {
	if m.st.get().FlightMode && m.emergency.Contains(number) {
		return NeverHandle
	}
	return CannotHandle
}

// Reason gives the flight-mode words for an emergency number in flight
// mode, and nothing otherwise: an ordinary number's refusal is the other
// services' (an emergency number's is Decide's, with EmergencyExcuse).
func (m *NoModemManager) Reason(number string) string {
	if m.st.get().FlightMode && m.emergency.Contains(number) {
		return FlightModeEmergencyRefusal(number)
	}
	return ""
}

// IsAvailable is always false.
func (m *NoModemManager) IsAvailable(string) bool { return false }

// EmergencyExcuse is the placeholder's part of an emergency refusal.
func (m *NoModemManager) EmergencyExcuse(string) string { return "no cellular modem" }

// EmergencyExcuser is a Manager that says in a few words why it cannot
// place an emergency call, for the refusal Decide gives when nothing can
// ("No service can place emergency calls: no cellular modem, and ...").
type EmergencyExcuser interface {
	EmergencyExcuse(number string) string
}

// EmergencyExcuse says why the Asterisk account cannot place an emergency
// call ("" when it can).
func (m *AsteriskManager) EmergencyExcuse(string) string {
	in := m.st.get()
	switch {
	case in.Registration != telephony.RegistrationHome:
		return fmt.Sprintf("the Asterisk account is not registered (%s)", in.Registration)
	case !in.EmergencyCapable:
		return "the Asterisk account is not emergency-capable"
	}
	return ""
}

// EmergencyExcuse says a generic service does not place emergency calls.
func (g *GenericManager) EmergencyExcuse(string) string {
	return g.service + " does not place emergency calls"
}

// ErrNoEmergencyService reports that no service can place an emergency
// call; it wraps ErrNoNetwork.
var ErrNoEmergencyService = fmt.Errorf("%w for emergency calls", ErrNoNetwork)

// noEmergencyError is the refusal of an emergency number nothing can
// place, in the words a person reads (no "no network").
type noEmergencyError struct{ excuses []string }

func (e *noEmergencyError) Error() string {
	return "No service can place emergency calls: " + strings.Join(e.excuses, ", and ")
}

func (e *noEmergencyError) Unwrap() error { return ErrNoEmergencyService }

// emergencyRefusal is the error of an emergency number no manager can
// place, when the placeholder for the cellular radio is among them; nil
// otherwise (the usual "no network" reasons apply).
func emergencyRefusal(number string, ranked []Manager) error {
	var excuses []string
	placeholder := false
	for _, m := range ranked {
		if _, ok := m.(*NoModemManager); ok {
			placeholder = true
		}
		if e, ok := m.(EmergencyExcuser); ok {
			if s := e.EmergencyExcuse(number); s != "" {
				excuses = append(excuses, s)
			}
		} else if r := reason(m, number); r != "" {
			excuses = append(excuses, r)
		}
	}
	if !placeholder {
		return nil
	}
	return &noEmergencyError{excuses: excuses}
}
