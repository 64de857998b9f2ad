package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

var (
	statusIcon = vs.Join(telephony.ServiceStatusPath("asterisk"), telephony.KeyIcon)
	statusMsg  = vs.Join(telephony.ServiceStatusPath("asterisk"), telephony.KeyRegistrationMsg)
	regState   = vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, "asterisk"), telephony.KeyRegistrationState)
)

// The status bar: each service's icon, state and message, flight mode,
// radio power, missed calls and the time, live from the value space.
func TestStatusBar(t *testing.T) {
	h := newHarness(t)
	h.set(statusIcon, "asterisk-offline", statusMsg, "Searching for Asterisk network", regState, "Searching",
		telephony.FlightModePath, false, telephony.MissedCallsPath, 0)
	s := h.wait("asterisk", "[asterisk-offline]", "Searching for Asterisk network", "flight mode off", "missed calls 0", "Wed 14:05")
	if strings.Contains(s, "radio") {
		t.Errorf("a board without a radio shows one:\n%s", s)
	}
	h.set(statusIcon, "asterisk", statusMsg, "", regState, "Home", RadioPowerPath, "on",
		telephony.FlightModePath, true, telephony.MissedCallsPath, 2)
	h.wait("[asterisk]", "Home", "FLIGHT MODE ON", "radio on", "missed calls 2")
	h.gone("Searching")

	// The clock: one tick at the next minute, not before.
	h.clk.Advance(29 * time.Second)
	if !strings.Contains(h.screen(), "14:05") {
		t.Errorf("the time changed before the minute:\n%s", h.screen())
	}
	h.clk.Advance(time.Second)
	h.wait("Wed 14:06")

	// A service that goes away leaves the status bar.
	h.set(statusIcon, nil, statusMsg, nil, regState, nil)
	h.wait("No telephony service is running")
}

// The bus link's state shows in the status bar.
func TestLinkDown(t *testing.T) {
	h := newHarness(t)
	h.set(statusIcon, "asterisk")
	h.wait("[asterisk]")
	h.app.LinkDown(errors.New("phoned went away: bus: connection reset"))
	h.wait("phoned not connected", "phoned went away: bus: connection reset; trying again")
	h.app.LinkUp()
	s := h.wait("No telephony service is running")
	if strings.Contains(s, "[asterisk]") {
		t.Errorf("a new link keeps what the old one showed:\n%s", s)
	}
}

// Dial from the keyboard: Enter sends, phoned places the call, the call
// screen shows it with its duration.
func TestDialConnected(t *testing.T) {
	h := newHarness(t)
	h.wait("Number:", "Enter call", "Esc clear")
	h.typ("6001")
	h.key(tcell.KeyBackspace2)
	h.wait("Number: 600")
	h.phone.expect("Dial 600", phoneapi.DialResult{ID: "c1", Service: "asterisk", CallType: "Asterisk"}, nil)
	h.key(tcell.KeyEnter)
	h.phone.done()
	h.wait("Placing the call")
	h.set(callKeys("c1", phoneapi.KeyCallSeq, "1", telephony.KeyCallState, "Dialing", telephony.KeyCallNumber, "600",
		telephony.KeyCallService, "asterisk", telephony.KeyCallType, "Asterisk", phoneapi.KeyCallDirection, "outgoing",
		telephony.KeyCallStartTime, stamp(t0))...)
	h.wait("> 1  Dialing", "600", "Asterisk", "Esc hang up")
	h.set(callKeys("c1", telephony.KeyCallState, "Connected", phoneapi.KeyCallConnectedTime, stamp(t0))...)
	h.wait("Connected 00:00")
	h.clk.Advance(5 * time.Second)
	h.wait("Connected 00:05")
	h.clk.Advance(70 * time.Second)
	h.wait("Connected 01:15", "Wed 14:06")

	// The end key hangs up; the call's end is said and the dialer is back.
	h.phone.expect("Hangup asterisk c1", phoneapi.DialResult{}, nil)
	h.key(tcell.KeyEscape)
	h.phone.done()
	h.set(callKeys("c1", telephony.KeyCallState, "HangupLocal", phoneapi.KeyCallEndTime, stamp(t0.Add(75*time.Second)))...)
	h.wait("Call with 600 ended.", "Number:")
}

// A refusal is shown in phoned's words; so is a number too long to call.
func TestDialRefused(t *testing.T) {
	h := newHarness(t)
	words := "policy: no network: asterisk: 112 is an emergency number and the account is not emergency-capable"
	h.phone.expect("Dial 112", phoneapi.DialResult{}, fmt.Errorf("%w: %s", phoneapi.ErrDial, words))
	h.typ("112")
	h.key(tcell.KeyEnter)
	h.phone.done()
	s := h.wait("Cannot call 112: policy: no network:", "emergency-capable")
	if strings.Contains(s, "dial refused") {
		t.Errorf("the refusal repeats the words every refusal starts with:\n%s", s)
	}
	h.key(tcell.KeyEscape)
	h.gone("Cannot call")

	h.key(tcell.KeyEnter)
	h.wait("Type a number first")
}

// Several services: the chooser lists the call types with their services'
// icons; a digit picks one and dials with it.
func TestChooser(t *testing.T) {
	h := newHarness(t)
	for _, s := range []string{"alphasvc", "betasvc"} {
		h.set(vs.Join(telephony.ServiceStatusPath(s), telephony.KeyIcon), "generic",
			telephony.CallTypesKey(s), []string{strings.ToUpper(s[:1]) + s[1:strings.Index(s, "svc")]})
	}
	h.phone.expect("Dial 600", phoneapi.DialResult{}, &phoneapi.ChoiceError{Reason: "several", CallTypes: []string{"Beta", "Alpha"}})
	h.typ("600")
	h.key(tcell.KeyEnter)
	h.phone.done()
	h.wait("Choose a call type", "> 1  Beta", "[generic]  betasvc", "  2  Alpha", "alphasvc")
	h.key(tcell.KeyDown)
	h.wait("> 2  Alpha")
	h.phone.expect("Dial 600 Alpha", phoneapi.DialResult{ID: "c9", Service: "alphasvc", CallType: "Alpha"}, nil)
	h.key(tcell.KeyEnter)
	h.phone.done()
	h.wait("Placing the call")

	// Esc leaves the chooser without dialing; a digit picks at once.
	h.app.post(resultEvent{dial: &phoneapi.DialResult{}, number: "601",
		err: &phoneapi.ChoiceError{CallTypes: []string{"Beta", "Alpha"}}})
	h.wait("Several services can call 601")
	h.key(tcell.KeyEscape)
	h.wait("Number:")
	h.app.post(resultEvent{dial: &phoneapi.DialResult{}, number: "601",
		err: &phoneapi.ChoiceError{CallTypes: []string{"Beta", "Alpha"}}})
	h.wait("Several services can call 601")
	h.phone.expect("Dial 601 Beta", phoneapi.DialResult{}, errors.New("dial refused: no network"))
	h.typ("1")
	h.phone.done()
	h.wait("Cannot call 601: no network")
}

// An incoming call takes the screen with the caller id; the send key
// answers it.
func TestIncomingAnswer(t *testing.T) {
	h := newHarness(t)
	h.typ("12")
	h.set(callKeys("in1", phoneapi.KeyCallSeq, "1", telephony.KeyCallState, "Incoming", telephony.KeyCallNumber, "202",
		telephony.KeyCallName, "Handset Two", telephony.KeyCallService, "asterisk", telephony.KeyCallType, "Asterisk",
		phoneapi.KeyCallDirection, "incoming", telephony.KeyCallActions, "accept")...)
	h.wait("Incoming call", "Handset Two", "202", "on asterisk (Asterisk)", "Enter answer", "Esc reject")
	h.phone.expect("Accept asterisk in1", phoneapi.DialResult{}, nil)
	h.key(tcell.KeyEnter)
	h.phone.done()
	h.set(callKeys("in1", telephony.KeyCallState, "Connected", phoneapi.KeyCallConnectedTime, stamp(t0))...)
	h.wait("> 1  Connected 00:00", "Handset Two <202>")
}

// A caller who gives up: a missed call, said, and in the history.
func TestIncomingMissed(t *testing.T) {
	h := newHarness(t)
	h.set(callKeys("in1", phoneapi.KeyCallSeq, "1", telephony.KeyCallState, "Incoming", telephony.KeyCallNumber, "202",
		phoneapi.KeyCallDirection, "incoming", telephony.KeyCallStartTime, stamp(t0))...)
	h.wait("Incoming call", "Unknown caller", "202")
	h.set(append(callKeys("in1", telephony.KeyCallState, "Missed", phoneapi.KeyCallEndTime, stamp(t0.Add(3*time.Second))),
		telephony.MissedCallsPath, 1)...)
	h.wait("Missed call from 202.", "missed calls 1", "Number:")
	h.key(tcell.KeyTab)
	h.wait("Call history", "> missed   202", "14:05:30", "Missed")
}

// Two calls: hold, swap, tones on the pad and a blind transfer, each
// sent to the right call.
func TestHoldSwapToneTransfer(t *testing.T) {
	h := newHarness(t)
	h.set(append(callKeys("a", phoneapi.KeyCallSeq, "1", telephony.KeyCallState, "Hold", telephony.KeyCallNumber, "600",
		telephony.KeyCallService, "asterisk", phoneapi.KeyCallConnectedTime, stamp(t0.Add(-10*time.Second))),
		callKeys("b", phoneapi.KeyCallSeq, "2", telephony.KeyCallState, "Connected", telephony.KeyCallNumber, "601",
			telephony.KeyCallService, "asterisk", phoneapi.KeyCallConnectedTime, stamp(t0))...)...)
	h.key(tcell.KeyTab) // the history
	h.key(tcell.KeyTab) // the calls
	h.wait("  1  On hold 00:10", "> 2  Connected 00:00")

	h.phone.expect("Activate asterisk a", phoneapi.DialResult{}, nil)
	h.typ("s")
	h.phone.done()
	h.wait("> 1  On hold", "  2  Connected")
	h.set(append(callKeys("a", telephony.KeyCallState, "Connected"), callKeys("b", telephony.KeyCallState, "Hold")...)...)
	h.wait("> 1  Connected 00:10", "  2  On hold 00:00")

	h.phone.expect("Hold asterisk a", phoneapi.DialResult{}, nil)
	h.typ("h")
	h.phone.done()

	h.phone.expect("Tone asterisk a 1", phoneapi.DialResult{}, nil)
	h.phone.expect("Tone asterisk a #", phoneapi.DialResult{}, nil)
	h.typ("d1#")
	h.phone.done()
	h.wait("DTMF pad: tones sent 1#", "Esc close the pad")
	h.key(tcell.KeyEscape)
	h.gone("DTMF pad")

	h.typ("t601")
	h.wait("Transfer 600 to: 601")
	h.phone.expect("Transfer asterisk a 601", phoneapi.DialResult{}, errors.New("no such extension"))
	h.key(tcell.KeyEnter)
	h.phone.done()
	h.wait("Transfer to 601 failed: no such extension")

	// Up selects the other call; the end key hangs up the selected one.
	h.key(tcell.KeyUp)
	h.wait("> 2  On hold")
	h.phone.expect("Hangup asterisk b", phoneapi.DialResult{}, nil)
	h.key(tcell.KeyEscape)
	h.phone.done()
}

// The history: dialled, received and missed calls, newest first, with
// their times and durations; Enter calls back.
func TestHistory(t *testing.T) {
	h := newHarness(t)
	h.set(append(append(
		callKeys("o", phoneapi.KeyCallSeq, "1", telephony.KeyCallState, "HangupLocal", telephony.KeyCallNumber, "600",
			phoneapi.KeyCallDirection, "outgoing", telephony.KeyCallStartTime, stamp(t0.Add(-time.Hour)),
			phoneapi.KeyCallConnectedTime, stamp(t0.Add(-time.Hour+time.Second)), phoneapi.KeyCallEndTime, stamp(t0.Add(-time.Hour+8*time.Second))),
		callKeys("r", phoneapi.KeyCallSeq, "2", telephony.KeyCallState, "HangupRemote", telephony.KeyCallNumber, "202",
			telephony.KeyCallName, "Handset Two", phoneapi.KeyCallDirection, "incoming", telephony.KeyCallStartTime, stamp(t0.Add(-30*time.Minute)),
			phoneapi.KeyCallConnectedTime, stamp(t0.Add(-30*time.Minute)), phoneapi.KeyCallEndTime, stamp(t0.Add(-28*time.Minute)),
			telephony.KeyCallReason, "normal clearing (cause 16)")...),
		callKeys("m", phoneapi.KeyCallSeq, "3", telephony.KeyCallState, "HangupRemote", telephony.KeyCallNumber, "203",
			phoneapi.KeyCallDirection, "incoming", telephony.KeyCallStartTime, stamp(t0.Add(-time.Minute)),
			phoneapi.KeyCallEndTime, stamp(t0.Add(-time.Minute)))...)...)
	h.key(tcell.KeyTab)
	s := h.wait("Call history")
	want := []string{
		"> missed   203                        14:04:30 -       They hung up",
		"  received Handset Two <202>          13:35:30 02:00   They hung up",
		"  dialled  600                        13:05:30 00:07   Hung up",
	}
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("history lacks %q:\n%s", w, s)
		}
	}
	h.key(tcell.KeyDown)
	h.wait("> received", "Handset Two <202>, - on -: normal clearing (cause 16)")
	h.key(tcell.KeyDown)
	h.wait("> dialled  600")
	h.phone.expect("Dial 600", phoneapi.DialResult{}, errors.New("dial refused: no network"))
	h.key(tcell.KeyEnter)
	h.phone.done()
	h.wait("Cannot call 600: no network")
}

// Text from the network is made printable: an escape sequence in a
// caller's name cannot reach the terminal.
func TestNetworkTextPrintable(t *testing.T) {
	h := newHarness(t)
	h.set(callKeys("in1", phoneapi.KeyCallSeq, "1", telephony.KeyCallState, "Incoming", telephony.KeyCallNumber, "202\a",
		telephony.KeyCallName, "Eve\x1b[2J", phoneapi.KeyCallDirection, "incoming")...)
	h.set(statusIcon, "x\x1b]0;pwned\a", statusMsg, "bad\x1b[31m")
	s := h.wait(`Eve\x1b[2J`, `202\a`, `[x\x1b]0;pwned\a]`, `bad\x1b[31m`)
	if strings.ContainsRune(s, 0x1b) || strings.ContainsRune(s, '\a') {
		t.Errorf("a control character reached the screen:\n%q", s)
	}
}

// Idle, the app wakes once a minute for the clock; a call's duration adds
// one wakeup a second while the call screen shows it. A batch that
// changes nothing visible sends the terminal nothing.
func TestIdleWakeups(t *testing.T) {
	h := newHarness(t)
	h.set(statusIcon, "asterisk")
	h.wait("[asterisk]")
	if next, ok := h.clk.Next(); !ok || !next.Equal(t0.Truncate(time.Minute).Add(time.Minute)) || h.clk.Pending() != 1 {
		t.Errorf("idle timers: %d pending, next at %v, want one at the next minute", h.clk.Pending(), next)
	}
	n := h.frameCount()
	h.set(vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, "asterisk"), telephony.KeyRequestChannel), "QPE/x",
		statusIcon, "asterisk")
	h.set(statusIcon, "asterisk-offline") // a change that shows, after the one that does not
	h.wait("[asterisk-offline]")
	if got := h.frameCount(); got != n+1 {
		t.Errorf("frames sent for one visible change = %d, want 1", got-n)
	}

	h.set(callKeys("c", phoneapi.KeyCallSeq, "1", telephony.KeyCallState, "Connected", telephony.KeyCallNumber, "600",
		phoneapi.KeyCallConnectedTime, stamp(t0.Add(-300*time.Millisecond)))...)
	h.key(tcell.KeyTab)
	h.key(tcell.KeyTab)
	h.wait("Connected 00:00")
	if next, _ := h.clk.Next(); !next.Equal(t0.Add(700 * time.Millisecond)) {
		t.Errorf("with a call shown, next wakeup at %v, want %v (its next second)", next, t0.Add(700*time.Millisecond))
	}
}

// ^C quits: Run returns nil.
func TestQuit(t *testing.T) {
	h := newHarness(t)
	h.wait("Number:")
	h.key(tcell.KeyCtrlC)
	select {
	case <-h.exited:
	case <-time.After(waitLimit):
		t.Fatalf("Run still runs %v after ^C", waitLimit)
	}
}

func TestRenderSmallTerminal(t *testing.T) {
	st, p := newState(), newPhone()
	st.linkUp = true
	f := render(st, p, t0, 40, 10)
	if len(f.rows) != 10 {
		t.Fatalf("render(40x10) = %d rows, want 10", len(f.rows))
	}
	for i, r := range f.rows {
		if n := len([]rune(r.text)); n != 40 {
			t.Errorf("row %d is %d wide, want 40: %q", i, n, r.text)
		}
	}
	if f := render(st, p, t0, 0, 0); len(f.rows) != 0 {
		t.Errorf("render(0x0) = %d rows, want none", len(f.rows))
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"a bb ccc", 4, "a bb|ccc"},
		{"abcdefgh", 3, "abc|def|gh"},
		{"", 5, ""},
		{"one\ntwo", 10, "one|two"},
	} {
		if got := strings.Join(wrap(c.in, c.w), "|"); got != c.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

func TestClockDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{0, "00:00"}, {5999 * time.Millisecond, "00:05"}, {75 * time.Second, "01:15"}, {3723 * time.Second, "1:02:03"}} {
		if got := clockDuration(c.d); got != c.want {
			t.Errorf("clockDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// ^L draws the screen again and keeps phoneui running; with Console the
// key rows say that ^C gives the shell.
func TestRedrawAndConsoleKeys(t *testing.T) {
	h := newHarness(t)
	h.wait("Number:", "^C quit")
	h.key(tcell.KeyCtrlL)
	h.typ("1")
	h.wait("Number: 1")
	select {
	case <-h.exited:
		t.Fatal("Run returned after ^L")
	default:
	}
	st, p := New(Options{Screen: tcell.NewSimulationScreen(""), Console: true}).st, newPhone()
	st.linkUp = true
	if got := strings.Join(render(st, p, t0, 80, 24).lines(), "\n"); !strings.Contains(got, "Tab history/calls   ^C shell") {
		t.Errorf("with Console the dialer's keys read:\n%s\nwant ^C shell", got)
	}
}
