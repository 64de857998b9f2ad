package ui

import (
	"fmt"

	"github.com/ringo-phone/ringo/telephony"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// screenID names what the body of the screen shows.
type screenID int

const (
	screenDialer screenID = iota
	screenChooser
	screenCalls
	screenIncoming
	screenHistory
)

type msgKind int

const (
	msgInfo msgKind = iota
	msgError
)

// state is what the person is doing: the screen, what they typed, what is
// selected, and the last message. It is owned by the App's loop.
type state struct {
	screen screenID
	entry  string // the dialer's number

	sel     string // the selected call on the call screen
	pending string // a call phoned placed that is not in the list yet
	ringing string // the call the incoming screen shows
	// shown are the incoming calls that took the screen already.
	shown map[string]bool

	pad      bool   // the DTMF pad is open on the call screen
	padSent  string // tones sent on the pad
	transfer bool   // the transfer prompt is open
	target   string // the transfer's number

	chooseFor   string   // the number the chooser is for
	chooseTypes []string // its call types, in rank order
	chooseSel   int

	histSel int

	dialing string // a dial request for this number is out

	msg     string
	msgKind msgKind

	linkUp  bool
	linkErr error

	quit string // what ^C does, as the key rows say it
}

func newState() *state { return &state{shown: make(map[string]bool), quit: "^C quit"} }

func (st *state) say(k msgKind, format string, args ...any) {
	st.msg, st.msgKind = fmt.Sprintf(format, args...), k
}

func (st *state) hush() { st.msg = "" }

// resetCalls forgets what was selected: the call list comes anew.
func (st *state) resetCalls() {
	st.sel, st.pending, st.ringing = "", "", ""
	st.pad, st.transfer = false, false
	st.shown = make(map[string]bool)
	if st.screen == screenCalls || st.screen == screenIncoming {
		st.screen = screenDialer
	}
}

// batch folds a value-space batch in, then lets what changed move the
// screen: a new incoming call takes it; a call that ends says so.
func (a *App) batch(b vs.Batch) {
	st, p := a.st, a.ph
	wasLive := map[string]bool{}
	for _, c := range p.liveCalls() {
		wasLive[c.id] = true
	}
	p.digitsChange = false
	for _, ch := range b.Changes {
		p.apply(ch)
	}
	if p.digitsChange && p.digitsSeen {
		st.entry = p.digits
		if st.screen == screenHistory || st.screen == screenChooser {
			st.screen = screenDialer
		}
	}
	for _, c := range p.sorted() {
		if wasLive[c.id] && c.ended() {
			a.ended(c)
		}
	}
	for _, c := range p.liveCalls() {
		if c.is(telephony.CallIncoming) && !st.shown[c.id] {
			st.shown[c.id] = true
			st.screen, st.ringing, st.pad, st.transfer = screenIncoming, c.id, false, false
			st.hush()
			a.o.Screen.Beep()
		}
	}
	a.settle()
}

// ended says that call c ended, unless the person ended it.
func (a *App) ended(c *call) {
	st := a.st
	who := party(c)
	switch {
	case c.missed():
		st.say(msgInfo, "Missed call from %s.", who)
	case c.is(telephony.CallHangupLocal):
		st.say(msgInfo, "Call with %s ended.", who)
	default:
		words := stateWords(c.state)
		if c.reason != "" {
			words += ": " + printable(c.reason, 200)
		}
		st.say(msgInfo, "Call with %s ended (%s).", who, words)
	}
}

// settle keeps the screen and the selection consistent with the calls.
func (a *App) settle() {
	st, p := a.st, a.ph
	live := p.liveCalls()
	if st.pending != "" {
		if c := p.calls[st.pending]; c != nil && c.live() {
			st.sel, st.pending = st.pending, ""
		} else if c != nil && c.ended() {
			st.pending = ""
		}
	}
	if c := p.calls[st.sel]; c == nil || !c.live() {
		st.sel = ""
		if len(live) > 0 {
			st.sel = live[len(live)-1].id
		}
		st.pad, st.transfer = false, false
	}
	if st.screen == screenIncoming {
		c := p.calls[st.ringing]
		switch {
		case c != nil && c.is(telephony.CallIncoming):
		case c != nil && c.live():
			st.screen, st.sel = screenCalls, c.id
		default:
			st.screen = screenDialer
			if len(live) > 0 {
				st.screen = screenCalls
			}
		}
	}
	if st.screen == screenCalls && len(live) == 0 && st.pending == "" {
		st.screen = screenDialer
	}
	if st.histSel >= len(p.history()) {
		st.histSel = max(len(p.history())-1, 0)
	}
}

// stateWords are a call state in words for the call screen.
func stateWords(s string) string {
	switch s {
	case "Hold":
		return "On hold"
	case "Alerting":
		return "Ringing"
	case "HangupLocal":
		return "Hung up"
	case "HangupRemote":
		return "They hung up"
	case "NetworkFailure":
		return "Network failure"
	case "OtherFailure":
		return "Failed"
	case "ServiceHangup":
		return "Service ended it"
	}
	return printable(s, 20)
}

// party is who a call is with: "Name <number>" or the number.
func party(c *call) string {
	num := printable(c.number, telephony.MaxNumberLen)
	if c.name != "" && c.name != c.number {
		return printable(c.name, telephony.MaxNameLen) + " <" + num + ">"
	}
	if num == "" {
		return "unknown"
	}
	return num
}

func printable(s string, max int) string { return telephony.Printable(s, max) }
