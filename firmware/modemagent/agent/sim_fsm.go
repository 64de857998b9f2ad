package agent

import (
	"strconv"
)

// The SIM's state machine, from the modem's +CPIN answers and the PIN
// the agent sends:
//
//	Unknown    not asked yet, or the modem is not connected
//	Absent     no SIM card: only emergency calls
//	Locked     the SIM needs its PIN and there is none to try
//	Unlocking  the PIN from modem-pin was sent; waiting for the answer
//	Refused    the SIM refused that PIN: it is not sent again (three
//	           wrong tries block a SIM); a different PIN in the file is
//	Blocked    the SIM needs its PUK: a state, never a retry loop; the
//	           agent sends the SIM nothing
//	Failed     the SIM is broken or wants another code (PH-SIM PIN, ...)
//	Ready      unlocked: the service is valid
//
// These are all the transitions; any other (state, event) pair leaves the
// state as it is and does nothing. simCard.transition is the code of this
// table, and a test holds them to each other:
//
//	from       event      to         actions
//	any        link-down  Unknown    clear
//	any        ready      Ready      clear
//	any        absent     Absent     say
//	any        puk        Blocked    say
//	any        other      Failed     say
//	Unknown    pin        Unlocking  send
//	Unknown    no-pin     Locked     say
//	Absent     pin        Unlocking  send
//	Absent     no-pin     Locked     say
//	Locked     pin        Unlocking  send
//	Locked     no-pin     Locked     say
//	Refused    pin        Unlocking  send
//	Refused    no-pin     Refused    say
//	Ready      pin        Unlocking  send
//	Ready      no-pin     Locked     say
//	Failed     pin        Unlocking  send
//	Failed     no-pin     Locked     say
//	Unlocking  accepted   Unknown    ask
//	Unlocking  refused    Refused    say
//
// pin is +CPIN: SIM PIN with a PIN in modem-pin that the SIM has not
// refused; no-pin the same without one (no file, a file open to others,
// or the refused PIN again). send sends it; ask asks +CPIN? again. The
// "any" rows come first. say publishes the problem in simCard.problem's
// words; clear removes it.

type simState uint8

// SIM states.
const (
	simUnknown simState = iota
	simAbsent
	simLocked
	simUnlocking
	simRefused
	simBlocked
	simFailed
	simReady
)

var simStateNames = [...]string{"Unknown", "Absent", "Locked", "Unlocking", "Refused", "Blocked", "Failed", "Ready"}

func (s simState) String() string {
	if int(s) < len(simStateNames) {
		return simStateNames[s]
	}
	return "simState(" + strconv.Itoa(int(s)) + ")"
}

type simEvent uint8

// SIM events.
const (
	simLinkDown simEvent = iota
	simAnswerReady
	simAnswerAbsent
	simAnswerPUK
	simAnswerOther
	simAnswerPIN   // +CPIN: SIM PIN, and a PIN to try
	simAnswerNoPIN // +CPIN: SIM PIN, and none to try
	simAccepted
	simRefusedPIN
)

var simEventNames = [...]string{"link-down", "ready", "absent", "puk", "other", "pin", "no-pin", "accepted", "refused"}

func (e simEvent) String() string {
	if int(e) < len(simEventNames) {
		return simEventNames[e]
	}
	return "simEvent(" + strconv.Itoa(int(e)) + ")"
}

type simActions uint8

// SIM actions.
const (
	simClear simActions = 1 << iota
	simSay
	simSend
	simAsk
)

// simCard is the agent's view of the SIM. Owned by the loop.
type simCard struct {
	// state is where the SIM stands; only transition assigns it.
	state simState
	// code is the +CPIN answer behind Failed.
	code string
	// refused is the digest of the PIN the SIM refused, never the PIN.
	refused [32]byte
	problem string
}

// transition moves s.state on ev and returns the actions: the table
// above, written as code. It is the only code that assigns s.state.
func (s *simCard) transition(ev simEvent) simActions {
	switch ev {
	case simLinkDown:
		s.state = simUnknown
		return simClear
	case simAnswerReady:
		s.state = simReady
		return simClear
	case simAnswerAbsent:
		s.state = simAbsent
		return simSay
	case simAnswerPUK:
		s.state = simBlocked
		return simSay
	case simAnswerOther:
		s.state = simFailed
		return simSay
	}
	switch s.state {
	case simUnknown, simAbsent, simLocked, simReady, simFailed:
		switch ev {
		case simAnswerPIN:
			s.state = simUnlocking
			return simSend
		case simAnswerNoPIN:
			s.state = simLocked
			return simSay
		}
	case simRefused:
		switch ev {
		case simAnswerPIN:
			s.state = simUnlocking
			return simSend
		case simAnswerNoPIN:
			return simSay
		}
	case simUnlocking:
		switch ev {
		case simAccepted:
			s.state = simUnknown
			return simAsk
		case simRefusedPIN:
			s.state = simRefused
			return simSay
		}
	}
	return 0
}
