package agent

import (
	"strings"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/telephony"
)

// The call state machine. IAX2 events and the user's requests both arrive
// on the loop goroutine; every change of one or more calls' states is
// published inside one state transaction.
//
//	outgoing: Dialing → Alerting (RINGING) → Connected (ANSWER)
//	incoming: Incoming → Connected (accept), or Missed if the caller gives up
//	both:     Connected ⇄ Hold; HangupLocal, HangupRemote, NetworkFailure
//	refused:  NetworkFailure when not registered, OtherFailure beyond MaxCalls
//
// At most one call is active (Connected): dialing, accepting or activating
// a call holds the active one, and only the active call has audio.

// Tone timing: each DTMF digit lasts toneOn, with toneOff between digits.
const (
	toneOn  = 100 * time.Millisecond
	toneOff = 60 * time.Millisecond
)

// actionsFor lists the requests a call accepts in a state (hangup is
// always accepted).
func actionsFor(st telephony.CallState) telephony.Actions {
	switch st {
	case telephony.CallIncoming:
		return telephony.ActionAccept | telephony.ActionTransfer
	case telephony.CallAlerting:
		return telephony.ActionTransfer
	case telephony.CallConnected:
		return telephony.ActionHold | telephony.ActionTone | telephony.ActionTransfer
	case telephony.CallHold:
		return telephony.ActionActivate | telephony.ActionTransfer
	}
	return 0
}

func final(st telephony.CallState) bool {
	switch st {
	case telephony.CallHangupLocal, telephony.CallHangupRemote, telephony.CallMissed,
		telephony.CallNetworkFailure, telephony.CallOtherFailure, telephony.CallServiceHangup:
		return true
	}
	return false
}

type call struct {
	a         *Agent
	tc        *telephony.Call
	ic        *iax.Call // nil until dialled
	incoming  bool
	answered  bool
	stopAudio func()
}

type providerImpl struct{ a *Agent }

// Create is called on the bus's goroutine; Dial follows at once.
func (p providerImpl) Create(tc *telephony.Call) telephony.CallImpl {
	return &call{a: p.a, tc: tc}
}

// The CallImpl methods hand the request to the loop.
func (c *call) Dial(o telephony.DialOptions) { c.a.do(func() { c.a.dial(c, o.Number) }) }
func (c *call) Hangup(telephony.Scope)       { c.a.do(c.hangup) }
func (c *call) Accept()                      { c.a.do(c.accept) }
func (c *call) Hold()                        { c.a.do(c.hold) }
func (c *call) Activate(telephony.Scope)     { c.a.do(c.activate) }
func (c *call) Tone(tones string)            { c.a.do(func() { c.tone(tones) }) }
func (c *call) Transfer(number string)       { c.a.do(func() { c.transfer(number) }) }

// transaction publishes the changes f makes as one.
func (a *Agent) transaction(f func()) {
	a.provider.BeginStateTransaction()
	defer a.provider.EndStateTransaction()
	f()
}

// setState changes a call's state and actions, starts or stops its audio,
// and forgets it when it ends. Call inside a transaction.
func (c *call) setState(st telephony.CallState) {
	if final(c.tc.State()) {
		return
	}
	c.tc.SetActions(actionsFor(st))
	c.tc.SetState(st)
	c.a.log.Info("call state", "call", c.tc.ID(), "number", c.tc.Number(), "state", st.String())
	if st == telephony.CallConnected {
		c.startAudio()
	} else {
		c.endAudio()
	}
	if final(st) {
		delete(c.a.calls, c.tc.ID())
	}
}

func (c *call) startAudio() {
	if c.a.opts.Audio != nil && c.stopAudio == nil && c.ic != nil {
		c.stopAudio = c.a.opts.Audio.Start(c.a.ctx, c.ic)
	}
}

func (c *call) endAudio() {
	if c.stopAudio != nil {
		c.stopAudio()
		c.stopAudio = nil
	}
}

// end finishes a call from our side (Stop, or a refused call).
func (c *call) end(st telephony.CallState) {
	if c.ic != nil {
		if c.incoming && !c.answered {
			c.ic.Reject(iax.CauseNormal)
		} else {
			c.ic.Hangup(iax.CauseNormal)
		}
	}
	c.a.transaction(func() { c.setState(st) })
}

// holdActive puts the connected call (other than except) on hold.
func (a *Agent) holdActive(except *call) {
	for _, o := range a.calls {
		if o != except && o.tc.State() == telephony.CallConnected {
			o.ic.Hold()
			o.setState(telephony.CallHold)
		}
	}
}

func (a *Agent) dial(c *call, number string) {
	// The call already carries the number it was dialled with; changing
	// anything outside a transaction would announce it as Idle first.
	fail := func(st telephony.CallState, why string) {
		a.log.Warn("dial refused", "number", number, "why", why)
		a.transaction(func() { c.setState(st) })
	}
	switch {
	case a.stopped:
		fail(telephony.CallServiceHangup, "the service is stopping")
		return
	case len(a.calls) >= a.opts.MaxCalls:
		fail(telephony.CallOtherFailure, "too many calls")
		return
	case a.netreg.RegistrationState() != telephony.RegistrationHome || a.reg.cur == nil:
		fail(telephony.CallNetworkFailure, "not registered")
		return
	}
	// The registration resolved the server: no name lookup on the loop.
	s := a.settings
	ic, err := a.ep.Dial(iax.DialOptions{
		Peer: a.reg.server, Called: number,
		CallingNumber: s.CallerIDNumber, CallingName: s.CallerIDName,
		Username: s.UserID, Secret: s.Password,
		Formats: []iax.Format{iax.FormatULaw, iax.FormatALaw},
	})
	if err != nil {
		fail(telephony.CallNetworkFailure, err.Error())
		return
	}
	c.ic = ic
	a.calls[c.tc.ID()] = c
	a.transaction(func() {
		a.holdActive(c)
		c.setState(telephony.CallDialing)
	})
	go c.watch()
}

func (a *Agent) incoming(ic *iax.Call) {
	info := ic.Info()
	if a.stopped || len(a.calls) >= a.opts.MaxCalls {
		a.log.Warn("incoming call refused", "from", info.CallingNumber, "calls", len(a.calls))
		ic.Reject(iax.CauseCongestion)
		return
	}
	c := &call{a: a, ic: ic, incoming: true}
	c.tc = a.provider.NewCall(telephony.NewCallID(), CallType, c)
	number := info.CallingNumber
	if number == "" {
		number = info.CallingName
	}
	a.calls[c.tc.ID()] = c
	// Number and state appear together: an incoming call is never seen
	// without its caller, nor in Idle.
	a.transaction(func() {
		c.tc.SetNumber(number)
		c.setState(telephony.CallIncoming)
	})
	go c.watch()
}

// watch forwards the IAX2 call's events to the loop until it ends.
func (c *call) watch() {
	for {
		select {
		case ev := <-c.ic.Events():
			c.a.do(func() { c.onEvent(ev) })
		case <-c.ic.Done():
			// Events may have been dropped by a slow consumer: the
			// final state is the call's own.
			st := c.ic.State()
			c.a.do(func() { c.onEvent(iax.CallEvent{Type: iax.EventState, State: st, Err: c.ic.Err()}) })
			return
		case <-c.a.ctx.Done():
			return
		}
	}
}

// onEvent is the one place IAX2 call events become call states.
func (c *call) onEvent(ev iax.CallEvent) {
	a := c.a
	switch ev.Type {
	case iax.EventState:
		var st telephony.CallState
		switch ev.State {
		case iax.StateDialing:
			st = telephony.CallDialing
		case iax.StateAlerting:
			st = telephony.CallAlerting
		case iax.StateIncoming:
			st = telephony.CallIncoming
		case iax.StateConnected:
			c.answered = true
			st = telephony.CallConnected
			if c.tc.State() == telephony.CallHold {
				return // connected underneath, held by us
			}
		case iax.StateHangupLocal:
			st = telephony.CallHangupLocal
		case iax.StateHangupRemote:
			st = telephony.CallHangupRemote
			if c.incoming && !c.answered {
				st = telephony.CallMissed
			}
		case iax.StateFailed:
			st = telephony.CallNetworkFailure
			if c.incoming && !c.answered {
				st = telephony.CallMissed
			}
		default:
			return
		}
		if st == c.tc.State() || final(c.tc.State()) {
			return
		}
		if ev.Err != nil {
			a.log.Info("call ends", "call", c.tc.ID(), "why", ev.Err)
		}
		a.transaction(func() { c.setState(st) })
	case iax.EventDTMFEnd:
		a.log.Info("dtmf received", "call", c.tc.ID(), "digit", string(ev.Digit))
	case iax.EventHold, iax.EventUnhold, iax.EventTransfer, iax.EventText, iax.EventBusy, iax.EventCongestion:
		a.log.Info("call event", "call", c.tc.ID(), "event", ev.String())
	}
}

func (c *call) hangup() {
	st := c.tc.State()
	if final(st) {
		return
	}
	if c.ic == nil {
		c.a.transaction(func() { c.setState(telephony.CallHangupLocal) })
		return
	}
	// A reject while incoming; a hangup otherwise. The state follows
	// from the call's own event.
	if c.incoming && !c.answered {
		c.ic.Reject(iax.CauseNormal)
	} else {
		c.ic.Hangup(iax.CauseNormal)
	}
}

func (c *call) accept() {
	if c.tc.State() != telephony.CallIncoming {
		c.a.log.Warn("accept: call is not incoming", "call", c.tc.ID(), "state", c.tc.State().String())
		return
	}
	c.a.transaction(func() { c.a.holdActive(c) })
	if err := c.ic.Answer(); err != nil {
		c.a.log.Warn("accept", "call", c.tc.ID(), "err", err)
	}
}

func (c *call) hold() {
	if c.tc.State() != telephony.CallConnected {
		return
	}
	if err := c.ic.Hold(); err != nil {
		c.a.log.Warn("hold", "call", c.tc.ID(), "err", err)
		return
	}
	c.a.transaction(func() { c.setState(telephony.CallHold) })
}

// activate takes a held call back, holding the active one: a swap of two
// calls appears as one transaction.
func (c *call) activate() {
	if c.tc.State() != telephony.CallHold {
		return
	}
	c.a.transaction(func() {
		c.a.holdActive(c)
		if err := c.ic.Unhold(); err != nil {
			c.a.log.Warn("activate", "call", c.tc.ID(), "err", err)
			return
		}
		c.setState(telephony.CallConnected)
	})
}

// tone sends DTMF digits one after the other on the agent's clock.
func (c *call) tone(tones string) {
	if c.tc.State() != telephony.CallConnected {
		return
	}
	if strings.Trim(tones, "0123456789*#ABCD") != "" {
		c.a.log.Warn("tone: not DTMF digits", "call", c.tc.ID(), "tones", tones)
		return
	}
	for i := 0; i < len(tones); i++ {
		d := tones[i]
		c.a.opts.Clock.AfterFunc(time.Duration(i)*(toneOn+toneOff), func() {
			if err := c.ic.SendDTMF(d, toneOn); err != nil {
				c.a.log.Warn("tone", "call", c.tc.ID(), "err", err)
			}
		})
	}
}

func (c *call) transfer(number string) {
	st := c.tc.State()
	if c.ic == nil || actionsFor(st)&telephony.ActionTransfer == 0 {
		c.a.log.Warn("transfer: not possible now", "call", c.tc.ID(), "state", st.String())
		return
	}
	if err := c.ic.Transfer(number); err != nil {
		c.a.log.Warn("transfer", "call", c.tc.ID(), "err", err)
	}
}
