package policy

import "fmt"

// Handling is a manager's answer for one dialled number.
type Handling int

// The Handling values, as in QAbstractCallPolicyManager::CallHandling.
const (
	CannotHandle Handling = iota
	CanHandle
	MustHandle
	NeverHandle
)

func (h Handling) String() string {
	switch h {
	case CannotHandle:
		return "CannotHandle"
	case CanHandle:
		return "CanHandle"
	case MustHandle:
		return "MustHandle"
	case NeverHandle:
		return "NeverHandle"
	}
	return fmt.Sprintf("Handling(%d)", int(h))
}

// RegistrationState mirrors QTelephony::RegistrationState. Its values are the
// strings published in the value space.
type RegistrationState string

// The registration states.
const (
	RegistrationNone      RegistrationState = "None"
	RegistrationHome      RegistrationState = "Home"
	RegistrationSearching RegistrationState = "Searching"
	RegistrationDenied    RegistrationState = "Denied"
	RegistrationUnknown   RegistrationState = "Unknown"
	RegistrationRoaming   RegistrationState = "Roaming"
)

// ParseRegistrationState checks that s is one of the six state strings.
func ParseRegistrationState(s string) (RegistrationState, error) {
	switch st := RegistrationState(s); st {
	case RegistrationNone, RegistrationHome, RegistrationSearching,
		RegistrationDenied, RegistrationUnknown, RegistrationRoaming:
		return st, nil
	}
	return "", fmt.Errorf("%w: %q (want None, Home, Searching, Denied, Unknown or Roaming)", ErrBadState, s)
}

// Registered reports whether calls can be placed in state s (Home or
// Roaming).
func (s RegistrationState) Registered() bool {
	return s == RegistrationHome || s == RegistrationRoaming
}

// Manager is a call policy manager: one per telephony service.
type Manager interface {
	// Service is the telephony service name, e.g. "asterisk"; the
	// Priority configuration lists these names.
	Service() string
	// CallType is the call type the service publishes, e.g. "Asterisk".
	CallType() string
	// DisplayName is the call type as shown to the user.
	DisplayName() string
	// CallTypeIcon names the icon of the call type.
	CallTypeIcon() string
	// RegistrationState is the service's current registration state.
	RegistrationState() RegistrationState
	// RegistrationMessage explains the state to the user ("" when
	// registered and there is nothing to say).
	RegistrationMessage() string
	// RegistrationIcon names the icon of the current registration state.
	RegistrationIcon() string
	// Handling says whether the service can place a call to number now.
	Handling(number string) Handling
	// IsAvailable reports whether the service can be offered for number
	// (its Handling is CanHandle or MustHandle).
	IsAvailable(number string) bool
}
