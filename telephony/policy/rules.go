package policy

import (
	"fmt"

	"github.com/ringo-phone/ringo/telephony"
)

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
func (r AsteriskRule) Handling(number string, st telephony.RegistrationState) Handling {
	if isURI(number) {
		return CannotHandle
	}
	if st != telephony.RegistrationHome {
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
func (AsteriskRule) RegistrationMessage(st telephony.RegistrationState) string {
	switch st {
	case telephony.RegistrationHome:
		return ""
	case telephony.RegistrationSearching:
		return MsgSearchingAsteriskNetwork
	case telephony.RegistrationDenied:
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
func (r ModemRule) Handling(number string, st telephony.RegistrationState, flight bool) Handling {
	emergency := r.Emergency.Contains(number)
	switch {
	case flight && emergency:
		return NeverHandle
	case flight:
		return CannotHandle
	case emergency:
		return MustHandle
	case isURI(number):
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
func (ModemRule) RegistrationMessage(st telephony.RegistrationState, flight bool) string {
	if flight {
		return MsgFlightMode
	}
	switch st {
	case telephony.RegistrationHome:
		return ""
	case telephony.RegistrationRoaming:
		return MsgCellularRoamingNetwork
	case telephony.RegistrationSearching:
		return MsgSearchingCellular
	case telephony.RegistrationDenied:
		return MsgCellularDenied
	}
	return MsgNoCellularNetwork
}

// notNumber is the reason for a URI.
func notNumber(number, what string) string {
	return fmt.Sprintf("%q is an address, not a number: %s calls take the digits of a number", number, what)
}

// Reason says why Handling(number, st) refuses the call, "" when it does
// not.
func (r AsteriskRule) Reason(number string, st telephony.RegistrationState) string {
	switch {
	case isURI(number):
		return notNumber(number, "Asterisk")
	case st == telephony.RegistrationDenied:
		return fmt.Sprintf("not registered (%s): %s; check UserId and Password with iaxsettings", st, r.RegistrationMessage(st))
	case st != telephony.RegistrationHome:
		return fmt.Sprintf("not registered (%s): %s", st, r.RegistrationMessage(st))
	case r.Emergency.Contains(number) && !r.EmergencyCapable:
		return fmt.Sprintf("%s is an emergency number, and this Asterisk account does not route emergency calls "+
			"(Asterisk.conf [Registration] EmergencyCapable is false)", number)
	}
	return ""
}

// FlightModeEmergencyRefusal is the refusal of an emergency call while
// flight mode is on: the house's contract words.
func FlightModeEmergencyRefusal(number string) string {
	return fmt.Sprintf("Flight mode is on: emergency calls cannot be placed. Turn flight mode off to call %s.", number)
}

// Reason says why Handling(number, st, flight) refuses the call, "" when it
// does not.
func (r ModemRule) Reason(number string, st telephony.RegistrationState, flight bool) string {
	emergency := r.Emergency.Contains(number)
	switch {
	case flight && emergency:
		return FlightModeEmergencyRefusal(number)
	case flight:
		return "flight mode is on: the radio is off (turn flight mode off to use the cellular network)"
	case emergency:
		return ""
	case isURI(number):
		return notNumber(number, "cellular")
	case !st.Registered():
		return fmt.Sprintf("not registered (%s): %s", st, r.RegistrationMessage(st, false))
	}
	return ""
}

// GenericRule is the rule of a third-party service mapped to "generic": it
// places any number that is not a URI and not an emergency number while the
// service is registered (Home or Roaming).
type GenericRule struct {
	Emergency EmergencyNumbers
}

// Handling applies the rule to number in registration state st.
func (r GenericRule) Handling(number string, st telephony.RegistrationState) Handling {
	if isURI(number) || r.Emergency.Contains(number) || !st.Registered() {
		return CannotHandle
	}
	return CanHandle
}

// Reason says why Handling(number, st) refuses the call, "" when it does
// not.
func (r GenericRule) Reason(number string, st telephony.RegistrationState) string {
	switch {
	case isURI(number):
		return notNumber(number, "this service's")
	case r.Emergency.Contains(number):
		return fmt.Sprintf("%s is an emergency number: only a cellular modem or an emergency-capable Asterisk account places emergency calls", number)
	case !st.Registered():
		return fmt.Sprintf("not registered (%s)", st)
	}
	return ""
}
