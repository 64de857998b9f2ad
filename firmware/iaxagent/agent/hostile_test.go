package agent

// Hostile input (issue 11): what a client that bypasses phoned's checks,
// or a caller on the network, can hand the agent, and what it makes of it.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// logRecorder keeps every record logged through it, as "msg key=value...".
type logRecorder struct {
	mu      sync.Mutex
	records []string
	added   chan struct{}
	attrs   []slog.Attr
	parent  *logRecorder
}

func newLogRecorder() *logRecorder { return &logRecorder{added: make(chan struct{}, 1)} }

func (l *logRecorder) root() *logRecorder {
	if l.parent != nil {
		return l.parent
	}
	return l
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range l.attrs {
		write(a)
	}
	r.Attrs(write)
	root := l.root()
	root.mu.Lock()
	root.records = append(root.records, b.String())
	root.mu.Unlock()
	select {
	case root.added <- struct{}{}:
	default:
	}
	return nil
}

func (l *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{attrs: append(append([]slog.Attr{}, l.attrs...), as...), parent: l.root()}
}

func (l *logRecorder) WithGroup(string) slog.Handler { return l }

// matching returns the records, from index from on, that start with msg.
func (l *logRecorder) matching(from int, msg string) []string {
	root := l.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	var out []string
	for _, r := range root.records[min(from, len(root.records)):] {
		if strings.HasPrefix(r, msg) {
			out = append(out, r)
		}
	}
	return out
}

func (l *logRecorder) len() int {
	root := l.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	return len(root.records)
}

// wait waits for a record that starts with msg and contains want.
func (l *logRecorder) wait(ctx context.Context, t *testing.T, msg, want string) string {
	t.Helper()
	for {
		for _, r := range l.matching(0, msg) {
			if strings.Contains(r, want) {
				return r
			}
		}
		select {
		case <-l.added:
		case <-ctx.Done():
			t.Fatalf("no log record %q with %q; records %q", msg, want, l.matching(0, msg))
		}
	}
}

// handset is where handset1 is registered at the peer.
func (p *peer) handset() netip.AddrPort {
	p.t.Helper()
	where, ok := p.ep.Lookup("handset1")
	if !ok {
		p.t.Fatal("the server does not know where handset1 is")
	}
	return where
}

// sync returns once the agent's loop has run everything queued before.
func (r *rig) sync() {
	r.t.Helper()
	done := make(chan struct{})
	r.agent.do(func() { close(done) })
	select {
	case <-done:
	case <-r.ctx.Done():
		r.t.Fatal("the agent's loop does not run")
	}
}

// request sends a call provider request as any bus client may, without
// the checks a Manager makes first.
func (r *rig) request(name string, args ...string) {
	r.t.Helper()
	vals := make([]vs.Value, len(args))
	for i, a := range args {
		vals[i] = vs.String(a)
	}
	m := qcop.Message{Channel: qcop.RequestChannel(string(telephony.CallProviderInterface), ServiceName), Name: name, Args: vals}
	if err := qcop.Send(r.ctx, r.bus, m); err != nil {
		r.t.Fatal(err)
	}
}

// firstSeen waits for the first transaction that holds call id and
// returns the call as it was announced.
func (r *rig) firstSeen(id string) telephony.CallInfo {
	r.t.Helper()
	for {
		select {
		case calls := <-r.calls:
			for _, c := range calls {
				if c.ID == id {
					return c
				}
			}
		case <-r.ctx.Done():
			r.t.Fatalf("call %s never announced", id)
		}
	}
}

// Item 7: a tone request is bounded (refused whole beyond MaxTones, and
// beyond MaxTones waiting), and the digits still waiting when the call
// ends are dropped with their timer: a clock advanced far past the hangup
// sends nothing and logs no failed tone.
func TestTonesBoundedAndCancelledOnHangup(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	clk := clock.NewFake(time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC))
	logs := newLogRecorder()
	s := settingsFor(p, "handset1", "s3cret")
	s.Refresh = asteriskconf.MaxRefresh // no refresh within the half hour advanced below
	r := newRig(t, s, Options{Clock: clk, Logger: slog.New(logs)})
	r.sync()                      // the automatic registration is scheduled...
	clk.Advance(time.Millisecond) // ...and begins
	r.waitReg(telephony.RegistrationHome)

	id := r.dial("600")
	r.waitCall(id, telephony.CallConnected)
	<-p.calls

	// 10,240 digits from a client that does not check them: refused with
	// the words, nothing queued.
	r.request(telephony.MsgTone, id, strings.Repeat("1234567890", 1024))
	logs.wait(r.ctx, t, "tone refused", "10240 tones, at most 32 per request")

	// 32 digits are taken; the first goes at once, the next after it.
	if err := r.mgr.Tone(r.ctx, ServiceName, id, strings.Repeat("12345678", 4)); err != nil {
		t.Fatal(err)
	}
	logs.wait(r.ctx, t, "tone sent", "digit=1 waiting=31")
	clk.Advance(toneOn)
	p.waitSeen(r.ctx, "dtmf:1")
	// More while 31 wait would make 32+: refused whole.
	r.request(telephony.MsgTone, id, "99")
	logs.wait(r.ctx, t, "tone refused", "31 tones are still being sent and 2 more would make 33, at most 32")

	var c *call
	r.agent.do(func() { c = r.agent.calls[id] })
	r.sync()
	if err := r.mgr.Hangup(r.ctx, ServiceName, id, telephony.ScopeCallOnly); err != nil {
		t.Fatal(err)
	}
	r.waitCall(id, telephony.CallHangupLocal)
	r.sync()
	mark := logs.len()
	// Far beyond what 10,240 digits would have taken (27 min).
	clk.Advance(30 * time.Minute)
	r.sync()
	r.sync() // and what the timers' functions queued in turn
	if got := logs.matching(mark, "tone"); len(got) != 0 {
		t.Errorf("after the hangup, %d tone records were logged, want none: %q", len(got), got[:min(3, len(got))])
	}
	r.agent.do(func() {
		if c.toneTimer != nil || len(c.tones) != 0 {
			t.Errorf("after the hangup the call keeps %d tones and timer %v, want none", len(c.tones), c.toneTimer)
		}
	})
	r.sync()

	// The server saw only the one digit; a new call's tone comes next.
	id = r.dial("600")
	r.waitCall(id, telephony.CallConnected)
	if err := r.mgr.Tone(r.ctx, ServiceName, id, "5"); err != nil {
		t.Fatal(err)
	}
	logs.wait(r.ctx, t, "tone sent", "digit=5 waiting=0")
	clk.Advance(toneOn)
	p.waitSeen(r.ctx, "dtmf:1 dtmf:5")
}

// Item 7 and 6 for dials: a number a client sends without phoned's check
// is refused at once (OtherFailure, never Dialing) with the reason, and
// published cut and escaped; the server never sees it. A plain number
// still connects.
func TestDialRefusesBadNumbers(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	logs := newLogRecorder()
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{Logger: slog.New(logs)})
	r.waitReg(telephony.RegistrationHome)
	for _, tc := range []struct {
		number, published, reason string
	}{
		{strings.Repeat("6", 10240), strings.Repeat("6", telephony.MaxNumberLen) + "…",
			"the number cannot be dialled: bad number: 10240 characters, at most 64"},
		{"60\x1b[2J0", `60\x1b[2J0`, `the number cannot be dialled: bad number: control character '\x1b' at position 3`},
		{"   ", "   ", "the number cannot be dialled: bad number: the number is empty"},
	} {
		id := telephony.NewCallID()
		r.request(telephony.MsgDial, id, CallType, tc.number)
		c := r.firstSeen(id)
		if c.State != telephony.CallOtherFailure || c.Reason != tc.reason || c.Number != tc.published {
			t.Errorf("dial of %d characters %.12q first announced as %v, number %.80q, reason %q; want OtherFailure, %.80q, %q",
				len(tc.number), tc.number, c.State, c.Number, c.Reason, tc.published, tc.reason)
		}
	}

	// The plain number, the same way: it connects, and it is the first
	// call the server sees.
	id := telephony.NewCallID()
	r.request(telephony.MsgDial, id, CallType, "600")
	r.waitCall(id, telephony.CallConnected)
	if pc := <-p.calls; pc.Info().Called != "600" {
		t.Errorf("the server's first call went to %.20q, want 600", pc.Info().Called)
	}

	// A transfer to a bad number is refused too; a good one goes.
	r.request(telephony.MsgTransfer, id, strings.Repeat("7", 10240))
	logs.wait(r.ctx, t, "transfer refused", "10240 characters, at most 64")
	if err := r.mgr.Transfer(r.ctx, ServiceName, id, "602"); err != nil {
		t.Fatal(err)
	}
	p.waitSeen(r.ctx, "transfer:602")
}

// Item 6: a caller id from the network with terminal escapes reaches the
// call list escaped, a long one cut; a plain one unchanged.
func TestCallerIDEscapedAndCut(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{})
	r.waitReg(telephony.RegistrationHome)
	where := p.handset()
	// Long, but each within the 255 bytes of an IE.
	long := strings.Repeat("Ä", 120)
	for _, tc := range []struct {
		number, name       string
		wantNumber, wantNm string
	}{
		{"911\x1b[2J", "\x1b]0;PWNED\a\x1b[2J", `911\x1b[2J`, `\x1b]0;PWNED\a\x1b[2J`},
		{"", "\u009b31m", `\u009b31m`, `\u009b31m`},
		{strings.Repeat("2", 250), long, strings.Repeat("2", telephony.MaxNumberLen) + "…", strings.Repeat("Ä", telephony.MaxNameLen) + "…"},
		{"202", "Handset Two", "202", "Handset Two"},
	} {
		in, err := p.ep.Dial(iax.DialOptions{Peer: where, Called: "s", CallingNumber: tc.number, CallingName: tc.name})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := r.waitCall("", telephony.CallIncoming)
		if c.Number != tc.wantNumber || c.Name != tc.wantNm {
			t.Errorf("caller %.20q %.20q shown as number %q name %q, want %q %q", tc.number, tc.name, c.Number, c.Name, tc.wantNumber, tc.wantNm)
		}
		if n := utf8.RuneCountInString(c.Name); n > telephony.MaxNameLen+1 {
			t.Errorf("caller name of %d characters published, want at most %d and the cut mark", n, telephony.MaxNameLen)
		}
		in.Hangup(iax.CauseNormal)
		r.waitCall(c.ID, telephony.CallMissed)
	}
}

// Item 10: a rejected Asterisk.conf is a registration problem that says
// why and how to fix it, not "not configured" or nothing; a good file
// clears it.
func TestProblemRejectedConfig(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	good := settingsFor(p, "handset1", "s3cret")
	r := newRigConf(t, func(dir string) {
		if err := asteriskconf.Save(dir, good); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(asteriskconf.Path(dir), 0o644); err != nil {
			t.Fatal(err)
		}
	}, Options{})
	path := asteriskconf.Path(r.config)
	want := fmt.Sprintf("Asterisk.conf is not used: file readable by others: %s has mode 0644, want 0600 (chmod 600 %s); fix it with iaxsettings set", path, path)
	if got := r.waitProblem("Asterisk.conf is not used"); got != want {
		t.Errorf("problem with a 0644 file =\n\t%q\nwant\n\t%q", got, want)
	}
	if ready, _, _ := r.mgr.Ready(r.ctx, ServiceName); ready {
		t.Error("the service is ready with a rejected Asterisk.conf")
	}

	// An invalid value, and the update that should use it.
	update := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := r.mgr.UpdateConfiguration(r.ctx, ServiceName, "registration", ""); err != nil {
			t.Fatal(err)
		}
	}
	update("[Registration]\nServer = 127.0.0.1\nPort = 70000\nUserId = handset1\n")
	want = "Asterisk.conf is not used: invalid: Port 70000 is not between 1 and 65535; fix it with iaxsettings set"
	if got := r.waitProblem("Port 70000"); got != want {
		t.Errorf("problem with Port 70000 =\n\t%q\nwant\n\t%q", got, want)
	}
	// A 70,000-character Server: the problem says so, in bounded words.
	update("[Registration]\nServer = " + strings.Repeat("a", 70000) + "\nUserId = handset1\n")
	got := r.waitProblem(`Asterisk.conf is not used: invalid: Server "aaaa`)
	if n := utf8.RuneCountInString(got); n > maxConfReason+100 {
		t.Errorf("problem for a long Server is %d characters, want at most %d", n, maxConfReason+100)
	}

	// The file fixed: registered, no problem.
	if err := asteriskconf.Save(r.config, good); err != nil {
		t.Fatal(err)
	}
	if err := r.mgr.UpdateConfiguration(r.ctx, ServiceName, "registration", ""); err != nil {
		t.Fatal(err)
	}
	r.waitReg(telephony.RegistrationHome)
	r.waitProblem("")
}

// Item 1: a NEW from anyone but the registered server never reaches the
// call list, and is never answered; the server's own call still rings.
func TestStrangerCannotRing(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	logs := newLogRecorder()
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{Logger: slog.New(logs)})
	r.waitReg(telephony.RegistrationHome)
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	stranger, err := iax.Listen(ctx, "127.0.0.2:0", iax.Config{Retransmit: iax.Retransmit{Initial: 50 * time.Millisecond, Tries: 2}})
	if err != nil {
		t.Skipf("no second loopback address to be a stranger from: %v", err)
	}
	defer stranger.Close()
	sc, err := stranger.Dial(iax.DialOptions{Peer: netip.MustParseAddrPort(r.agent.LocalAddr()), Called: "201",
		CallingNumber: "911", CallingName: "\x1b]0;PWNED\a"})
	if err != nil {
		t.Fatal(err)
	}
	logs.wait(r.ctx, t, "call dropped", "from=127.0.0.2:")
	// Unanswered: not rejected, not accepted, not even acknowledged.
	if err := sc.Wait(r.ctx); !errors.Is(err, iax.ErrTimeout) {
		t.Errorf("the stranger's call ended with %v, want no answer (%v)", err, iax.ErrTimeout)
	}

	in, err := p.ep.Dial(iax.DialOptions{Peer: p.handset(), Called: "s", CallingNumber: "202"})
	if err != nil {
		t.Fatal(err)
	}
	c, tx := r.waitCall("", telephony.CallIncoming)
	if c.Number != "202" || tx != "202:Incoming" {
		t.Errorf("the server's call announced as %q, want 202:Incoming and no other call", tx)
	}
	in.Hangup(iax.CauseNormal)
	r.waitCall(c.ID, telephony.CallMissed)
	if n := r.agent.ep.Stats().StrangerCalls; n == 0 {
		t.Error("the endpoint counted no stranger's call")
	}
}
