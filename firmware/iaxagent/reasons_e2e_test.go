package main

// What the agent tells the person at the console, end to end: the
// registration problem in the value space and under "problems:" in
// phonectl status, and why a call ended in the call list, as iaxpbx
// causes them.

import (
	"net"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/proctest"
)

const problemKey = "/Communications/QNetworkRegistration/asterisk/registrationProblem"

// get prints one value-space entry with vsexplorer ("" for a string is
// `""`).
func (s *stack) get(path string) string {
	s.t.Helper()
	return strings.TrimSpace(s.mustTool("", "vsexplorer", "get", path))
}

// watch starts vsexplorer watch on path; the test waits on its lines.
func (s *stack) watch(path string) *proctest.Proc {
	s.t.Helper()
	return proctest.Start(s.t, filepath.Join(bin, "vsexplorer"), nil, "-config", s.config, "-runtime", s.runtime, "watch", path)
}

// A dial of an extension iaxpbx does not have: the call ends HangupRemote,
// and the call list says why in the server's words.
func TestStackEndReasonNoSuchExtension(t *testing.T) {
	s := newStack(t, "s3cret")
	s.waitReg("Home")
	id := s.dial("555")
	s.waitCall(id, "HangupRemote")
	s.pbx.WaitLine(`msg="no such extension" .*called=555`, waitLimit)
	reason := s.get("/Communications/Calls/" + id + "/reason")
	for _, w := range []string{"no such extension", "Unallocated number", "(cause 1)"} {
		if !strings.Contains(reason, w) {
			t.Errorf("reason of the call to 555 = %s, want it to say %q", reason, w)
		}
	}
}

// handset2 calls the handset through iaxpbx: the incoming call carries
// handset2's caller name and number.
func TestStackIncomingCallerName(t *testing.T) {
	s := newStack(t, "s3cret")
	s.waitReg("Home")
	caller := proctest.Start(t, filepath.Join(bin, "iaxcli"), []string{"IAX_SECRET=other"}, "call", "-server", s.pbxAddr,
		"-user", "handset2", "-dial", "201", "-ring-timeout", "5s", "-local", "127.0.0.1:0")
	s.waitCall("", "Incoming")
	var id string
	for _, c := range s.calls().Calls {
		if c.State == "Incoming" {
			id = c.ID
			if c.Number != "202" {
				t.Errorf("incoming call's number = %q, want 202 (handset2's)", c.Number)
			}
		}
	}
	if got := s.get("/Communications/Calls/" + id + "/name"); got != strconv.Quote("Handset Two") {
		t.Errorf("incoming call's name = %s, want \"Handset Two\"", got)
	}
	s.ctl("hangup", id)
	s.waitCall(id, "HangupLocal")
	caller.Wait(waitLimit)
}

// A wrong password: Denied, and the problem says what the server said
// and what to check, in the value space and in phonectl status.
func TestStackProblemDenied(t *testing.T) {
	s := newStack(t, "wrong")
	w := s.watch(problemKey)
	s.waitReg("Denied")
	w.WaitLine(`registrationProblem = "the server refused the registration: Registration Refused \(cause 29\); check UserId and Password`, waitLimit)
	st := s.ctl("status")
	if !regexp.MustCompile(`(?m)^problems:\n(.*\n)*  - service asterisk is denied registration: the server refused the registration: Registration Refused \(cause 29\)`).MatchString(st) {
		t.Errorf("status after a wrong password lacks the problem:\n%s", st)
	}
}

// A server on a wrong port, where a socket takes the REGREQs and never
// answers: once the retransmissions are spent the problem says "no
// answer from 127.0.0.1:PORT since HH:MM:SS"; the right port again makes
// it Home and the problem goes.
func TestStackProblemNoAnswer(t *testing.T) {
	s := newStack(t, "s3cret")
	s.waitReg("Home")
	deaf, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer deaf.Close()
	w := s.watch(problemKey)
	w.WaitLine(`nothing at .*registrationProblem yet`, waitLimit)
	s.mustTool("", "iaxsettings", "set", "-server", deaf.LocalAddr().String())
	addr := regexp.QuoteMeta(deaf.LocalAddr().String())
	w.WaitLine(`registrationProblem = "no answer from `+addr+` since \d\d:\d\d:\d\d; `, waitLimit)
	st := s.ctl("status")
	if !regexp.MustCompile(`  - service asterisk is not registered: no answer from ` + addr + ` since \d\d:\d\d:\d\d`).MatchString(st) {
		t.Errorf("status with a deaf server lacks the problem:\n%s", st)
	}

	s.mustTool("", "iaxsettings", "set", "-server", s.pbxAddr)
	s.waitReg("Home")
	w.WaitLine(`registrationProblem removed`, waitLimit)
	if st := s.ctl("status"); strings.Contains(st, "no answer from") {
		t.Errorf("status still has the problem once Home:\n%s", st)
	}
}

// A server port where nothing listens: the agent says so as soon as the
// kernel reports it, and phonectl status shows it.
func TestStackProblemNothingListening(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("iax learns of ICMP port unreachable on Linux only")
	}
	s := newStack(t, "s3cret")
	s.waitReg("Home")
	closed, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.LocalAddr().String()
	closed.Close()
	w := s.watch(problemKey)
	s.mustTool("", "iaxsettings", "set", "-server", addr)
	w.WaitLine(`registrationProblem = "nothing listening at `+regexp.QuoteMeta(addr)+` \(port unreachable\); `, waitLimit)
	if st := s.ctl("status"); !strings.Contains(st, "  - service asterisk is not registered: nothing listening at "+addr+" (port unreachable)") {
		t.Errorf("status with nothing at the server's port lacks the problem:\n%s", st)
	}
}
