package agent

import (
	"strconv"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/telephony"
)

// The call state machine, one per call, as QPhoneCall::State names the
// states; the modem's +CLCC list drives it. A call is Idle until its
// first transition, and Idle is never published: an outgoing call first
// appears as Dialing (or refused), an incoming one as Incoming, and a
// call the modem already had when the agent started in the state the
// modem lists it in. The states from HangupLocal on are final.
//
// These are all the transitions; any other (state, event) pair leaves the
// state as it is and does nothing. call.transition is the code of this
// table, and a test holds them to each other:
//
//	from       event            to
//	Idle       dial             Dialing
//	Idle       refused          OtherFailure
//	Idle       no-network       NetworkFailure
//	Idle       stopping         ServiceHangup
//	Idle       listed-incoming  Incoming
//	Idle       listed-dialing   Dialing
//	Idle       listed-alerting  Alerting
//	Idle       listed-active    Connected
//	Idle       listed-held      Hold
//	Dialing    listed-alerting  Alerting
//	Dialing    listed-active    Connected
//	Dialing    listed-held      Hold
//	Dialing    refused          OtherFailure
//	Dialing    no-network       NetworkFailure
//	Dialing    busy             HangupRemote
//	Alerting   listed-active    Connected
//	Alerting   listed-held      Hold
//	Incoming   listed-active    Connected
//	Incoming   listed-held      Hold
//	Connected  listed-held      Hold
//	Hold       listed-active    Connected
//	Dialing    gone-local       HangupLocal
//	Dialing    gone-remote      HangupRemote
//	Dialing    lost             NetworkFailure
//	Alerting   gone-local       HangupLocal
//	Alerting   gone-remote      HangupRemote
//	Alerting   lost             NetworkFailure
//	Incoming   gone-local       HangupLocal
//	Incoming   gone-remote      Missed
//	Incoming   lost             NetworkFailure
//	Connected  gone-local       HangupLocal
//	Connected  gone-remote      HangupRemote
//	Connected  lost             NetworkFailure
//	Hold       gone-local       HangupLocal
//	Hold       gone-remote      HangupRemote
//	Hold       lost             NetworkFailure
//
// listed-X is +CLCC listing the call in state X (a waiting call is
// listed-incoming: Qt's Incoming, with another call up). gone is +CLCC
// no longer listing it: local when the agent ended it, remote otherwise.
// refused, no-network and busy are a dial that did not reach the network,
// failed on its way, or found the number busy; lost is the modem gone.
//
// call.step, the only caller of transition, publishes each change once,
// with the actions the new state allows (and, for a final state, why the
// call ended), inside the agent's current state transaction. Every event
// reaches it on the agent's loop goroutine.

type callEvent uint8

// Call events.
const (
	callDial callEvent = iota
	callRefused
	callNoNetwork
	callBusy
	callStopping
	callListedIncoming
	callListedDialing
	callListedAlerting
	callListedActive
	callListedHeld
	callGoneLocal
	callGoneRemote
	callLost
)

var callEventNames = [...]string{"dial", "refused", "no-network", "busy", "stopping", "listed-incoming",
	"listed-dialing", "listed-alerting", "listed-active", "listed-held", "gone-local", "gone-remote", "lost"}

func (e callEvent) String() string {
	if int(e) < len(callEventNames) {
		return callEventNames[e]
	}
	return "callEvent(" + strconv.Itoa(int(e)) + ")"
}

// listed is the event of +CLCC listing a call in state st.
func listed(st modem.CallStat) callEvent {
	switch st {
	case modem.CallActive:
		return callListedActive
	case modem.CallHeld:
		return callListedHeld
	case modem.CallDialing:
		return callListedDialing
	case modem.CallAlerting:
		return callListedAlerting
	}
	return callListedIncoming // incoming, waiting
}

// transition moves c.state on ev: the
// table above, written as code. It is the only code that assigns c.state.
func (c *call) transition(ev callEvent) {
	// ends is where each way of ending takes a call that is under way.
	ends := func(remote telephony.CallState) {
		switch ev {
		case callGoneLocal:
			c.state = telephony.CallHangupLocal
		case callGoneRemote:
			c.state = remote
		case callLost:
			c.state = telephony.CallNetworkFailure
		}
	}
	switch c.state {
	case telephony.CallIdle:
		switch ev {
		case callDial, callListedDialing:
			c.state = telephony.CallDialing
		case callRefused:
			c.state = telephony.CallOtherFailure
		case callNoNetwork:
			c.state = telephony.CallNetworkFailure
		case callStopping:
			c.state = telephony.CallServiceHangup
		case callListedIncoming:
			c.state = telephony.CallIncoming
		case callListedAlerting:
			c.state = telephony.CallAlerting
		case callListedActive:
			c.state = telephony.CallConnected
		case callListedHeld:
			c.state = telephony.CallHold
		}
	case telephony.CallDialing:
		switch ev {
		case callListedAlerting:
			c.state = telephony.CallAlerting
		case callListedActive:
			c.state = telephony.CallConnected
		case callListedHeld:
			c.state = telephony.CallHold
		case callRefused:
			c.state = telephony.CallOtherFailure
		case callNoNetwork:
			c.state = telephony.CallNetworkFailure
		case callBusy:
			c.state = telephony.CallHangupRemote
		default:
			ends(telephony.CallHangupRemote)
		}
	case telephony.CallAlerting:
		switch ev {
		case callListedActive:
			c.state = telephony.CallConnected
		case callListedHeld:
			c.state = telephony.CallHold
		default:
			ends(telephony.CallHangupRemote)
		}
	case telephony.CallIncoming:
		switch ev {
		case callListedActive:
			c.state = telephony.CallConnected
		case callListedHeld:
			c.state = telephony.CallHold
		default:
			ends(telephony.CallMissed)
		}
	case telephony.CallConnected:
		if ev == callListedHeld {
			c.state = telephony.CallHold
		} else {
			ends(telephony.CallHangupRemote)
		}
	case telephony.CallHold:
		if ev == callListedActive {
			c.state = telephony.CallConnected
		} else {
			ends(telephony.CallHangupRemote)
		}
	}
}

// actionsFor lists the requests a call accepts in a state (hangup is
// always accepted). GSM transfers only by deflecting a ringing call,
// which the agent does not offer.
func actionsFor(st telephony.CallState) telephony.Actions {
	switch st {
	case telephony.CallIncoming:
		return telephony.ActionAccept
	case telephony.CallConnected:
		return telephony.ActionHold | telephony.ActionTone
	case telephony.CallHold:
		return telephony.ActionActivate
	}
	return 0
}

// step feeds ev to c's machine; reason says why a call that ends ends,
// when there is more to say than its final state. On a change it
// publishes the new state with the actions it allows, and forgets a call
// that ended. Call it inside a state transaction.
func (c *call) step(ev callEvent, reason string) {
	from := c.state
	c.transition(ev)
	to := c.state
	if to == from {
		return
	}
	c.tc.SetActions(actionsFor(to))
	args := []any{"call", c.tc.ID(), "number", c.tc.Number(), "index", c.idx,
		"from", from.String(), "event", ev.String(), "to", to.String()}
	if to.Final() && reason != "" {
		c.tc.SetReason(reason)
		args = append(args, "reason", reason)
	}
	c.tc.SetState(to)
	c.a.log.Info("call transition", args...)
	if to.Final() {
		delete(c.a.calls, c.tc.ID())
	}
}
