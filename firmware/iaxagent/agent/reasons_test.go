package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/telephony"
)

func TestRegistrationProblemWords(t *testing.T) {
	r := registration{
		server: netip.MustParseAddrPort("10.0.2.2:4570"),
		since:  time.Date(2025, 3, 4, 12, 0, 3, 0, time.Local),
	}
	for _, tc := range []struct {
		ev   regEvent
		why  error
		want string
	}{
		{regUnconfigured, ErrNotConfigured, "not configured: set Server and UserId with iaxsettings set -server HOST -user NAME"},
		{regUnconfigured, &confError{Err: errors.Join(
			fmt.Errorf("%w: Port 0 is not between 1 and 65535", asteriskconf.ErrInvalid),
			fmt.Errorf("%w: UserId is empty but a server is set", asteriskconf.ErrInvalid))},
			"Asterisk.conf is not used: invalid: Port 0 is not between 1 and 65535; invalid: UserId is empty but a server is set; fix it with iaxsettings set"},
		{regUnconfigured, &confError{Err: fmt.Errorf("%w: Server %q is not a host name", asteriskconf.ErrInvalid, "a\x1b[2J")},
			`Asterisk.conf is not used: invalid: Server "a\x1b[2J" is not a host name; fix it with iaxsettings set`},
		{regUnreachable, &resolveError{Host: "pbx.example", Err: &net.DNSError{Err: "no such host", Name: "pbx.example"}},
			"cannot resolve pbx.example: no such host; check Server (iaxsettings show) and the network's name server"},
		{regUnreachable, &resolveError{Host: "pbx.example", Err: context.DeadlineExceeded},
			"cannot resolve pbx.example: context deadline exceeded; check Server (iaxsettings show) and the network's name server"},
		{regUnreachable, iax.ErrNoCallNumbers, "cannot register with 10.0.2.2:4570: iax: no free call numbers"},
		{regUnanswered, iax.ErrTimeout,
			"no answer from 10.0.2.2:4570 since 12:00:03; is the server running there? check Server and Port (iaxsettings show)"},
		{regUnanswered, fmt.Errorf("attempt: %w", &iax.UnreachableError{Addr: netip.MustParseAddrPort("10.0.2.2:4570")}),
			"nothing listening at 10.0.2.2:4570 (port unreachable); check Server and Port (iaxsettings show)"},
		{regFailed, &iax.UnreachableError{Addr: netip.MustParseAddrPort("10.0.2.2:4570")},
			"nothing listening at 10.0.2.2:4570 (port unreachable); check Server and Port (iaxsettings show)"},
		{regRejected, &iax.DeniedError{Cause: "Registration Refused", CauseCode: 29},
			"the server refused the registration: Registration Refused (cause 29); check UserId and Password (iaxsettings show)"},
		{regRejected, &iax.DeniedError{CauseCode: 29},
			"the server refused the registration (cause 29); check UserId and Password (iaxsettings show)"},
		{regRejected, &iax.DeniedError{Cause: "challenged twice"},
			"the server refused the registration: challenged twice; check UserId and Password (iaxsettings show)"},
		{regFailed, iax.ErrNoAuthMethod,
			"the registration with 10.0.2.2:4570 failed: iax: no acceptable authentication method; trying again"},
	} {
		if got := r.problem(tc.ev, tc.why); got != tc.want {
			t.Errorf("problem(%v, %v) =\n\t%q\nwant\n\t%q", tc.ev, tc.why, got, tc.want)
		}
	}
	// Events that describe no problem have no words.
	for _, ev := range []regEvent{regBegin, regAgain, regDeregistered, regResolved, regSent, regAcked, regReleased} {
		if got := r.problem(ev, nil); got != "" {
			t.Errorf("problem(%v) = %q, want nothing", ev, got)
		}
	}
}

func TestRemoteReasonWords(t *testing.T) {
	for _, tc := range []struct {
		he   iax.HangupError
		want string
	}{
		{iax.HangupError{Cause: "Unallocated number", CauseCode: 1, Rejected: true}, "no such extension: Unallocated number (cause 1)"},
		{iax.HangupError{Cause: "User busy", CauseCode: 17}, "User busy (cause 17)"},
		{iax.HangupError{CauseCode: 17}, "busy (cause 17)"},
		{iax.HangupError{Cause: "Normal Clearing", CauseCode: 16}, "the other side hung up: Normal Clearing (cause 16)"},
		{iax.HangupError{Cause: "Congestion", CauseCode: 34}, "no line free at the server: Congestion (cause 34)"},
		{iax.HangupError{Cause: "Odd", CauseCode: 99, Rejected: true}, "the server refused the call: Odd (cause 99)"},
		{iax.HangupError{}, "the server ended the call"},
	} {
		if got := remoteReason(&tc.he); got != tc.want {
			t.Errorf("remoteReason(%+v) = %q, want %q", tc.he, got, tc.want)
		}
	}
}

func TestEndReasonWords(t *testing.T) {
	a := &Agent{opts: Options{MaxCalls: 16}}
	a.reg.state = telephony.RegistrationSearching
	a.reg.server = netip.MustParseAddrPort("10.0.2.2:4569")
	for _, tc := range []struct {
		ev   callEvent
		why  error
		want string
	}{
		{callEndLocal, nil, ""},
		{callStopping, nil, "the Asterisk service is stopping"},
		{callTooMany, nil, "too many calls: the agent takes 16 at once; hang one up"},
		{callNoNetwork, nil, "not registered with the Asterisk server (registration Searching); see phonectl status"},
		{callNoNetwork, iax.ErrNoCallNumbers, "cannot place the call: iax: no free call numbers"},
		{callBadNumber, telephony.CheckNumber(strings.Repeat("1", 100)), "the number cannot be dialled: bad number: 100 characters, at most 64"},
		{callEndRemote, fmt.Errorf("wrapped: %w", &iax.HangupError{Cause: "User busy", CauseCode: 17}), "User busy (cause 17)"},
		{callLost, iax.ErrTimeout, "no answer from the server: the call was lost"},
		{callLost, nil, "no answer from the server: the call was lost"},
		{callLost, &iax.UnreachableError{Addr: netip.MustParseAddrPort("10.0.2.3:4569")}, "nothing listening at 10.0.2.3:4569 (port unreachable): the call was lost"},
		{callLost, iax.ErrInvalidCall, "the server no longer knows the call: it was lost"},
		{callLost, iax.ErrClosed, "the Asterisk service stopped"},
		{callLost, iax.ErrNoAuthMethod, "the call could not be authenticated: iax: no acceptable authentication method; check UserId and Password (iaxsettings show)"},
		{callLost, errors.New("odd"), "the call failed: odd"},
	} {
		if got := a.endReason(tc.ev, tc.why); got != tc.want {
			t.Errorf("endReason(%v, %v) = %q, want %q", tc.ev, tc.why, got, tc.want)
		}
	}
}

// The registration problem as the service publishes it: the server's
// refusal while Denied, gone once registered.
func TestProblemDeniedThenCleared(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "wrong"), Options{})
	r.waitReg(telephony.RegistrationDenied)
	want := "the server refused the registration: Registration Refused (cause 29); check UserId and Password"
	if got := r.waitProblem("refused"); !strings.HasPrefix(got, want) {
		t.Errorf("problem while Denied = %q, want %q...", got, want)
	}
	if err := asteriskconf.Save(r.config, settingsFor(p, "handset1", "s3cret")); err != nil {
		t.Fatal(err)
	}
	if err := r.mgr.UpdateConfiguration(r.ctx, ServiceName, "registration", ""); err != nil {
		t.Fatal(err)
	}
	r.waitReg(telephony.RegistrationHome)
	r.waitProblem("")
}

func TestProblemNotConfigured(t *testing.T) {
	r := newRig(t, asteriskconf.Settings{}, Options{})
	r.waitProblem("not configured: set Server and UserId with iaxsettings set")
}

// A server that never answers: once iax's retransmissions of the first
// REGREQ are spent, the problem says since when; it stays while the
// agent retries, and goes when the server answers.
func TestProblemNoAnswerUntilServerAnswers(t *testing.T) {
	// A socket that takes the REGREQs and never reads them: no answer,
	// and no ICMP either.
	deaf, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := deaf.LocalAddr().String()
	s := asteriskconf.Default()
	s.Server, s.Port, s.UserID, s.Password = "127.0.0.1", deaf.LocalAddr().(*net.UDPAddr).Port, "handset1", "s3cret"
	before := time.Now().Add(-time.Second)
	r := newRig(t, s, Options{})
	got := r.waitProblem("no answer from " + addr + " since ")
	since, err := time.ParseInLocation("15:04:05", strings.TrimPrefix(got, "no answer from "+addr+" since ")[:8], time.Local)
	if err != nil {
		t.Fatalf("problem %q: the time: %v", got, err)
	}
	// The clock reading is today's time of day; allow for midnight.
	now := time.Now()
	at := time.Date(now.Year(), now.Month(), now.Day(), since.Hour(), since.Minute(), since.Second(), 0, time.Local)
	if at.Before(before.Truncate(time.Second)) || at.After(now) {
		t.Errorf("problem %q dates from %v, want the first REGREQ's time (between %v and %v)", got, at, before, now)
	}
	// The agent goes on retrying (None, Searching, None...) and the
	// problem stays: nothing removes or changes it. Each retry's
	// Searching is published after what the None before it said.
	r.waitReg(telephony.RegistrationSearching)
	r.waitReg(telephony.RegistrationNone)
	r.waitReg(telephony.RegistrationSearching)
	select {
	case p := <-r.problems:
		t.Errorf("problem changed to %q while retrying, want %q kept", p, got)
	default:
	}
	// The server starts on that port: Home, and no problem.
	deaf.Close()
	startPeer(t, addr)
	r.waitReg(telephony.RegistrationHome)
	r.waitProblem("")
}

// Why calls ended reaches the call list: the server's refusal and busy
// with its cause, a remote hangup; an incoming call's caller name.
func TestCallReasonsAndCallerName(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{})
	r.waitReg(telephony.RegistrationHome)
	for _, tc := range []struct {
		number string
		state  telephony.CallState
		reason string
	}{
		{"404", telephony.CallHangupRemote, "no such extension: Unallocated number (cause 1)"},
		{"486", telephony.CallHangupRemote, "User busy (cause 17)"},
		{"100", telephony.CallHangupRemote, "the other side hung up: Normal Clearing (cause 16)"},
	} {
		c, _ := r.waitCall(r.dial(tc.number), tc.state)
		if c.Reason != tc.reason {
			t.Errorf("call to %s ended %v with reason %q, want %q", tc.number, c.State, c.Reason, tc.reason)
		}
	}

	// We hang up: the final state says it all.
	id := r.dial("600")
	r.waitCall(id, telephony.CallConnected)
	r.mgr.Hangup(r.ctx, ServiceName, id, telephony.ScopeCallOnly)
	if c, _ := r.waitCall(id, telephony.CallHangupLocal); c.Reason != "" {
		t.Errorf("local hangup has reason %q, want none", c.Reason)
	}

	where, ok := p.ep.Lookup("handset1")
	if !ok {
		t.Fatal("the server does not know where handset1 is")
	}
	in, err := p.ep.Dial(iax.DialOptions{Peer: where, Called: "s", CallingNumber: "202", CallingName: "Handset Two"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := r.waitCall("", telephony.CallIncoming)
	if c.Number != "202" || c.Name != "Handset Two" {
		t.Errorf("incoming call number %q name %q, want 202, Handset Two", c.Number, c.Name)
	}
	in.Hangup(iax.CauseNormal)
	if c, _ = r.waitCall(c.ID, telephony.CallMissed); c.Reason != "the other side hung up: Normal Clearing (cause 16)" {
		t.Errorf("missed call reason %q", c.Reason)
	}
}

// A port where nothing listens: the kernel says so, and the problem says
// it at once, without waiting out the retransmissions.
func TestProblemNothingListening(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("iax learns of ICMP port unreachable on Linux only")
	}
	closed, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := closed.LocalAddr().(*net.UDPAddr).Port
	closed.Close()
	s := asteriskconf.Default()
	s.Server, s.Port, s.UserID, s.Password = "127.0.0.1", port, "handset1", "s3cret"
	r := newRig(t, s, Options{})
	want := fmt.Sprintf("nothing listening at 127.0.0.1:%d (port unreachable); check Server and Port", port)
	if got := r.waitProblem("nothing listening"); !strings.HasPrefix(got, want) {
		t.Errorf("problem = %q, want %q...", got, want)
	}
}
