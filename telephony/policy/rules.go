package policy

import "strings"

// AsteriskRule is the Asterisk (IAX2) service's handling rule, from the
// Qt Extended VoIP integration guide, extended with emergency numbers:
//
//   - a number with '@' or ':' is a URI for another call type: CannotHandle;
//   - not registered Home: CannotHandle;
//   - an emergency number: CannotHandle unless EmergencyCapable (set from
//     Asterisk.conf [Registration] EmergencyCapable);
//   - otherwise CanHandle.
type AsteriskRule struct {
	Emergency        EmergencyNumbers
	EmergencyCapable bool
}

// Handling applies the rule to number in registration state st.
func (r AsteriskRule) Handling(number string, st RegistrationState) Handling {
	if strings.ContainsAny(number, "@:") {
		return CannotHandle
	}
	if st != RegistrationHome {
		return CannotHandle
	}
	if r.Emergency.Contains(number) && !r.EmergencyCapable {
		return CannotHandle
	}
	return CanHandle
}

// The Asterisk registration messages.
const (
	MsgNoAsteriskNetwork        = "No Asterisk network"
	MsgSearchingAsteriskNetwork = "Searching for Asterisk network"
	MsgAsteriskAuthFailed       = "Asterisk Authentication Failed"
)

// RegistrationMessage returns the message for st: "" when registered Home,
// "Searching for Asterisk network" while searching, "Asterisk Authentication
// Failed" when denied, and "No Asterisk network" otherwise.
func (AsteriskRule) RegistrationMessage(st RegistrationState) string {
	switch st {
	case RegistrationHome:
		return ""
	case RegistrationSearching:
		return MsgSearchingAsteriskNetwork
	case RegistrationDenied:
		return MsgAsteriskAuthFailed
	}
	return MsgNoAsteriskNetwork
}

// ModemRule is the cellular modem service's handling rule:
//
//   - flight mode on (the hardware switch powers the radio off and it cannot
//     be woken): emergency numbers NeverHandle, which rejects the call at
//     once instead of letting another service try; other numbers
//     CannotHandle, so VoIP over Wi-Fi keeps working in flight mode
//     (Qt Extended 4.4.3 answered CannotHandle for emergency numbers here);
//   - an emergency number: MustHandle, whatever the registration state
//     (cellular networks take emergency calls without registration);
//   - a number with '@' or ':': CannotHandle;
//   - registered Home or Roaming: CanHandle; otherwise CannotHandle.
type ModemRule struct {
	Emergency EmergencyNumbers
}

// Handling applies the rule to number in state st with the flight-mode
// switch in position flight.
func (r ModemRule) Handling(number string, st RegistrationState, flight bool) Handling {
	emergency := r.Emergency.Contains(number)
	switch {
	case flight && emergency:
		return NeverHandle
	case flight:
		return CannotHandle
	case emergency:
		return MustHandle
	case strings.ContainsAny(number, "@:"):
		return CannotHandle
	case st.Registered():
		return CanHandle
	}
	return CannotHandle
}

// The modem registration messages.
const (
	MsgFlightMode             = "Flight mode: the radio is off"
	MsgNoCellularNetwork      = "No cellular network"
	MsgSearchingCellular      = "Searching for cellular network"
	MsgCellularDenied         = "Cellular network registration denied"
	MsgCellularRoamingNetwork = "Roaming"
)

// RegistrationMessage returns the message for st and the flight switch.
func (ModemRule) RegistrationMessage(st RegistrationState, flight bool) string {
	if flight {
		return MsgFlightMode
	}
	switch st {
	case RegistrationHome:
		return ""
	case RegistrationRoaming:
		return MsgCellularRoamingNetwork
	case RegistrationSearching:
		return MsgSearchingCellular
	case RegistrationDenied:
		return MsgCellularDenied
	}
	return MsgNoCellularNetwork
}
