package agent

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony"
)

// The calls: the CallProvider and CallImpl the bus drives, and the
// modem's calls under them, found in +CLCC. Requests become AT commands
// on the worker; what the modem then lists becomes each call's events
// (call_fsm.go), every change inside a state transaction.

// maxCalls is how many calls GSM holds at once.
const maxCalls = 7

// ringWait is how long after a RING the calls are listed: the +CLIP with
// the caller's name follows the RING.
const ringWait = 50 * time.Millisecond

type call struct {
	a  *Agent
	tc *telephony.Call
	// idx is the modem's index of the call, 0 until +CLCC lists it.
	idx int
	mo  bool // outgoing
	// stat is what +CLCC said last.
	stat modem.CallStat
	// dialing: ATD is on its way, the call cannot be listed yet.
	dialing bool
	// ending: the agent asked the modem to end the call.
	ending bool
	// state is where the call stands; only transition assigns it.
	state telephony.CallState
}

type providerImpl struct{ a *Agent }

// Create is called on the bus's goroutine; Dial follows at once.
func (p providerImpl) Create(tc *telephony.Call) telephony.CallImpl {
	return &call{a: p.a, tc: tc, mo: true}
}

// The CallImpl methods hand the request to the loop.
func (c *call) Dial(o telephony.DialOptions) { c.a.do(func() { c.a.dial(c, o.Number) }) }
func (c *call) Hangup(telephony.Scope)       { c.a.do(c.hangup) }
func (c *call) Accept()                      { c.a.do(c.accept) }
func (c *call) Hold()                        { c.a.do(c.hold) }
func (c *call) Activate(telephony.Scope)     { c.a.do(c.activate) }
func (c *call) Tone(tones string)            { c.a.do(func() { c.tone(tones) }) }
func (c *call) Transfer(number string) {
	c.a.do(func() {
		c.a.log.Warn("transfer: a cellular call cannot be transferred to a number here", "call", c.tc.ID())
	})
}

// poller lists the calls: at once after a change, then every
// PollInterval while there are calls.
type poller struct {
	timer  clock.Timer
	queued bool
	again  bool // something changed while a listing was queued
}

func (p *poller) stop() {
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

// pollCalls lists the calls now (now), or after ringWait.
func (a *Agent) pollCalls(now bool) {
	if a.link.state != linkUp || a.stopped {
		return
	}
	if a.poll.queued {
		a.poll.again = true // list again after the queued one
		return
	}
	a.poll.stop()
	if !now {
		a.poll.timer = a.after(ringWait, func() {
			a.poll.timer = nil
			a.pollCalls(true)
		})
		return
	}
	gen := a.link.gen
	a.poll.queued = a.queue("calls", func(ctx context.Context, ch *modem.Channel) {
		list, err := a.listCalls(ctx, ch)
		a.do(func() {
			a.poll.queued = false
			if gen != a.link.gen {
				a.poll.again = false
				return
			}
			if err == nil {
				a.applyList(list)
			}
			if a.poll.again {
				a.poll.again = false
				a.pollCalls(true)
				return
			}
			a.schedulePoll()
		})
	})
}

// schedulePoll lists the calls again after PollInterval while any exist.
func (a *Agent) schedulePoll() {
	if len(a.calls) == 0 || a.poll.timer != nil || a.poll.queued || a.stopped {
		return
	}
	a.poll.timer = a.after(a.opts.PollInterval, func() {
		a.poll.timer = nil
		a.pollCalls(true)
	})
}

// listCalls is AT+CLCC, parsed (a job's).
func (a *Agent) listCalls(ctx context.Context, ch *modem.Channel) ([]modem.ListedCall, error) {
	r, err := a.at(ctx, ch, "AT+CLCC")
	if err != nil {
		if !errors.Is(err, modem.ErrTimeout) && !errors.Is(err, errNoModem) {
			a.log.Warn("call list", "err", err)
		}
		return nil, err
	}
	var out []modem.ListedCall
	for _, l := range r.Lines {
		lc, err := modem.ParseCLCC(l)
		if err != nil {
			a.log.Warn("call list line does not parse", "line", l, "err", err)
			continue
		}
		if lc.Mode == 0 { // voice
			out = append(out, lc)
		}
	}
	return out, nil
}

// applyList makes the calls what +CLCC says, in one transaction: a listed
// call the agent knows moves to its listed state; an outgoing one it does
// not know is the dial just answered OK, else a call the modem had before
// (a restarted agent) or an incoming one; a known call no longer listed
// has ended.
func (a *Agent) applyList(list []modem.ListedCall) {
	a.transaction(func() {
		seen := map[int]bool{}
		for _, lc := range list {
			seen[lc.Index] = true
			c := a.callByIndex(lc.Index)
			if c == nil && !lc.Incoming {
				c = a.unlistedDial()
			}
			if c == nil {
				c = a.newListedCall(lc)
			}
			c.idx, c.stat = lc.Index, lc.Stat
			c.step(listed(lc.Stat), "")
		}
		ended := false
		for _, c := range a.sortedCalls() {
			if (c.idx != 0 && !seen[c.idx]) || (c.idx == 0 && !c.dialing && c.mo) {
				c.gone()
				ended = ended || !c.ending
			}
		}
		if ended {
			a.lastEnd = ""
		}
	})
}

func (a *Agent) sortedCalls() []*call {
	out := make([]*call, 0, len(a.calls))
	for _, c := range a.calls {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].tc.ID() < out[j].tc.ID() })
	return out
}

func (a *Agent) callByIndex(idx int) *call {
	for _, c := range a.calls {
		if c.idx == idx {
			return c
		}
	}
	return nil
}

// unlistedDial is the outgoing call whose ATD was answered OK and that
// +CLCC has not listed yet.
func (a *Agent) unlistedDial() *call {
	for _, c := range a.sortedCalls() {
		if c.mo && c.idx == 0 && !c.dialing {
			return c
		}
	}
	return nil
}

// newListedCall registers a call the agent did not place: incoming, or
// one the modem already had. Its number and name are set before its
// first state, in the caller's transaction: it is never seen without
// them.
func (a *Agent) newListedCall(lc modem.ListedCall) *call {
	c := &call{a: a, mo: !lc.Incoming}
	c.tc = a.provider.NewCall(telephony.NewCallID(), CallType, c)
	a.calls[c.tc.ID()] = c
	c.tc.SetNumber(telephony.Printable(lc.Number, telephony.MaxNumberLen))
	name := a.names[lc.Number]
	delete(a.names, lc.Number)
	if name == "" {
		name = lc.Alpha
	}
	if name != "" {
		c.tc.SetName(telephony.Printable(name, telephony.MaxNameLen))
	}
	a.log.Info("call found", "call", c.tc.ID(), "index", lc.Index, "incoming", lc.Incoming, "stat", lc.Stat.String())
	return c
}

// gone ends a call the modem no longer lists.
func (c *call) gone() {
	if c.ending {
		c.step(callGoneLocal, "")
		return
	}
	reason := ""
	switch c.a.lastEnd {
	case "BUSY":
		reason = "the number is busy"
	case "NO ANSWER":
		reason = "no answer"
	}
	c.step(callGoneRemote, reason)
}

// callerName keeps the name +CLIP or +CCWA gave for number, and gives it
// to the ringing call from that number that has none yet.
func (a *Agent) callerName(number, name string) {
	if number == "" || name == "" {
		return
	}
	if len(a.names) >= 2*maxCalls {
		clear(a.names) // names of calls that never came
	}
	a.names[number] = name
	for _, c := range a.calls {
		if c.state == telephony.CallIncoming && c.tc.Number() == number && c.tc.Info().Name == "" {
			a.transaction(func() { c.tc.SetName(telephony.Printable(name, telephony.MaxNameLen)) })
		}
	}
}

// loseCalls ends every call: the modem is gone, and its calls with it.
func (a *Agent) loseCalls(why error) {
	if len(a.calls) == 0 {
		return
	}
	reason := "the modem was lost"
	if why != nil {
		reason += ": " + why.Error()
	}
	a.transaction(func() {
		for _, c := range a.sortedCalls() {
			c.step(callLost, reason)
		}
	})
}

// checkDial refuses a number that must not reach ATD.
func checkDial(number string) error {
	if err := telephony.CheckNumber(number); err != nil {
		return err
	}
	if err := modem.CheckDialNumber(number); err != nil {
		return fmt.Errorf("%w: %w", telephony.ErrBadNumber, err)
	}
	return nil
}

func (a *Agent) active() *call {
	for _, c := range a.calls {
		if c.state == telephony.CallConnected {
			return c
		}
	}
	return nil
}

func (a *Agent) dial(c *call, number string) {
	// The call already carries its number; changing anything outside a
	// transaction would announce it as Idle first.
	fail := func(ev callEvent, reason string) {
		a.transaction(func() { c.step(ev, reason) })
	}
	if a.stopped {
		fail(callStopping, "the modem service is stopping")
		return
	}
	if err := checkDial(number); err != nil {
		a.log.Warn("dial refused before the modem", "call", c.tc.ID(), "err", err)
		fail(callRefused, "refused before it reached the modem: "+err.Error())
		return
	}
	if a.link.state != linkUp {
		fail(callNoNetwork, "the modem is not connected: "+a.link.problem)
		return
	}
	if len(a.calls) >= maxCalls {
		fail(callRefused, fmt.Sprintf("the modem holds %d calls at most", maxCalls))
		return
	}
	cmd, _ := modem.DialCommand(number)
	hold := a.active() != nil
	c.dialing = true
	a.calls[c.tc.ID()] = c
	a.transaction(func() { c.step(callDial, "") })
	gen := a.link.gen
	a.queue("dial", func(ctx context.Context, ch *modem.Channel) {
		if hold {
			if _, err := a.at(ctx, ch, "AT+CHLD=2"); err != nil {
				a.log.Warn("holding the active call before dialling", "err", err)
			}
		}
		_, err := a.atWithin(ctx, ch, cmd, a.opts.DialTimeout)
		var list []modem.ListedCall
		var lerr error
		if err == nil {
			list, lerr = a.listCalls(ctx, ch)
		}
		a.do(func() {
			c.dialing = false
			switch {
			case gen != a.link.gen || final(c.state):
			case err != nil:
				a.dialFailed(c, err)
			case lerr == nil:
				a.applyList(list)
			default:
				a.pollCalls(true)
			}
			a.schedulePoll()
		})
	})
}

func final(st telephony.CallState) bool { return st.Final() }

// dialFailed ends a call whose ATD failed, saying how.
func (a *Agent) dialFailed(c *call, err error) {
	ev, reason := callNoNetwork, "the modem could not place the call: "+resultWords(err)
	code, isCME := modem.CMECode(err)
	switch {
	case errors.Is(err, modem.ErrBusy):
		ev, reason = callBusy, "the number is busy"
	case errors.Is(err, modem.ErrNoAnswer):
		ev, reason = callBusy, "no answer"
	case isCME && code != modem.CMENoNetworkService && code != modem.CMENetworkTimeout && code != modem.CMEEmergencyCallsOnly:
		ev = callRefused
	}
	a.log.Warn("dial failed", "call", c.tc.ID(), "err", err)
	a.transaction(func() { c.step(ev, reason) })
}

// resultWords is what the modem said, without the command line.
func resultWords(err error) string {
	var re *modem.ResultError
	if errors.As(err, &re) {
		s := re.Result
		if w := modem.CMEText(re.Code); w != "" && errors.Is(err, modem.ErrCME) {
			s += " (" + w + ")"
		}
		return s
	}
	var te *modem.TimeoutError
	if errors.As(err, &te) {
		return fmt.Sprintf("no answer from the modem within %v", te.After)
	}
	return err.Error()
}

// others are the live calls other than c.
func (a *Agent) others(c *call) []*call {
	var out []*call
	for _, o := range a.calls {
		if o != c {
			out = append(out, o)
		}
	}
	return out
}

// request sends cmd for call c and lists the calls after it.
func (c *call) request(what, cmd string, timeout time.Duration) {
	a := c.a
	gen := a.link.gen
	a.log.Info(what, "call", c.tc.ID(), "index", c.idx, "cmd", cmd)
	a.queue(what, func(ctx context.Context, ch *modem.Channel) {
		_, err := a.atWithin(ctx, ch, cmd, timeout)
		list, lerr := a.listCalls(ctx, ch)
		a.do(func() {
			if err != nil {
				a.log.Warn(what+" failed", "call", c.tc.ID(), "cmd", cmd, "err", err)
				c.ending = false
			}
			if gen == a.link.gen && lerr == nil {
				a.applyList(list)
			}
			a.schedulePoll()
		})
	})
}

// hangup ends c: AT+CHUP when it is the only call (a ringing one is
// rejected), AT+CHLD=0 for a waiting call, AT+CHLD=1x otherwise.
func (c *call) hangup() {
	if final(c.state) {
		return
	}
	if c.a.link.state != linkUp {
		c.a.transaction(func() { c.step(callGoneLocal, "") })
		return
	}
	cmd := "AT+CHUP"
	switch {
	case len(c.a.others(c)) == 0:
	case c.stat == modem.CallWaiting && c.idx != 0:
		cmd = "AT+CHLD=0"
	case c.idx != 0:
		cmd = fmt.Sprintf("AT+CHLD=1%d", c.idx)
	}
	c.ending = true
	c.request("hangup", cmd, c.a.opts.CommandTimeout)
}

// accept answers a ringing call: ATA, or AT+CHLD=2 for a waiting call
// (the active one is held).
func (c *call) accept() {
	if c.state != telephony.CallIncoming {
		c.a.log.Warn("accept: call is not incoming", "call", c.tc.ID(), "state", c.state.String())
		return
	}
	cmd := "ATA"
	if len(c.a.others(c)) > 0 {
		cmd = "AT+CHLD=2"
	}
	c.request("accept", cmd, c.a.opts.DialTimeout)
}

// hold puts the active call on hold (AT+CHLD=2: a held call, if any,
// becomes active: a swap).
func (c *call) hold() {
	if c.state != telephony.CallConnected {
		return
	}
	c.request("hold", "AT+CHLD=2", c.a.opts.CommandTimeout)
}

// activate takes a held call back, holding the active one: AT+CHLD=2,
// or AT+CHLD=2x when several calls are held.
func (c *call) activate() {
	if c.state != telephony.CallHold {
		return
	}
	held := 0
	for _, o := range c.a.calls {
		if o.state == telephony.CallHold {
			held++
		}
	}
	cmd := "AT+CHLD=2"
	if held > 1 && c.idx != 0 {
		cmd = fmt.Sprintf("AT+CHLD=2%d", c.idx)
	}
	c.request("activate", cmd, c.a.opts.CommandTimeout)
}

// tone sends DTMF digits on the connected call, one AT+VTS each.
func (c *call) tone(tones string) {
	if c.state != telephony.CallConnected {
		c.a.log.Warn("tone: call is not connected", "call", c.tc.ID(), "state", c.state.String())
		return
	}
	if err := telephony.CheckTones(tones); err != nil {
		c.a.log.Warn("tone refused", "call", c.tc.ID(), "err", err)
		return
	}
	var cmds []string
	for i := 0; i < len(tones); i++ {
		cmd, err := modem.ToneCommand(upper(tones[i]))
		if err != nil {
			c.a.log.Warn("tone refused", "call", c.tc.ID(), "err", err)
			return
		}
		cmds = append(cmds, cmd)
	}
	a := c.a
	a.queue("tone", func(ctx context.Context, ch *modem.Channel) {
		for _, cmd := range cmds {
			if _, err := a.at(ctx, ch, cmd); err != nil {
				a.log.Warn("tone", "cmd", cmd, "err", err)
				return
			}
		}
	})
}

func upper(b byte) byte {
	if b >= 'a' && b <= 'd' {
		return b - 'a' + 'A'
	}
	return b
}

// endAllCalls ends every call for Stop: HangupLocal at once, and the
// modem told (AT+CHLD=1x for each, then AT+CHUP), bounded by ctx; done is
// closed when that is through.
func (a *Agent) endAllCalls(ctx context.Context, done chan struct{}) {
	var cmds []string
	for _, c := range a.sortedCalls() {
		if c.idx != 0 {
			cmds = append(cmds, fmt.Sprintf("AT+CHLD=1%d", c.idx))
		}
	}
	if len(a.calls) > 0 {
		cmds = append(cmds, "AT+CHUP")
	}
	a.transaction(func() {
		for _, c := range a.sortedCalls() {
			c.ending = true
			c.step(callGoneLocal, "")
		}
	})
	if len(cmds) == 0 || a.link.ch == nil {
		close(done)
		return
	}
	if !a.queue("stop", func(_ context.Context, ch *modem.Channel) {
		defer close(done)
		for _, cmd := range cmds {
			if _, err := a.at(ctx, ch, cmd); err != nil {
				a.log.Warn("hangup at stop", "cmd", cmd, "err", err)
			}
		}
	}) {
		close(done)
	}
}
