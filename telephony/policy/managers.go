package policy

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ringo-phone/ringo/telephony"
)

// Kind names a call policy rule: which Manager a service gets is data, the
// [Managers] section of Telephony.conf, with defaults for the two reserved
// service names (see Config.ManagerKind).
type Kind string

// The kinds of manager.
const (
	// KindAsterisk applies AsteriskRule (VoIP through an Asterisk PBX).
	KindAsterisk Kind = "asterisk"
	// KindModem applies ModemRule (a cellular modem).
	KindModem Kind = "modem"
	// KindGeneric applies GenericRule (any other registered service).
	KindGeneric Kind = "generic"
)

// Kinds lists the kinds of manager, for messages.
func Kinds() []Kind { return []Kind{KindAsterisk, KindModem, KindGeneric} }

// Inputs are what the phone server knows of a service and feeds its
// manager whenever it changes.
type Inputs struct {
	// Registration is the service's registration state (a service that
	// publishes no network registration is Home once it is ready).
	Registration telephony.RegistrationState
	// FlightMode is the effective flight mode (switch or request).
	FlightMode bool
	// CallTypes are the call types the service publishes; a generic
	// manager places calls with the first.
	CallTypes []string
	// EmergencyCapable: an Asterisk account that routes emergency numbers
	// (Asterisk.conf [Registration] EmergencyCapable).
	EmergencyCapable bool
	// SIMEmergency are the emergency numbers a modem's SIM adds (EF_ECC):
	// every manager treats them as emergency numbers, as the configured
	// ones.
	SIMEmergency []string
}

// Fed is a Manager whose inputs the phone server updates.
type Fed interface {
	Manager
	Reasoner
	Update(Inputs)
}

// NewManager returns the manager of kind for service, configured by cfg.
func NewManager(kind Kind, service string, cfg Config) (Fed, error) {
	switch kind {
	case KindAsterisk:
		m := NewAsteriskManager(AsteriskRule{Emergency: cfg.Emergency})
		m.service = service
		return m, nil
	case KindModem:
		m := NewModemManager(ModemRule{Emergency: cfg.Emergency})
		m.service = service
		return m, nil
	case KindGeneric:
		return NewGenericManager(service, GenericRule{Emergency: cfg.Emergency}), nil
	}
	return nil, fmt.Errorf("%w: unknown manager %q for %s (want one of %v)", ErrBadConfig, kind, service, Kinds())
}

// state is a manager's inputs, safe for concurrent use.
type state struct {
	mu sync.Mutex
	in Inputs
}

func (s *state) update(f func(*Inputs)) {
	s.mu.Lock()
	f(&s.in)
	s.mu.Unlock()
}

func (s *state) get() Inputs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.in
}

// AsteriskManager is the Manager of an Asterisk VoIP service, by default
// the service "asterisk" with call type "Asterisk". The phone server feeds
// it the registration state it reads from the value space. It is safe for
// concurrent use.
type AsteriskManager struct {
	rule    AsteriskRule
	service string
	st      state
}

// NewAsteriskManager returns a manager of the service "asterisk" in state
// None; rule.EmergencyCapable is its initial emergency capability.
func NewAsteriskManager(rule AsteriskRule) *AsteriskManager {
	m := &AsteriskManager{rule: rule, service: "asterisk"}
	m.st.in = Inputs{Registration: telephony.RegistrationNone, EmergencyCapable: rule.EmergencyCapable}
	return m
}

// Update records the service's inputs.
func (m *AsteriskManager) Update(in Inputs) { m.st.update(func(s *Inputs) { *s = in }) }

// SetRegistrationState records the service's registration state.
func (m *AsteriskManager) SetRegistrationState(st telephony.RegistrationState) {
	m.st.update(func(s *Inputs) { s.Registration = st })
}

func (m *AsteriskManager) rulenow() (AsteriskRule, telephony.RegistrationState) {
	in := m.st.get()
	r := m.rule
	r.EmergencyCapable = in.EmergencyCapable
	r.Emergency = r.Emergency.With(in.SIMEmergency...)
	return r, in.Registration
}

// Service returns the service's name ("asterisk" by default).
func (m *AsteriskManager) Service() string { return m.service }

// CallType returns "Asterisk".
func (*AsteriskManager) CallType() string { return "Asterisk" }

// DisplayName returns "Asterisk".
func (*AsteriskManager) DisplayName() string { return "Asterisk" }

// CallTypeIcon returns "asterisk".
func (*AsteriskManager) CallTypeIcon() string { return "asterisk" }

// RegistrationState returns the last state set.
func (m *AsteriskManager) RegistrationState() telephony.RegistrationState {
	return m.st.get().Registration
}

// RegistrationMessage applies AsteriskRule.RegistrationMessage.
func (m *AsteriskManager) RegistrationMessage() string {
	return m.rule.RegistrationMessage(m.RegistrationState())
}

// RegistrationIcon returns "asterisk" when registered Home, else
// "asterisk-offline".
func (m *AsteriskManager) RegistrationIcon() string {
	if m.RegistrationState() == telephony.RegistrationHome {
		return "asterisk"
	}
	return "asterisk-offline"
}

// Handling applies AsteriskRule.Handling.
func (m *AsteriskManager) Handling(number string) Handling {
	r, st := m.rulenow()
	return r.Handling(number, st)
}

// Reason applies AsteriskRule.Reason.
func (m *AsteriskManager) Reason(number string) string {
	r, st := m.rulenow()
	return prefixed(m.service, r.Reason(number, st))
}

// IsAvailable reports whether Handling is CanHandle or MustHandle.
func (m *AsteriskManager) IsAvailable(number string) bool {
	return available(m.Handling(number))
}

// ModemManager is the Manager of a cellular modem service, by default the
// service "modem" with call type "Voice". It is safe for concurrent use.
type ModemManager struct {
	rule    ModemRule
	service string
	st      state
}

// NewModemManager returns a manager of the service "modem" in state None
// with flight mode off.
func NewModemManager(rule ModemRule) *ModemManager {
	m := &ModemManager{rule: rule, service: "modem"}
	m.st.in.Registration = telephony.RegistrationNone
	return m
}

// Update records the service's inputs.
func (m *ModemManager) Update(in Inputs) { m.st.update(func(s *Inputs) { *s = in }) }

// SetRegistrationState records the modem's registration state.
func (m *ModemManager) SetRegistrationState(st telephony.RegistrationState) {
	m.st.update(func(s *Inputs) { s.Registration = st })
}

// SetFlightMode records the effective flight mode.
func (m *ModemManager) SetFlightMode(on bool) { m.st.update(func(s *Inputs) { s.FlightMode = on }) }

// FlightMode reports the last flight mode set.
func (m *ModemManager) FlightMode() bool { return m.st.get().FlightMode }

// Service returns the service's name ("modem" by default).
func (m *ModemManager) Service() string { return m.service }

// CallType returns "Voice", the GSM voice call type of Qt Extended.
func (*ModemManager) CallType() string { return "Voice" }

// DisplayName returns "Cellular".
func (*ModemManager) DisplayName() string { return "Cellular" }

// CallTypeIcon returns "cellular".
func (*ModemManager) CallTypeIcon() string { return "cellular" }

// RegistrationState returns the last state set.
func (m *ModemManager) RegistrationState() telephony.RegistrationState {
	return m.st.get().Registration
}

// RegistrationMessage applies ModemRule.RegistrationMessage.
func (m *ModemManager) RegistrationMessage() string {
	in := m.st.get()
	return m.rule.RegistrationMessage(in.Registration, in.FlightMode)
}

// RegistrationIcon returns "flightmode", "cellular", "cellular-roaming" or
// "cellular-offline".
func (m *ModemManager) RegistrationIcon() string {
	in := m.st.get()
	switch {
	case in.FlightMode:
		return "flightmode"
	case in.Registration == telephony.RegistrationHome:
		return "cellular"
	case in.Registration == telephony.RegistrationRoaming:
		return "cellular-roaming"
	}
	return "cellular-offline"
}

// Handling applies ModemRule.Handling.
func (m *ModemManager) Handling(number string) Handling {
	in := m.st.get()
	return m.rulenow(in).Handling(number, in.Registration, in.FlightMode)
}

// rulenow is the rule with the SIM's emergency numbers added.
func (m *ModemManager) rulenow(in Inputs) ModemRule {
	r := m.rule
	r.Emergency = r.Emergency.With(in.SIMEmergency...)
	return r
}

// Reason applies ModemRule.Reason.
func (m *ModemManager) Reason(number string) string {
	in := m.st.get()
	rule := m.rulenow(in)
	r := rule.Reason(number, in.Registration, in.FlightMode)
	if rule.Handling(number, in.Registration, in.FlightMode) == NeverHandle {
		return r // the contract's words, without a prefix
	}
	return prefixed(m.service, r)
}

// IsAvailable reports whether Handling is CanHandle or MustHandle.
func (m *ModemManager) IsAvailable(number string) bool {
	return available(m.Handling(number))
}

// GenericManager is the Manager of a third-party service mapped to
// "generic" in Telephony.conf [Managers]. Its call type is the first one
// the service published ("" until then: Decide is not given a manager
// without a call type). It is safe for concurrent use.
type GenericManager struct {
	rule    GenericRule
	service string
	st      state
}

// NewGenericManager returns a manager of service in state None.
func NewGenericManager(service string, rule GenericRule) *GenericManager {
	m := &GenericManager{rule: rule, service: service}
	m.st.in.Registration = telephony.RegistrationNone
	return m
}

// Update records the service's inputs.
func (g *GenericManager) Update(in Inputs) {
	in.CallTypes = slices.Clone(in.CallTypes)
	in.SIMEmergency = slices.Clone(in.SIMEmergency)
	g.st.update(func(s *Inputs) { *s = in })
}

// Service returns the service's name.
func (g *GenericManager) Service() string { return g.service }

// CallType returns the first call type the service published.
func (g *GenericManager) CallType() string {
	if t := g.st.get().CallTypes; len(t) > 0 {
		return t[0]
	}
	return ""
}

// DisplayName returns the call type.
func (g *GenericManager) DisplayName() string { return g.CallType() }

// CallTypeIcon returns "generic".
func (g *GenericManager) CallTypeIcon() string { return "generic" }

// RegistrationState returns the last state set.
func (g *GenericManager) RegistrationState() telephony.RegistrationState {
	return g.st.get().Registration
}

// RegistrationMessage says "<service>: not registered (<state>)" unless
// the service is registered.
func (g *GenericManager) RegistrationMessage() string {
	if st := g.RegistrationState(); !st.Registered() {
		return fmt.Sprintf("%s: not registered (%s)", g.service, st)
	}
	return ""
}

// RegistrationIcon returns "generic" when registered, else
// "generic-offline".
func (g *GenericManager) RegistrationIcon() string {
	if g.RegistrationState().Registered() {
		return "generic"
	}
	return "generic-offline"
}

// Handling applies GenericRule.Handling.
func (g *GenericManager) Handling(number string) Handling {
	in := g.st.get()
	r := g.rule
	r.Emergency = r.Emergency.With(in.SIMEmergency...)
	return r.Handling(number, in.Registration)
}

// Reason applies GenericRule.Reason.
func (g *GenericManager) Reason(number string) string {
	in := g.st.get()
	r := g.rule
	r.Emergency = r.Emergency.With(in.SIMEmergency...)
	return prefixed(g.service, r.Reason(number, in.Registration))
}

// IsAvailable reports whether Handling is CanHandle or MustHandle.
func (g *GenericManager) IsAvailable(number string) bool {
	return available(g.Handling(number))
}

// prefixed names the service before a reason; no reason stays "".
func prefixed(service, reason string) string {
	if reason == "" {
		return ""
	}
	return service + ": " + reason
}

func available(h Handling) bool { return h == CanHandle || h == MustHandle }

// isURI reports whether number is an address for another call type.
func isURI(number string) bool { return strings.ContainsAny(number, "@:") }
