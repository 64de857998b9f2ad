package policy

import (
	"fmt"

	"github.com/ringo-phone/ringo/telephony"
)

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
	RegistrationState() telephony.RegistrationState
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

// A Reasoner is a Manager that says in words why it answers Handling(number)
// as it does ("" when it can place the call). Decide gives a refusal its
// causes from the managers that are Reasoners, and falls back to their
// registration messages for the others.
type Reasoner interface {
	Reason(number string) string
}
