package main

// Hostile input end to end (issue 11, items 1 and 9): strangers on the
// network cannot ring the handset, and a server that falls silent is
// noticed between refreshes.

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"path/filepath"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/proctest"
)

// strangerNew is a NEW such as any host can send: to the handset's
// number, claiming to be 911, with a terminal escape in the name.
func strangerNew(t *testing.T, source uint16) []byte {
	t.Helper()
	f := &iax.FullFrame{SourceCall: source, Type: iax.FrameIAX, Subclass: uint8(iax.CmdNew)}
	f.IEs.AddUint16(iax.IEVersion, 2)
	f.IEs.AddString(iax.IECalledNumber, "201")
	f.IEs.AddString(iax.IECallingNumber, "911")
	f.IEs.AddString(iax.IECallingName, "\x1b]0;PWNED\a")
	f.IEs.AddUint32(iax.IECapability, uint32(iax.FormatULaw))
	f.IEs.AddUint32(iax.IEFormat, uint32(iax.FormatULaw))
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A stranger at 127.0.0.2 sends the handset 40 NEWs: none reaches the
// call list, none is answered; the registered server's call still rings.
func TestStackStrangerCannotRing(t *testing.T) {
	stranger, err := net.ListenPacket("udp4", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address to be a stranger from: %v", err)
	}
	defer stranger.Close()
	s := newStack(t, "s3cret")
	s.waitReg("Home")
	agentAddr := s.pbx.WaitLine(`msg=registered category=pbx user=handset1 addr=(127\.0\.0\.1:\d+)`, waitLimit)[1]
	to := net.UDPAddrFromAddrPort(netip.MustParseAddrPort(agentAddr))
	missed := s.calls().Missed
	for i := 0; i < 40; i++ {
		if _, err := stranger.WriteTo(strangerNew(t, uint16(0x100+i)), to); err != nil {
			t.Fatal(err)
		}
	}

	// The server's call comes after the strangers' NEWs, on the same
	// socket: once it rings, they have all been dealt with.
	caller := proctest.Start(t, filepath.Join(bin, "iaxcli"), []string{"IAX_SECRET=other"}, "call", "-server", s.pbxAddr,
		"-user", "handset2", "-dial", "201", "-ring-timeout", "5s", "-local", "127.0.0.1:0")
	s.waitCall("", "Incoming")
	l := s.calls()
	if len(l.Calls) != 1 || l.Calls[0].Number != "202" {
		t.Errorf("calls while a stranger rings = %+v, want only the server's call from 202", l.Calls)
	}
	if out := s.ctl("calls"); strings.Contains(out, "911") || strings.Contains(out, "PWNED") {
		t.Errorf("phonectl calls shows the stranger's call:\n%s", out)
	}
	// Answered and hung up: not missed either.
	s.ctl("answer")
	s.waitCall(l.Calls[0].ID, "Connected")
	s.ctl("hangup", l.Calls[0].ID)
	s.waitCall(l.Calls[0].ID, "HangupLocal")
	caller.Wait(waitLimit)
	if got := s.calls().Missed; got != missed {
		t.Errorf("missed calls = %d after the strangers' NEWs, want %d", got, missed)
	}
	// Nothing came back to the stranger: no ACK, no REJECT, no token.
	stranger.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 1500)
	if n, _, err := stranger.ReadFrom(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the stranger got an answer of %d bytes (%v), want none", n, err)
	}
}

// The server stops answering (SIGSTOP: its socket is there, nothing
// comes back). A connected call ends NetworkFailure within the ping
// bound, saying why; the registration goes None with the problem within
// the check bound, long before the next refresh; SIGCONT makes it Home.
func TestStackServerFallsSilent(t *testing.T) {
	const (
		pingInterval, pingTimeout   = 300 * time.Millisecond, 500 * time.Millisecond
		checkInterval, checkTimeout = 300 * time.Millisecond, 500 * time.Millisecond
		slack                       = 2 * time.Second
	)
	s := newStackWith(t, "s3cret", nil, "-audio-source", "null", "-audio-sink", "null",
		"-test-ping-interval", pingInterval.String(), "-test-ping-timeout", pingTimeout.String(),
		"-test-check-interval", checkInterval.String(), "-test-check-timeout", checkTimeout.String())
	s.waitReg("Home")
	// A refresh a minute away (48 s): only the check can notice in time.
	s.mustTool("", "iaxsettings", "set", "-refresh", "60")
	s.pbx.WaitCount(`msg=registered .*user=handset1`, 2, waitLimit)
	s.waitReg("Home")
	id := s.dial("600")
	s.waitCall(id, "Connected")

	w := s.watch(problemKey)
	w.WaitLine(`nothing at .*registrationProblem yet`, waitLimit)
	if err := s.pbx.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			s.pbx.Cmd.Process.Signal(syscall.SIGCONT)
		}
	}
	defer resume()

	s.waitCall(id, "NetworkFailure")
	if d, bound := time.Since(stopped), pingInterval+pingTimeout+slack; d > bound {
		t.Errorf("the call ended %v after the server fell silent, want within %v", d, bound)
	}
	if reason := s.get("/Communications/Calls/" + id + "/reason"); !strings.Contains(reason, "no answer from the server: the call was lost") {
		t.Errorf("reason of the lost call = %s, want it to say there was no answer", reason)
	}
	s.waitReg("None")
	if d, bound := time.Since(stopped), checkInterval+checkTimeout+slack; d > bound {
		t.Errorf("registration None %v after the server fell silent, want within %v", d, bound)
	}
	addr := regexp.QuoteMeta(s.pbxAddr)
	w.WaitLine(`registrationProblem = "no answer from `+addr+` since \d\d:\d\d:\d\d; is the server running there\?`, waitLimit)
	if st := s.ctl("status"); !regexp.MustCompile(`  - service asterisk is not registered: no answer from ` + addr).MatchString(st) {
		t.Errorf("status with a silent server lacks the problem:\n%s", st)
	}

	// It answers again: the next check re-registers at once.
	resume()
	s.waitReg("Home")
	w.WaitLine(`registrationProblem removed`, waitLimit)
	s.waitCall(s.dial("600"), "Connected")
}
