package agent

import (
	"strconv"

	"github.com/ringo-phone/ringo/telephony"
)

// The call state machine, one per call, as QPhoneCall::State names the
// states. A call is Idle until its first transition, and Idle is never
// published: an outgoing call first appears as Dialing (or refused), an
// incoming one as Incoming. The states from HangupLocal on are final: the
// call is over and forgotten.
//
// These are all the transitions; any other (state, event) pair leaves the
// state as it is and does nothing. call.transition is the code of this
// table, and a test holds them to each other:
//
//	from       event        to              actions
//	Idle       dial         Dialing         hold-others
//	Idle       stopping     ServiceHangup
//	Idle       too-many     OtherFailure
//	Idle       no-network   NetworkFailure
//	Idle       bad-number   OtherFailure
//	Idle       offer        Incoming
//	Idle       end-local    HangupLocal
//	Incoming   answered     Connected       hold-others
//	Incoming   end-local    HangupLocal
//	Incoming   end-remote   Missed
//	Incoming   lost         Missed
//	Dialing    ringing      Alerting
//	Dialing    answered     Connected       hold-others
//	Dialing    end-local    HangupLocal
//	Dialing    end-remote   HangupRemote
//	Dialing    lost         NetworkFailure
//	Alerting   answered     Connected       hold-others
//	Alerting   end-local    HangupLocal
//	Alerting   end-remote   HangupRemote
//	Alerting   lost         NetworkFailure
//	Connected  hold         Hold
//	Connected  end-local    HangupLocal
//	Connected  end-remote   HangupRemote
//	Connected  lost         NetworkFailure
//	Hold       activate     Connected       hold-others
//	Hold       end-local    HangupLocal
//	Hold       end-remote   HangupRemote
//	Hold       lost         NetworkFailure
//
// At most one call is active (Connected): every transition into Dialing
// or Connected holds the call that was active, in the same state
// transaction, and only the active call has audio. A held call that iax
// reports answered stays Hold (connected underneath, held by us).
//
// call.step, the only caller of transition, publishes each change once,
// with the actions the new state allows, inside the agent's current state
// transaction. Every event reaches it on the agent's loop goroutine.

// callEvent is what happens to a call.
type callEvent uint8

// Call events.
const (
	// callDial: the user dialled and iax sent NEW.
	callDial callEvent = iota
	// callStopping: a dial refused because the service is stopping.
	callStopping
	// callTooMany: a dial refused because MaxCalls calls exist.
	callTooMany
	// callNoNetwork: a dial refused because the account is not
	// registered Home, or iax would not place the call.
	callNoNetwork
	// callBadNumber: a dial refused because the number is not one
	// (telephony.CheckNumber): empty, too long, or with control
	// characters.
	callBadNumber
	// callOffer: a NEW arrived from the server.
	callOffer
	// callRinging: the far end rings (RINGING).
	callRinging
	// callAnswered: the far end answered, or we did (ANSWER).
	callAnswered
	// callHold: we put the call on hold.
	callHold
	// callActivate: we took the call back from hold.
	callActivate
	// callEndLocal: we hung up or rejected the call.
	callEndLocal
	// callEndRemote: the far end hung up, rejected, or was busy.
	callEndRemote
	// callLost: the far end stopped answering (or the endpoint closed).
	callLost
)

var callEventNames = [...]string{"dial", "stopping", "too-many", "no-network", "bad-number", "offer", "ringing",
	"answered", "hold", "activate", "end-local", "end-remote", "lost"}

func (e callEvent) String() string {
	if int(e) < len(callEventNames) {
		return callEventNames[e]
	}
	return "callEvent(" + strconv.Itoa(int(e)) + ")"
}

// callActions are what a transition asks the agent to do besides what
// every change does (publish, audio, forget a call that ended).
type callActions uint8

// Call actions.
const (
	// callHoldOthers holds the active call, if another one is.
	callHoldOthers callActions = 1 << iota
)

func (a callActions) String() string {
	if a&callHoldOthers != 0 {
		return "hold-others"
	}
	return ""
}

// transition moves c.state on ev and returns the actions to run: the
// table above, written as code. It is the only code that assigns c.state.
func (c *call) transition(ev callEvent) callActions {
	// ends is where each way of ending takes a call that is under way.
	ends := func(local, remote, lost telephony.CallState) {
		switch ev {
		case callEndLocal:
			c.state = local
		case callEndRemote:
			c.state = remote
		case callLost:
			c.state = lost
		}
	}
	switch c.state {
	case telephony.CallIdle:
		switch ev {
		case callDial:
			c.state = telephony.CallDialing
			return callHoldOthers
		case callStopping:
			c.state = telephony.CallServiceHangup
		case callTooMany:
			c.state = telephony.CallOtherFailure
		case callNoNetwork:
			c.state = telephony.CallNetworkFailure
		case callBadNumber:
			c.state = telephony.CallOtherFailure
		case callOffer:
			c.state = telephony.CallIncoming
		case callEndLocal:
			c.state = telephony.CallHangupLocal
		}
	case telephony.CallIncoming:
		switch ev {
		case callAnswered:
			c.state = telephony.CallConnected
			return callHoldOthers
		case callEndLocal, callEndRemote, callLost:
			ends(telephony.CallHangupLocal, telephony.CallMissed, telephony.CallMissed)
		}
	case telephony.CallDialing:
		switch ev {
		case callRinging:
			c.state = telephony.CallAlerting
		case callAnswered:
			c.state = telephony.CallConnected
			return callHoldOthers
		case callEndLocal, callEndRemote, callLost:
			ends(telephony.CallHangupLocal, telephony.CallHangupRemote, telephony.CallNetworkFailure)
		}
	case telephony.CallAlerting:
		switch ev {
		case callAnswered:
			c.state = telephony.CallConnected
			return callHoldOthers
		case callEndLocal, callEndRemote, callLost:
			ends(telephony.CallHangupLocal, telephony.CallHangupRemote, telephony.CallNetworkFailure)
		}
	case telephony.CallConnected:
		switch ev {
		case callHold:
			c.state = telephony.CallHold
		case callEndLocal, callEndRemote, callLost:
			ends(telephony.CallHangupLocal, telephony.CallHangupRemote, telephony.CallNetworkFailure)
		}
	case telephony.CallHold:
		switch ev {
		case callActivate:
			c.state = telephony.CallConnected
			return callHoldOthers
		case callEndLocal, callEndRemote, callLost:
			ends(telephony.CallHangupLocal, telephony.CallHangupRemote, telephony.CallNetworkFailure)
		}
	}
	return 0
}

// step feeds ev to c's machine; why is the error the event came with (the
// IAX2 call's, or the dial's), nil for most. On a change it runs the
// transition's actions, publishes the new state with the actions it
// allows (and, for a final state, why the call ended: Agent.endReason),
// starts or stops the audio (only a Connected call has it), and forgets
// a call that ended. Call it inside a state transaction.
func (c *call) step(ev callEvent, why error) {
	from := c.state
	acts := c.transition(ev)
	to := c.state
	if to == from {
		return
	}
	if acts&callHoldOthers != 0 {
		c.a.holdActive(c)
	}
	c.tc.SetActions(actionsFor(to))
	args := []any{"call", c.tc.ID(), "number", c.tc.Number(),
		"from", from.String(), "event", ev.String(), "to", to.String()}
	if final(to) {
		if reason := c.a.endReason(ev, why); reason != "" {
			c.tc.SetReason(reason)
			args = append(args, "reason", reason)
		}
	}
	c.tc.SetState(to)
	c.a.log.Info("call transition", args...)
	if to == telephony.CallConnected {
		c.startAudio()
	} else {
		c.endAudio()
		c.cancelTones()
	}
	if final(to) {
		delete(c.a.calls, c.tc.ID())
	}
}
