package agent

import (
	"strconv"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/telephony"
)

// The registration's state machine: what the modem says in +CREG, as
// QTelephony::RegistrationState. The modem registers by itself; the agent
// follows it, and says None while it cannot talk to the modem.
//
//	+CREG stat          state
//	0 not searching     None
//	1 home              Home
//	2 searching         Searching
//	3 denied            Denied
//	4 unknown           Unknown
//	5 roaming           Roaming
//
// These are all the transitions: the stat event takes every state to the
// state of its +CREG status (the table above), link-down takes every
// state to None. registration.transition is the code of this table, and
// a test holds them to each other:
//
//	from             event            to         actions
//	any              stat registered  Home or Roaming  operator (when it was not registered)
//	any              stat other       its state  forget (when it was registered)
//	any              link-down        None       forget (when it was registered)
//
// operator asks the modem for the operator's name and id (AT+COPS?);
// forget publishes that there is none. Denied says so as the
// registration problem; any other state clears it.
//
// Agent.regStep, the only caller of transition, publishes each change
// once; it runs on the loop.

type regEvent uint8

// Registration events.
const (
	regStat     regEvent = iota // a +CREG status arrived (URC or answer)
	regLinkDown                 // the modem is not connected
)

func (e regEvent) String() string {
	switch e {
	case regStat:
		return "stat"
	case regLinkDown:
		return "link-down"
	}
	return "regEvent(" + strconv.Itoa(int(e)) + ")"
}

type regActions uint8

// Registration actions.
const (
	regOperator regActions = 1 << iota
	regForget
)

// registration is the service's registration. Owned by the loop.
type registration struct {
	// state is what the service publishes; only transition assigns it.
	state telephony.RegistrationState
	// mode is the operator selection the user asked for.
	mode telephony.OperatorMode
	// operator is the current operator's long name, id and technology.
	name, id, tech string
	problem        string
}

// stateOf maps a +CREG status to the registration state.
func stateOf(st modem.RegStat) telephony.RegistrationState {
	switch st {
	case modem.RegHome:
		return telephony.RegistrationHome
	case modem.RegRoaming:
		return telephony.RegistrationRoaming
	case modem.RegSearching:
		return telephony.RegistrationSearching
	case modem.RegDenied:
		return telephony.RegistrationDenied
	case modem.RegUnknown:
		return telephony.RegistrationUnknown
	}
	return telephony.RegistrationNone
}

// transition moves r.state on ev (with the +CREG status st) and returns
// the actions: the table above, written as code. It is the only code
// that assigns r.state.
func (r *registration) transition(ev regEvent, st modem.RegStat) regActions {
	was := r.state.Registered()
	switch ev {
	case regStat:
		r.state = stateOf(st)
	case regLinkDown:
		r.state = telephony.RegistrationNone
	default:
		return 0
	}
	switch now := r.state.Registered(); {
	case now && !was:
		return regOperator
	case !now && was:
		return regForget
	}
	return 0
}
