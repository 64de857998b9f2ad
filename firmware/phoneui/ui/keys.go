package ui

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/gdamore/tcell/v2"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
)

// The keys, the same on every screen where they mean something: the
// send key is Enter, the end key is Esc. Letters are free for the dialer
// (an address such as bob@example.org) and pick actions on the call
// screen.
const (
	keyHold     = 'h'
	keySwap     = 's'
	keyPad      = 'd'
	keyTransfer = 't'
	keyAnswer   = 'a'
	keyReject   = 'r'
)

// resultEvent is the answer to one request.
type resultEvent struct {
	what   string // "Dial 600", "Hold", ...
	number string // for a dial
	dial   *phoneapi.DialResult
	err    error
}

// key applies one key; it reports whether the person quit.
func (a *App) key(ev *tcell.EventKey) bool {
	switch ev.Key() {
	case tcell.KeyCtrlC:
		return true
	case tcell.KeyCtrlL:
		// Something else wrote on the terminal (a kernel message on the
		// console): draw every cell again.
		a.o.Screen.Sync()
		return false
	}
	st := a.st
	switch st.screen {
	case screenDialer:
		a.keyDialer(ev)
	case screenChooser:
		a.keyChooser(ev)
	case screenIncoming:
		a.keyIncoming(ev)
	case screenCalls:
		a.keyCalls(ev)
	case screenHistory:
		a.keyHistory(ev)
	}
	a.settle()
	return false
}

// next is the screen Tab shows: dialer → history → calls (when there are
// live calls) → dialer.
func (a *App) next() {
	st := a.st
	switch st.screen {
	case screenDialer, screenChooser:
		st.screen = screenHistory
	case screenHistory:
		st.screen = screenDialer
		if len(a.ph.liveCalls()) > 0 {
			st.screen = screenCalls
		}
	default:
		st.screen = screenDialer
	}
	st.hush()
}

// edit applies a line-editing key to s and reports whether it was one.
func edit(s *string, ev *tcell.EventKey, max int, allowed func(rune) bool) bool {
	switch ev.Key() {
	case tcell.KeyBackspace, tcell.KeyBackspace2:
		if r := []rune(*s); len(r) > 0 {
			*s = string(r[:len(r)-1])
		}
		return true
	case tcell.KeyCtrlU:
		*s = ""
		return true
	case tcell.KeyRune:
		if r := ev.Rune(); allowed(r) && len(*s)+len(string(r)) <= max {
			*s += string(r)
		}
		return true
	}
	return false
}

func numberRune(r rune) bool { return unicode.IsPrint(r) && r != ' ' }

func dtmfRune(r rune) bool { return strings.ContainsRune("0123456789*#ABCDabcd", r) }

func (a *App) keyDialer(ev *tcell.EventKey) {
	st := a.st
	if edit(&st.entry, ev, telephony.MaxNumberLen, numberRune) {
		return
	}
	switch ev.Key() {
	case tcell.KeyEnter:
		a.dial(st.entry, "")
	case tcell.KeyEscape:
		if st.entry == "" && len(a.ph.liveCalls()) > 0 {
			st.screen = screenCalls
		}
		st.entry = ""
		st.hush()
	case tcell.KeyTab:
		a.next()
	}
}

// dial asks phoned to place a call to number; callType "" lets the policy
// decide (or answer with the call types to choose from).
func (a *App) dial(number, callType string) {
	st := a.st
	number = strings.TrimSpace(number)
	if number == "" {
		st.say(msgError, "Type a number first, then press Enter to call it.")
		return
	}
	if err := telephony.CheckNumber(number); err != nil {
		st.say(msgError, "Cannot call that: %v.", err)
		return
	}
	if st.dialing != "" {
		st.say(msgError, "Still waiting for phoned to place the call to %s.", printable(st.dialing, 0))
		return
	}
	st.dialing = number
	st.say(msgInfo, "Calling %s…", number)
	ph := a.o.Phone
	a.request(func(ctx context.Context) any {
		r, err := ph.Dial(ctx, number, callType)
		return resultEvent{what: "Call " + number, number: number, dial: &r, err: err}
	})
}

func (a *App) keyChooser(ev *tcell.EventKey) {
	st := a.st
	n := len(st.chooseTypes)
	switch ev.Key() {
	case tcell.KeyUp:
		st.chooseSel = (st.chooseSel + n - 1) % n
	case tcell.KeyDown, tcell.KeyTab:
		st.chooseSel = (st.chooseSel + 1) % n
	case tcell.KeyEnter:
		st.screen = screenDialer
		a.dial(st.chooseFor, st.chooseTypes[st.chooseSel])
	case tcell.KeyEscape:
		st.screen = screenDialer
		st.hush()
	case tcell.KeyRune:
		if i := int(ev.Rune() - '1'); i >= 0 && i < n {
			st.chooseSel = i
			st.screen = screenDialer
			a.dial(st.chooseFor, st.chooseTypes[i])
		}
	}
}

func (a *App) keyIncoming(ev *tcell.EventKey) {
	st := a.st
	c := a.ph.calls[st.ringing]
	if c == nil {
		return
	}
	switch {
	case ev.Key() == tcell.KeyEnter || ev.Rune() == keyAnswer:
		a.act("Answer", c, a.o.Phone.Accept)
	case ev.Key() == tcell.KeyEscape || ev.Rune() == keyReject:
		a.act("Reject", c, a.o.Phone.Hangup)
	case ev.Key() == tcell.KeyTab:
		st.screen, st.sel = screenCalls, c.id
	}
}

// act sends a call request that takes only the call.
func (a *App) act(what string, c *call, do func(ctx context.Context, service, id string) error) {
	service, id := c.service, c.id
	a.request(func(ctx context.Context) any {
		return resultEvent{what: what, err: do(ctx, service, id)}
	})
}

func (a *App) keyCalls(ev *tcell.EventKey) {
	st, p := a.st, a.ph
	c := p.calls[st.sel]
	if c == nil {
		if ev.Key() == tcell.KeyTab || ev.Key() == tcell.KeyEscape {
			st.screen = screenDialer
		}
		return
	}
	switch {
	case st.transfer:
		a.keyTransfer(ev, c)
		return
	case st.pad:
		a.keyPad(ev, c)
		return
	}
	live := p.liveCalls()
	switch ev.Key() {
	case tcell.KeyUp, tcell.KeyDown:
		i := indexOf(live, c)
		if ev.Key() == tcell.KeyUp {
			i = (i + len(live) - 1) % len(live)
		} else {
			i = (i + 1) % len(live)
		}
		st.sel = live[i].id
		return
	case tcell.KeyEnter:
		if in := incomingOf(live, c); in != nil {
			a.act("Answer", in, a.o.Phone.Accept)
		}
		return
	case tcell.KeyEscape:
		what := "Hang up"
		if c.is(telephony.CallIncoming) {
			what = "Reject"
		}
		a.act(what, c, a.o.Phone.Hangup)
		return
	case tcell.KeyTab:
		a.next()
		return
	case tcell.KeyRune:
	default:
		return
	}
	switch r := ev.Rune(); {
	case r == keyAnswer:
		if in := incomingOf(live, c); in != nil {
			a.act("Answer", in, a.o.Phone.Accept)
		}
	case r == keyReject:
		if c.is(telephony.CallIncoming) {
			a.act("Reject", c, a.o.Phone.Hangup)
		}
	case r == keyHold:
		switch {
		case c.is(telephony.CallConnected):
			a.act("Hold", c, a.o.Phone.Hold)
		case c.is(telephony.CallHold):
			a.act("Resume", c, a.o.Phone.Activate)
		default:
			st.say(msgError, "Only a connected call can be held (this one is %s).", stateWords(c.state))
		}
	case r == keySwap:
		if h := heldOf(live, c); h != nil {
			st.sel = h.id
			a.act("Swap", h, a.o.Phone.Activate)
		} else {
			st.say(msgError, "No call is on hold to swap with.")
		}
	case r == keyPad || dtmfRune(r):
		if !c.is(telephony.CallConnected) {
			st.say(msgError, "Tones go on a connected call (this one is %s).", stateWords(c.state))
			return
		}
		st.pad, st.padSent = true, ""
		st.hush()
		if r != keyPad {
			a.tone(c, r)
		}
	case r == keyTransfer:
		if !c.is(telephony.CallConnected) && !c.is(telephony.CallHold) {
			st.say(msgError, "Only a connected or held call can be transferred.")
			return
		}
		st.transfer, st.target = true, ""
		st.hush()
	}
}

func (a *App) keyPad(ev *tcell.EventKey, c *call) {
	st := a.st
	switch {
	case ev.Key() == tcell.KeyEscape || ev.Key() == tcell.KeyEnter || ev.Rune() == keyPad:
		st.pad = false
	case ev.Key() == tcell.KeyRune && dtmfRune(ev.Rune()):
		a.tone(c, ev.Rune())
	}
}

func (a *App) tone(c *call, r rune) {
	a.st.padSent += string(r)
	service, id, tone := c.service, c.id, string(r)
	a.request(func(ctx context.Context) any {
		return resultEvent{what: "Tone " + tone, err: a.o.Phone.Tone(ctx, service, id, tone)}
	})
}

func (a *App) keyTransfer(ev *tcell.EventKey, c *call) {
	st := a.st
	if edit(&st.target, ev, telephony.MaxNumberLen, numberRune) {
		return
	}
	switch ev.Key() {
	case tcell.KeyEscape:
		st.transfer = false
	case tcell.KeyEnter:
		to := strings.TrimSpace(st.target)
		if err := telephony.CheckNumber(to); err != nil {
			st.say(msgError, "Cannot transfer there: %v.", err)
			return
		}
		st.transfer = false
		st.say(msgInfo, "Transferring %s to %s…", party(c), to)
		service, id := c.service, c.id
		a.request(func(ctx context.Context) any {
			return resultEvent{what: "Transfer to " + to, err: a.o.Phone.Transfer(ctx, service, id, to)}
		})
	}
}

func (a *App) keyHistory(ev *tcell.EventKey) {
	st := a.st
	h := a.ph.history()
	switch ev.Key() {
	case tcell.KeyUp:
		st.histSel = max(st.histSel-1, 0)
	case tcell.KeyDown:
		st.histSel = min(st.histSel+1, max(len(h)-1, 0))
	case tcell.KeyEnter:
		if st.histSel < len(h) {
			a.dial(h[st.histSel].number, "")
			st.screen = screenDialer
		}
	case tcell.KeyTab, tcell.KeyEscape:
		a.next()
	}
}

func indexOf(l []*call, c *call) int {
	for i, x := range l {
		if x == c {
			return i
		}
	}
	return 0
}

// incomingOf is the incoming call Enter answers: c, else the newest.
func incomingOf(live []*call, c *call) *call {
	if c.is(telephony.CallIncoming) {
		return c
	}
	for i := len(live) - 1; i >= 0; i-- {
		if live[i].is(telephony.CallIncoming) {
			return live[i]
		}
	}
	return nil
}

// heldOf is the call swap resumes: c when held, else the newest held.
func heldOf(live []*call, c *call) *call {
	if c.is(telephony.CallHold) {
		return c
	}
	for i := len(live) - 1; i >= 0; i-- {
		if live[i].is(telephony.CallHold) {
			return live[i]
		}
	}
	return nil
}

// result shows the answer to a request.
func (a *App) result(r resultEvent) {
	st := a.st
	if r.dial != nil {
		st.dialing = ""
		var ce *phoneapi.ChoiceError
		switch {
		case errors.As(r.err, &ce) && len(ce.CallTypes) > 0:
			st.screen, st.chooseFor, st.chooseTypes, st.chooseSel = screenChooser, r.number, ce.CallTypes, 0
			st.hush()
		case r.err != nil:
			st.say(msgError, "Cannot call %s: %s", printable(r.number, 0), refusal(r.err))
		default:
			st.entry = ""
			st.pending = r.dial.ID
			st.screen = screenCalls
			st.hush()
		}
		a.settle()
		return
	}
	if r.err != nil {
		st.say(msgError, "%s failed: %s", r.what, printable(r.err.Error(), 300))
	}
}

// refusal is phoned's reason for a refused dial, without the "dial
// refused" every refusal starts with.
func refusal(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, phoneapi.ErrDial.Error()+": ")
	return printable(s, 400)
}
