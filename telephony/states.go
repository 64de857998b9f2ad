package telephony

import (
	"fmt"
	"strings"
)

// RegistrationState is a service's network registration, as
// QTelephony::RegistrationState. Its String is what the value space holds.
type RegistrationState uint8

// Registration states.
const (
	RegistrationNone RegistrationState = iota
	RegistrationHome
	RegistrationSearching
	RegistrationDenied
	RegistrationUnknown
	RegistrationRoaming
)

var registrationNames = []string{"None", "Home", "Searching", "Denied", "Unknown", "Roaming"}

func (s RegistrationState) String() string { return name(registrationNames, int(s)) }

// Registered reports whether calls can be placed in state s (Home or
// Roaming).
func (s RegistrationState) Registered() bool {
	return s == RegistrationHome || s == RegistrationRoaming
}

// ParseRegistrationState parses the value-space form ("Home", ...).
func ParseRegistrationState(s string) (RegistrationState, error) {
	i, err := parse(registrationNames, s, "registration state")
	return RegistrationState(i), err
}

// OperatorMode is how the operator is chosen, as QTelephony::OperatorMode.
type OperatorMode uint8

// Operator modes.
const (
	OperatorModeAutomatic OperatorMode = iota
	OperatorModeManual
	OperatorModeDeregister
	OperatorModeManualAutomatic
)

var modeNames = []string{"Automatic", "Manual", "Deregister", "ManualAutomatic"}

func (m OperatorMode) String() string { return name(modeNames, int(m)) }

// ParseOperatorMode parses "Automatic", "Manual", "Deregister" or
// "ManualAutomatic".
func ParseOperatorMode(s string) (OperatorMode, error) {
	i, err := parse(modeNames, s, "operator mode")
	return OperatorMode(i), err
}

// CallState is the state of a phone call, as QPhoneCall::State.
type CallState uint8

// Call states. The ones from HangupLocal on are final: the call is over.
const (
	CallIdle CallState = iota
	CallIncoming
	CallDialing
	CallAlerting
	CallConnected
	CallHold
	CallHangupLocal
	CallHangupRemote
	CallMissed
	CallNetworkFailure
	CallOtherFailure
	CallServiceHangup
)

var callStateNames = []string{"Idle", "Incoming", "Dialing", "Alerting", "Connected", "Hold",
	"HangupLocal", "HangupRemote", "Missed", "NetworkFailure", "OtherFailure", "ServiceHangup"}

func (s CallState) String() string { return name(callStateNames, int(s)) }

// Final reports whether the call is over in this state.
func (s CallState) Final() bool { return s >= CallHangupLocal && int(s) < len(callStateNames) }

// ParseCallState parses a state name such as "Connected".
func ParseCallState(s string) (CallState, error) {
	i, err := parse(callStateNames, s, "call state")
	return CallState(i), err
}

// CallStates returns every call state in order.
func CallStates() []CallState {
	out := make([]CallState, len(callStateNames))
	for i := range out {
		out[i] = CallState(i)
	}
	return out
}

// Scope says whether hangup or activate applies to one call or its group.
type Scope uint8

// Scopes.
const (
	ScopeCallOnly Scope = iota
	ScopeGroup
)

var scopeNames = []string{"CallOnly", "Group"}

func (s Scope) String() string { return name(scopeNames, int(s)) }

// ParseScope parses "CallOnly" or "Group".
func ParseScope(s string) (Scope, error) {
	i, err := parse(scopeNames, s, "scope")
	return Scope(i), err
}

// Actions is the set of requests a call accepts in its current state, as
// QPhoneCallImpl::Actions.
type Actions uint32

// Actions.
const (
	ActionAccept Actions = 1 << iota
	ActionHold
	ActionActivate
	ActionTone
	ActionTransfer
)

var actionNames = []string{"accept", "hold", "activate", "tone", "transfer"}

func (a Actions) String() string {
	var parts []string
	for i, n := range actionNames {
		if a&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// PresenceStatus is a presence state, as QPresence::Status.
type PresenceStatus uint8

// Presence states.
const (
	PresenceUnavailable PresenceStatus = iota
	PresenceAvailable
)

var presenceNames = []string{"Unavailable", "Available"}

func (p PresenceStatus) String() string { return name(presenceNames, int(p)) }

// ParsePresenceStatus parses "Unavailable" or "Available".
func ParsePresenceStatus(s string) (PresenceStatus, error) {
	i, err := parse(presenceNames, s, "presence status")
	return PresenceStatus(i), err
}

func name(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("invalid(%d)", i)
}

func parse(names []string, s, what string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(n, s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: %s %q (one of %s)", ErrBadState, what, s, strings.Join(names, ", "))
}
