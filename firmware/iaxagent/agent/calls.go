package agent

import (
	"fmt"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony"
)

// The calls: the CallProvider and CallImpl the bus drives, and the IAX2
// calls under them. The user's requests and IAX2's events both reach the
// loop goroutine, where they become the events of each call's state
// machine (call_fsm.go); every change of one or more calls' states is
// published inside one state transaction.

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
	a  *Agent
	tc *telephony.Call
	ic *iax.Call // nil until dialled
	// state is where the call stands (Idle until its first transition);
	// tc publishes it. Only transition assigns it.
	state telephony.CallState
	// audio is the call's running audio while it is Connected (audio.go);
	// audioFellBack is set once the log has said the configured device
	// would not open for this call.
	audio         *callAudio
	audioFellBack bool
	// tones are the DTMF digits waiting to be sent, at most
	// telephony.MaxTones; toneTimer sends the next one, and toneGen
	// tells a timer that was cancelled from the one that is due.
	tones     []byte
	toneTimer clock.Timer
	toneGen   int
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

// end finishes a call from our side (Stop): a reject while incoming, a
// hangup otherwise.
func (c *call) end() {
	c.endIAX()
	c.a.transaction(func() { c.step(callEndLocal, nil) })
}

// endIAX sends the IAX2 call's end: REJECT while it is incoming, HANGUP
// otherwise.
func (c *call) endIAX() {
	switch {
	case c.ic == nil:
	case c.state == telephony.CallIncoming:
		c.ic.Reject(iax.CauseNormal)
	default:
		c.ic.Hangup(iax.CauseNormal)
	}
}

// holdActive puts the connected call (other than except) on hold. Call it
// inside a transaction.
func (a *Agent) holdActive(except *call) {
	for _, o := range a.calls {
		if o != except && o.state == telephony.CallConnected {
			if err := o.ic.Hold(); err != nil {
				a.log.Warn("hold", "call", o.tc.ID(), "err", err)
			}
			o.step(callHold, nil)
		}
	}
}

func (a *Agent) dial(c *call, number string) {
	// The call already carries the number it was dialled with; changing
	// anything outside a transaction would announce it as Idle first.
	fail := func(ev callEvent, why error) {
		a.transaction(func() { c.step(ev, why) })
	}
	if err := telephony.CheckNumber(number); err != nil {
		// A client that bypasses phoned's check: refused at once, and
		// the number published cut and escaped, as the reason says why.
		a.log.Warn("dial refused", "call", c.tc.ID(), "number", telephony.Printable(number, telephony.MaxNumberLen), "err", err)
		a.transaction(func() {
			c.tc.SetNumber(telephony.Printable(number, telephony.MaxNumberLen))
			c.step(callBadNumber, err)
		})
		return
	}
	switch {
	case a.stopped:
		fail(callStopping, nil)
		return
	case len(a.calls) >= a.opts.MaxCalls:
		fail(callTooMany, nil)
		return
	case a.reg.state != telephony.RegistrationHome || a.reg.cur == nil:
		fail(callNoNetwork, nil)
		return
	}
	// The registration resolved the server: no name lookup on the loop.
	s := a.settings
	ic, err := a.ep.Dial(iax.DialOptions{
		Peer: a.reg.server, Called: number,
		CallingNumber: s.CallerIDNumber, CallingName: s.CallerIDName,
		Username: s.UserID, Secret: s.Password,
		Formats:    []iax.Format{iax.FormatULaw, iax.FormatALaw},
		Encryption: iaxEncryption(string(s.Encryption)),
	})
	if err != nil {
		fail(callNoNetwork, err)
		return
	}
	c.ic = ic
	a.calls[c.tc.ID()] = c
	a.transaction(func() { c.step(callDial, nil) })
	a.spawn(c.watch)
}

func (a *Agent) incoming(ic *iax.Call) {
	info := ic.Info()
	// The caller id comes from the network: escaped and cut before it
	// reaches the value space, and from there a console.
	number := telephony.Printable(info.CallingNumber, telephony.MaxNumberLen)
	name := telephony.Printable(info.CallingName, telephony.MaxNameLen)
	if number == "" {
		number = name
	}
	if a.stopped || len(a.calls) >= a.opts.MaxCalls {
		a.log.Warn("incoming call refused", "from", number, "calls", len(a.calls))
		ic.Reject(iax.CauseCongestion)
		return
	}
	c := &call{a: a, ic: ic}
	c.tc = a.provider.NewCall(telephony.NewCallID(), CallType, c)
	a.calls[c.tc.ID()] = c
	// Number, name and state appear together: an incoming call is never
	// seen without its caller, nor in Idle.
	a.transaction(func() {
		c.tc.SetNumber(number)
		c.tc.SetName(name)
		c.step(callOffer, nil)
	})
	a.spawn(c.watch)
}

// watch forwards the IAX2 call's events to the loop until it ends.
func (c *call) watch() {
	forward := func(ev iax.CallEvent) { c.a.do(func() { c.onEvent(ev) }) }
	for {
		select {
		case ev := <-c.ic.Events():
			forward(ev)
		case <-c.ic.Done():
			// What is still queued happened first (an answer before
			// the hangup). Events may also have been dropped by a slow
			// consumer: the final state is the call's own.
			for drained := false; !drained; {
				select {
				case ev := <-c.ic.Events():
					forward(ev)
				default:
					drained = true
				}
			}
			forward(iax.CallEvent{Type: iax.EventState, State: c.ic.State(), Err: c.ic.Err()})
			return
		case <-c.a.ctx.Done():
			return
		}
	}
}

// onEvent turns an IAX2 call event into the call machine's event.
// Dialing and Incoming were the call's first state already, announced
// when it was dialled or arrived.
func (c *call) onEvent(ev iax.CallEvent) {
	a := c.a
	switch ev.Type {
	case iax.EventState:
		var e callEvent
		switch ev.State {
		case iax.StateAlerting:
			e = callRinging
		case iax.StateConnected:
			e = callAnswered
		case iax.StateHangupLocal:
			e = callEndLocal
		case iax.StateHangupRemote:
			e = callEndRemote
		case iax.StateFailed:
			e = callLost
		default:
			return
		}
		a.transaction(func() { c.step(e, ev.Err) })
	case iax.EventDTMFEnd:
		a.log.Info("dtmf received", "call", c.tc.ID(), "digit", string(ev.Digit))
	case iax.EventHold, iax.EventUnhold, iax.EventTransfer, iax.EventText, iax.EventBusy, iax.EventCongestion:
		a.log.Info("call event", "call", c.tc.ID(), "event", ev.String())
	}
}

func (c *call) hangup() {
	if final(c.state) {
		return
	}
	if c.ic == nil {
		c.a.transaction(func() { c.step(callEndLocal, nil) })
		return
	}
	// The state follows from the IAX2 call's own event.
	c.endIAX()
}

// accept answers an incoming call; the answer's event connects it,
// holding the active call.
func (c *call) accept() {
	if c.state != telephony.CallIncoming {
		c.a.log.Warn("accept: call is not incoming", "call", c.tc.ID(), "state", c.state.String())
		return
	}
	if err := c.ic.Answer(); err != nil {
		c.a.log.Warn("accept", "call", c.tc.ID(), "err", err)
	}
}

func (c *call) hold() {
	if c.state != telephony.CallConnected {
		return
	}
	if err := c.ic.Hold(); err != nil {
		c.a.log.Warn("hold", "call", c.tc.ID(), "err", err)
		return
	}
	c.a.transaction(func() { c.step(callHold, nil) })
}

// activate takes a held call back, holding the active one: a swap of two
// calls appears as one transaction.
func (c *call) activate() {
	if c.state != telephony.CallHold {
		return
	}
	if err := c.ic.Unhold(); err != nil {
		c.a.log.Warn("activate", "call", c.tc.ID(), "err", err)
		return
	}
	c.a.transaction(func() { c.step(callActivate, nil) })
}

// tone queues DTMF digits, sent one after the other on the agent's clock.
// A request that is no DTMF string, longer than telephony.MaxTones, or
// that would leave more than MaxTones digits waiting is refused whole
// (a client may bypass phoned's own check). Whatever waits when the call
// stops being Connected is dropped (cancelTones).
func (c *call) tone(tones string) {
	if c.state != telephony.CallConnected {
		c.a.log.Warn("tone refused: the call is not connected", "call", c.tc.ID(), "state", c.state.String())
		return
	}
	if err := telephony.CheckTones(tones); err != nil {
		c.a.log.Warn("tone refused", "call", c.tc.ID(), "tones", telephony.Printable(tones, telephony.MaxTones), "err", err)
		return
	}
	if n := len(c.tones) + len(tones); n > telephony.MaxTones {
		c.a.log.Warn("tone refused", "call", c.tc.ID(), "err", fmt.Errorf(
			"%w: %d tones are still being sent and %d more would make %d, at most %d; send them once these are done",
			telephony.ErrBadTones, len(c.tones), len(tones), n, telephony.MaxTones))
		return
	}
	c.tones = append(c.tones, strings.ToUpper(tones)...)
	if c.toneTimer == nil {
		c.nextTone()
	}
}

// nextTone sends the first waiting digit (it lasts toneOn, iax ends it),
// and schedules the next one toneOff after that.
func (c *call) nextTone() {
	d := c.tones[0]
	c.tones = c.tones[1:]
	if err := c.ic.SendDTMF(d, toneOn); err != nil {
		c.a.log.Warn("tone", "call", c.tc.ID(), "err", err)
	} else {
		c.a.log.Debug("tone sent", "call", c.tc.ID(), "digit", string(d), "waiting", len(c.tones))
	}
	if len(c.tones) == 0 {
		c.toneTimer = nil
		return
	}
	gen := c.toneGen
	c.toneTimer = c.a.opts.Clock.AfterFunc(toneOn+toneOff, func() {
		c.a.do(func() {
			if gen == c.toneGen {
				c.nextTone()
			}
		})
	})
}

// cancelTones drops the digits that wait, and the timer that would send
// the next: nothing of a call's tones outlives its being Connected.
func (c *call) cancelTones() {
	if c.toneTimer != nil {
		c.toneTimer.Stop()
		c.toneTimer = nil
	}
	c.tones = nil
	c.toneGen++
}

func (c *call) transfer(number string) {
	if c.ic == nil || actionsFor(c.state)&telephony.ActionTransfer == 0 {
		c.a.log.Warn("transfer: not possible now", "call", c.tc.ID(), "state", c.state.String())
		return
	}
	if err := telephony.CheckNumber(number); err != nil {
		c.a.log.Warn("transfer refused", "call", c.tc.ID(), "number", telephony.Printable(number, telephony.MaxNumberLen), "err", err)
		return
	}
	if err := c.ic.Transfer(number); err != nil {
		c.a.log.Warn("transfer", "call", c.tc.ID(), "err", err)
	}
}

// iaxEncryption maps Asterisk.conf's Encryption (checked when the file
// was read) to iax's.
func iaxEncryption(word string) iax.Encryption {
	e, _ := iax.ParseEncryption(word)
	return e
}
