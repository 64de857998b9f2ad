package ctl

import (
	"fmt"
	"slices"

	"github.com/ringo-phone/ringo/telephony"
)

// selector says which call a command acts on: the newest call that fits,
// or the call named by ID, which must fit as well (or, for some commands,
// fit a wider set of states).
type selector struct {
	what string // "connected": the command acts on the newest connected call
	fits func(Call) bool
	// namedWhat and named, when set, are what a call named by ID may be.
	namedWhat string
	named     func(Call) bool
}

// The selectors of the call commands; phonectl help prints their words.
var (
	selAnswer   = selector{what: "incoming", fits: isState("Incoming")}
	selHangup   = selector{what: "live", fits: func(c Call) bool { return !c.Final() }}
	selHold     = selector{what: "connected", fits: isState("Connected")}
	selActivate = selector{what: "held", fits: isState("Hold")}
	selTone     = selector{what: "connected", fits: isState("Connected")}
	// A held call is transferred only when named: the newest call may be
	// held while the one the user talks to is connected.
	selTransfer = selector{what: "connected", fits: isState("Connected"),
		namedWhat: "connected or held", named: isState("Connected", "Hold")}
)

// describe is the call the command acts on without an ID.
func (s selector) describe() string { return "the newest " + s.what + " call" }

// allowed says what a call named by ID must be.
func (s selector) allowed() string {
	if s.namedWhat != "" {
		return s.namedWhat
	}
	return s.what
}

func (s selector) namedFits(c Call) bool {
	if s.named != nil {
		return s.named(c)
	}
	return s.fits(c)
}

// pick finds the call: id's, or the newest that fits.
func (s selector) pick(t *callTable, id string) (Call, error) {
	if id == "" {
		cl, ok := t.newest(s.fits)
		if !ok {
			return Call{}, fmt.Errorf("%w: there is no %s call", ErrNoCall, s.what)
		}
		return cl, nil
	}
	p, ok := t.Get(id)
	if !ok || p.State == "" {
		return Call{}, fmt.Errorf("%w: %s", ErrNoCall, id)
	}
	if !s.namedFits(p) {
		return Call{}, fmt.Errorf("%w: call %s is %s, not %s", ErrNoCall, id, p.State, s.allowed())
	}
	return p, nil
}

func isState(states ...string) func(Call) bool {
	return func(c Call) bool { return slices.Contains(states, c.State) }
}

// canBecome reports whether a call in state from may still be in state to
// later. It errs on the side of yes: any live call may end in any way.
func canBecome(from, to telephony.CallState) bool {
	switch {
	case from == to:
		return true
	case from.Final():
		return false
	case to.Final():
		return true
	}
	switch from {
	case telephony.CallIdle:
		return to != telephony.CallIdle
	case telephony.CallIncoming:
		return to == telephony.CallConnected || to == telephony.CallHold
	case telephony.CallDialing:
		return to == telephony.CallAlerting || to == telephony.CallConnected || to == telephony.CallHold
	case telephony.CallAlerting, telephony.CallConnected, telephony.CallHold:
		return to == telephony.CallConnected || to == telephony.CallHold
	}
	return true // a state this phonectl does not know
}

// past reports whether c can no longer be in want.
func past(c Call, want telephony.CallState) bool {
	st, err := telephony.ParseCallState(c.State)
	return err == nil && !canBecome(st, want)
}

// verdict is what wait makes of the watched call's state: done (nil
// error: it is in want; else why it never will be), or not yet.
func verdict(c Call, want telephony.CallState) (done bool, err error) {
	st, perr := telephony.ParseCallState(c.State)
	switch {
	case perr != nil:
		return false, nil
	case st == want:
		return true, nil
	case st.Final():
		return true, fmt.Errorf("%w: call %s ended in %s, not %s", ErrEnded, c.ID, c.State, want)
	case !canBecome(st, want):
		return true, fmt.Errorf("%w: call %s is %s and can no longer be %s", ErrPassed, c.ID, c.State, want)
	}
	return false, nil
}
