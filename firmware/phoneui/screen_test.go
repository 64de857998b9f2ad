//go:build linux

package main

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// Calls with the asterisk service: dial the echo extension, a second
// call, swap, tones, a blind transfer, hang up, and the history.
func TestScreenCalls(t *testing.T) {
	s := newStack(t)
	s.withAsterisk()
	s.start()
	tm := startUI(t, s)
	tm.wait(`asterisk\s+\[asterisk\]\s+Home`, `missed calls 0`, `Number:`, `Enter call`)

	tm.typ("600")
	tm.wait(`Number: 600`)
	tm.keep("dialer")
	tm.keys("Enter")
	tm.wait(`> 1  Connected 00:0\d\s+600\s+Asterisk`)

	// A second call holds the first; swap brings the first back.
	tm.keys("Tab")
	tm.wait(`Number:`)
	tm.typ("600")
	tm.keys("Enter")
	tm.wait(`  1  On hold \d\d:\d\d\s+600`, `> 2  Connected \d\d:\d\d\s+600`)
	tm.typ("s")
	tm.wait(`> 1  Connected \d\d:\d\d`, `  2  On hold \d\d:\d\d`)
	s.pbx.WaitLine(`msg=hold `, waitLimit)
	tm.keep("calls")

	// The DTMF pad sends each tone as it is typed.
	tm.typ("d")
	tm.wait(`DTMF pad: tones sent`)
	tm.typ("1")
	tm.wait(`DTMF pad: tones sent 1`)
	tm.keep("dtmf")
	s.pbx.WaitLine(`msg=dtmf .*digit=1`, waitLimit)
	tm.keys("Escape")
	tm.wait(`Enter answer  Esc hang up/reject`)

	// A blind transfer of the connected call to 601.
	tm.typ("t")
	tm.wait(`Transfer 600 to:`)
	tm.typ("601")
	tm.wait(`Transfer 600 to: 601`)
	tm.keep("transfer")
	tm.keys("Enter")
	s.pbx.WaitLine(`msg=transfer .*to=601`, waitLimit)

	tm.wait(`Transferring 600 to 601`)

	// The end key hangs up the selected call, then the held one; the
	// dialer comes back.
	tm.keys("Escape")
	tm.wait(`Call with 600 ended\.`, `> 1  On hold`)
	tm.keys("Escape")
	tm.wait(`Number:`)
	tm.keys("Tab")
	tm.wait(`Call history, newest first`, `dialled  600\s+\d\d:\d\d:\d\d \d\d:\d\d`)
}

// An incoming call from handset2 takes the screen with the caller's name
// and number; the send key answers. A caller who gives up is a missed
// call, counted in the status bar and listed in the history.
func TestScreenIncoming(t *testing.T) {
	s := newStack(t)
	s.withAsterisk()
	s.start()
	tm := startUI(t, s)
	tm.wait(`\[asterisk\]\s+Home`)

	caller := s.caller("-duration", "2s")
	tm.wait(`Incoming call`, `Handset Two`, `202`, `on asterisk \(Asterisk\)`, `Enter answer   Esc reject`)
	tm.keep("incoming")
	tm.keys("Enter")
	tm.wait(`> 1  Connected \d\d:\d\d\s+Handset Two <202>`)
	tm.wait(`Call with Handset Two <202> ended \(They hung up`)
	caller.Wait(waitLimit)

	caller = s.caller("-ring-timeout", "1s")
	tm.wait(`Incoming call`, `Handset Two`)
	caller.Wait(waitLimit)
	tm.wait(`Missed call from Handset Two <202>\.`, `missed calls 1`)
	tm.keys("Tab")
	tm.wait(`> missed   Handset Two <202>\s+\d\d:\d\d:\d\d -`, `  received Handset Two <202>\s+\d\d:\d\d:\d\d \d\d:\d\d`)
	tm.keep("history")

	// phoneui quits with ^C and finds the same history when it starts
	// again: phoned keeps it, not the screen.
	tm.keys("C-c")
	tm.wait(`Pane is dead`)
	tm2 := startUI(t, s)
	tm2.wait(`missed calls 1`)
	tm2.keys("Tab")
	tm2.wait(`> missed   Handset Two <202>`)
}

// Refusals in phoned's words: an address no service takes ("no network"
// with the reason), and 112 on an account that is not emergency-capable
// with no cellular modem: "No service can place emergency calls".
func TestScreenRefusals(t *testing.T) {
	s := newStack(t)
	s.withAsterisk()
	s.start()
	tm := startUI(t, s)
	tm.wait(`\[asterisk\]\s+Home`)

	tm.typ("bob@example.org")
	tm.keys("Enter")
	tm.wait(`Cannot call bob@example.org: .*no network`)
	tm.keys("Escape")
	tm.wait(`Number:\s*\n`)
	tm.typ("112")
	tm.keys("Enter")
	screen := tm.wait(`Cannot call 112: .*No service can place emergency`)
	tm.keep("refusal")
	if !strings.Contains(strings.ReplaceAll(screen, "\n ", " "), "emergency") {
		t.Errorf("the refusal of 112 does not say it is about an emergency number:\n%s", screen)
	}
}

// Two services that can both place a number: the chooser lists both call
// types with their icons, and picking one dials with it.
func TestScreenChooser(t *testing.T) {
	s := newStack(t)
	s.withTestAgent("alpha", "alphasvc", "Alpha")
	s.withTestAgent("beta", "betasvc", "Beta")
	s.start()
	tm := startUI(t, s)
	tm.wait(`alphasvc\s+\[generic\]\s+Home`, `betasvc\s+\[generic\]\s+Home`)

	tm.typ("600")
	tm.keys("Enter")
	tm.wait(`Several services can call 600\. Choose a call type:`, `1  (Alpha|Beta)\s+\[generic\]`, `2  (Alpha|Beta)\s+\[generic\]`)
	tm.keep("chooser")
	screen := tm.capture()
	if !strings.Contains(screen, "Alpha") || !strings.Contains(screen, "Beta") {
		t.Fatalf("the chooser does not list both call types:\n%s", screen)
	}
	pick := "1"
	if strings.Contains(screen, "2  Beta") {
		pick = "2"
	}
	tm.typ(pick)
	tm.wait(`> 1  Dialing\s+600\s+Beta`)
	s.phoned.WaitLine(`request dial 600`, waitLimit)
	tm.keys("Escape")
	tm.wait(`Call with 600 ended\.`)
}

// The chooser with the real services: the Asterisk account and the
// modem (modemagent on modemsim), both Home, can both call 600; the
// chooser lists each call type with its manager's icon, and picking the
// modem's places the call on the modem.
func TestScreenChooserAsteriskAndModem(t *testing.T) {
	s := newStack(t)
	s.withAsterisk()
	s.withModem()
	s.start()
	tm := startUI(t, s)
	tm.wait(`asterisk\s+\[asterisk\]\s+Home`, `modem\s+\[cellular\]\s+Home`)

	tm.typ("600")
	tm.keys("Enter")
	screen := tm.wait(`Several services can call 600\. Choose a call type:`,
		`[ >] \d  Asterisk\s+\[asterisk\]\s+asterisk`, `[ >] \d  Voice\s+\[cellular\]\s+modem`)
	tm.keep("chooser-modem")
	tm.typ(regexp.MustCompile(`(\d)  Voice`).FindStringSubmatch(screen)[1])
	tm.wait(`> 1  Connected \d\d:\d\d\s+600\s+Voice`)
	tm.keys("Escape")
	tm.wait(`Call with 600 ended\.`)
}

// The status bar and the dialer follow the value space as it changes;
// phoned going away and coming back: the screen says so and shows the
// services again.
func TestScreenLiveStatusAndPhonedRestart(t *testing.T) {
	s := newStack(t)
	s.withTestAgent("alpha", "alphasvc", "Alpha")
	s.start()
	tm := startUI(t, s)
	tm.wait(`alphasvc\s+\[generic\]`)
	s.tool("", "vsexplorer", "set", "/Telephony/Status/FlightMode", "true")
	s.tool("", "vsexplorer", "set", "/Hardware/Radio/Power", "airplane")
	s.tool("", "vsexplorer", "set", "/Hardware/Keypad/Digits", `"0800"`) // a string, as phoned publishes it
	tm.wait(`FLIGHT MODE ON  radio airplane  missed calls 0`, `Number: 0800`)
	s.tool("", "vsexplorer", "set", "/Telephony/Status/FlightMode", "false")
	tm.wait(`flight mode off  radio airplane`)

	s.phoned.Cmd.Process.Signal(syscall.SIGTERM)
	s.phoned.Wait(waitLimit)
	tm.wait(`phoned not connected`, `trying again`)
	tm.keep("no-phoned")
	s.start()
	tm.wait(`alphasvc\s+\[generic\]`, `flight mode off|missed calls 0`)
}
