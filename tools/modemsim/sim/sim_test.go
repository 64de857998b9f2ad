package sim

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/clock"
)

const wait = 10 * time.Second

// rig is a modem served on a pipe, with a channel as the agent's side.
type rig struct {
	t     *testing.T
	m     *Modem
	clk   *armClock
	ch    *modem.Channel
	log   *syncBuffer
	ctx   context.Context
	serve chan error
}

// armClock is a fake clock that says when a timer is armed, so that a
// test advances it only once the modem waits on it.
type armClock struct {
	*clock.Fake
	armed chan time.Duration
}

func (c *armClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := c.Fake.AfterFunc(d, f)
	select {
	case c.armed <- d:
	default:
	}
	return t
}

// advanceArmed waits for a timer of d to be armed, then advances by d.
func (c *armClock) advanceArmed(t *testing.T, d time.Duration) {
	t.Helper()
	for {
		select {
		case got := <-c.armed:
			if got == d {
				c.Advance(d)
				return
			}
		case <-time.After(wait):
			t.Fatalf("no timer of %v armed", d)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSpace(s.b.String()), "\n")
}

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	r := &rig{t: t, clk: &armClock{Fake: clock.NewFake(time.Unix(0, 0)), armed: make(chan time.Duration, 4096)}, log: &syncBuffer{}, ctx: ctx, serve: make(chan error, 1)}
	cfg.Clock, cfg.Commands = r.clk, r.log
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	r.attach()
	return r
}

// attach serves the modem a new pipe and opens a channel on it.
func (r *rig) attach() {
	agent, far := net.Pipe()
	go func() { r.serve <- r.m.Serve(r.ctx, far) }()
	r.ch = modem.NewChannel(agent, modem.Options{Timeout: wait, Settle: -1})
	r.t.Cleanup(func() { r.ch.Close() })
	r.at("ATE0")
	r.at("AT+CMEE=1")
}

func (r *rig) at(cmd string) []string {
	r.t.Helper()
	resp, err := r.ch.Command(r.ctx, cmd)
	if err != nil {
		r.t.Fatalf("%s: %v", cmd, err)
	}
	return resp.Lines
}

func (r *rig) atErr(cmd string) error {
	r.t.Helper()
	_, err := r.ch.Command(r.ctx, cmd)
	return err
}

func (r *rig) control(cmd string) string {
	r.t.Helper()
	out, err := r.m.Control(r.ctx, cmd)
	if err != nil {
		r.t.Fatalf("control %q: %v", cmd, err)
	}
	return out
}

func (r *rig) urc(name string) modem.URC {
	r.t.Helper()
	for {
		select {
		case u := <-r.ch.URCs():
			if u.Name == name {
				return u
			}
		case <-time.After(wait):
			r.t.Fatalf("no %s URC", name)
		}
	}
}

func (r *rig) clcc() []modem.ListedCall {
	r.t.Helper()
	var out []modem.ListedCall
	for _, l := range r.at("AT+CLCC") {
		c, err := modem.ParseCLCC(l)
		if err != nil {
			r.t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func (r *rig) stats(want ...modem.CallStat) {
	r.t.Helper()
	var got []modem.CallStat
	for _, c := range r.clcc() {
		got = append(got, c.Stat)
	}
	if !slices.Equal(got, want) {
		r.t.Errorf("calls %v, want %v", got, want)
	}
}

func TestRegistration(t *testing.T) {
	r := newRig(t, Config{RegisterDelay: time.Second})
	r.at("AT+CREG=1")
	if got := r.at("AT+CREG?"); !slices.Equal(got, []string{"+CREG: 1,2"}) {
		t.Errorf("before the delay +CREG? = %q, want searching", got)
	}
	r.clk.Advance(time.Second)
	if u := r.urc("+CREG"); u.Line != "+CREG: 1" {
		t.Errorf("URC %q, want +CREG: 1", u.Line)
	}
	if got := r.at("AT+COPS?"); !slices.Equal(got, []string{`+COPS: 0,0,"Ringo Mobile",7`}) {
		t.Errorf("+COPS? = %q", got)
	}
	r.control("deregister")
	if u := r.urc("+CREG"); u.Line != "+CREG: 0" {
		t.Errorf("URC %q, want +CREG: 0", u.Line)
	}
	r.control("register roaming")
	r.clk.Advance(time.Second)
	if u := r.urc("+CREG"); u.Line != "+CREG: 2" {
		t.Errorf("URC %q, want searching first", u.Line)
	}
	if u := r.urc("+CREG"); u.Line != "+CREG: 5" {
		t.Errorf("URC %q, want +CREG: 5", u.Line)
	}
	r.at("AT+CFUN=4")
	if u := r.urc("+CREG"); u.Line != "+CREG: 0" {
		t.Errorf("radio off: URC %q, want +CREG: 0", u.Line)
	}
	if got := r.at("AT+CFUN?"); got[0] != "+CFUN: 4" {
		t.Errorf("+CFUN? = %q", got)
	}
}

func TestOperatorSelection(t *testing.T) {
	r := newRig(t, Config{})
	r.clk.Advance(time.Second)
	ops, err := modem.ParseOperators(r.at("AT+COPS=?")[0])
	if err != nil || len(ops) != 3 || ops[0].Stat != modem.OperatorCurrent || ops[2].Stat != modem.OperatorForbidden {
		t.Fatalf("operators %+v, %v", ops, err)
	}
	r.at(`AT+COPS=1,2,"00102"`)
	r.clk.Advance(time.Second)
	if got := r.at("AT+CREG?"); got[0] != "+CREG: 0,5" {
		t.Errorf("another network chosen: %q, want roaming", got)
	}
	if code, _ := modem.CMECode(r.atErr(`AT+COPS=1,2,"00103"`)); code != modem.CMEEmergencyCallsOnly {
		t.Errorf("a forbidden network: +CME ERROR %d, want 32", code)
	}
	r.clk.Advance(time.Second)
	if got := r.at("AT+CREG?"); got[0] != "+CREG: 0,3" {
		t.Errorf("a forbidden network: %q, want denied", got)
	}
	r.at("AT+COPS=2")
	if got := r.at("AT+CREG?"); got[0] != "+CREG: 0,0" {
		t.Errorf("deregistered: %q", got)
	}
}

func TestOutgoingCall(t *testing.T) {
	r := newRig(t, Config{AlertAfter: time.Second, AnswerAfter: time.Second})
	r.clk.Advance(time.Second)
	r.at("ATD600;")
	r.stats(modem.CallDialing)
	r.clk.Advance(time.Second)
	r.stats(modem.CallAlerting)
	r.clk.Advance(time.Second)
	r.stats(modem.CallActive)
	r.at("AT+VTS=1")
	r.at(`AT+VTS="23"`)
	r.at("AT+CHUP")
	r.stats()
	if code, _ := modem.CMECode(r.atErr("AT+VTS=4")); code != 3 {
		t.Errorf("DTMF without a call: %d, want +CME ERROR: 3", code)
	}
	r.control("number 486 busy")
	r.at("ATD486;")
	r.clk.Advance(time.Second)
	r.urc("BUSY")
	r.stats()
	r.control("number 112 fail")
	if err := r.atErr("ATD112;"); !errors.Is(err, modem.ErrNoCarrier) {
		t.Errorf("a failing dial: %v, want NO CARRIER", err)
	}
}

func TestDialNeedsNetworkButNotForEmergencies(t *testing.T) {
	r := newRig(t, Config{SIM: SIMAbsent, ECC: []string{"999"}})
	r.clk.Advance(time.Second)
	if code, _ := modem.CMECode(r.atErr("ATD600;")); code != modem.CMESIMNotInserted {
		t.Errorf("no SIM: ATD600; = %d, want 10", code)
	}
	for _, n := range []string{"112", "911", "999", "110"} {
		r.at("ATD" + n + ";")
		r.at("AT+CHUP")
	}
	r.at("AT+CFUN=4")
	if code, _ := modem.CMECode(r.atErr("ATD112;")); code != modem.CMENoNetworkService {
		t.Errorf("radio off: ATD112; = %d, want 30", code)
	}
}

func TestIncomingAndWaitingCalls(t *testing.T) {
	r := newRig(t, Config{RingInterval: time.Second})
	r.at("AT+CLIP=1")
	r.at("AT+CCWA=1")
	r.clk.Advance(time.Second)
	r.control("ring 5551234 Alice Smith")
	r.urc("RING")
	id, err := modem.ParseCLIP(r.urc("+CLIP").Line)
	if err != nil || id.Number != "5551234" || id.Alpha != "Alice Smith" {
		t.Errorf("+CLIP = %+v, %v", id, err)
	}
	r.clk.Advance(time.Second)
	r.urc("RING") // again
	r.at("ATA")
	r.stats(modem.CallActive)
	r.control("ring 5559876 Bob")
	w, err := modem.ParseCCWA(r.urc("+CCWA").Line)
	if err != nil || w.Number != "5559876" {
		t.Errorf("+CCWA = %+v, %v", w, err)
	}
	r.stats(modem.CallActive, modem.CallWaiting)
	r.at("AT+CHLD=2")
	r.stats(modem.CallHeld, modem.CallActive)
	r.at("AT+CHLD=2") // swap
	r.stats(modem.CallActive, modem.CallHeld)
	r.at("AT+CHLD=3")
	if cs := r.clcc(); !cs[0].Multiparty || !cs[1].Multiparty {
		t.Errorf("conference: %+v", cs)
	}
	r.at("AT+CHLD=11")
	r.stats(modem.CallActive)
	r.control("drop")
	r.urc("NO CARRIER")
	r.stats()
	r.control("ring 5551234")
	r.control("drop")
	r.stats() // the caller gave up
}

func TestSIMLocks(t *testing.T) {
	r := newRig(t, Config{PIN: "1234"})
	if got := r.at("AT+CPIN?"); got[0] != "+CPIN: SIM PIN" {
		t.Errorf("+CPIN? = %q", got)
	}
	r.clk.Advance(time.Second)
	if got := r.at("AT+CREG?"); got[0] != "+CREG: 0,0" {
		t.Errorf("a locked SIM registers: %q", got)
	}
	for range 3 {
		if code, _ := modem.CMECode(r.atErr(`AT+CPIN="0000"`)); code != modem.CMEIncorrectPassword {
			t.Errorf("a wrong PIN: %d, want 16", code)
		}
	}
	if got := r.at("AT+CPIN?"); got[0] != "+CPIN: SIM PUK" {
		t.Errorf("after three wrong PINs +CPIN? = %q, want SIM PUK", got)
	}
	r.at(`AT+CPIN="12345678","4321"`)
	r.clk.Advance(time.Second)
	if got := r.at("AT+CREG?"); got[0] != "+CREG: 0,1" {
		t.Errorf("unblocked: %q, want home", got)
	}
	for _, l := range r.log.lines() {
		if strings.Contains(l, "0000") || strings.Contains(l, "12345678") || strings.Contains(l, "4321") {
			t.Errorf("the command log shows a secret: %q", l)
		}
	}
	if !slices.Contains(r.log.lines(), "AT+CPIN=****") {
		t.Errorf("the command log lacks AT+CPIN=****: %q", r.log.lines())
	}
}

func TestEFECC(t *testing.T) {
	r := newRig(t, Config{ECC: []string{"999", "08"}})
	resp := func(cmd string) modem.SIMResponse {
		t.Helper()
		s, err := modem.ParseCRSM(r.at(cmd)[0])
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := resp("AT+CRSM=192,28599"); !s.OK() || s.Data[13] != 1 || s.Data[14] != 4 {
		t.Errorf("GET RESPONSE of a USIM's EF_ECC = %+v, want linear fixed, records of 4", s)
	}
	for i, want := range []string{"999", "08"} {
		s := resp("AT+CRSM=178,28599," + itoa(i+1) + ",4,4")
		if n, ok := modem.DecodeECC(s.Data); !ok || n != want {
			t.Errorf("record %d = %q, want %s", i+1, n, want)
		}
	}
	if s := resp("AT+CRSM=178,28599,3,4,4"); s.SW1 != 0x6a || s.SW2 != 0x83 {
		t.Errorf("record 3: %+v, want 6A83", s)
	}
	if s := resp("AT+CRSM=176,28599,0,0,15"); s.SW1 != 0x69 {
		t.Errorf("READ BINARY on a USIM's EF_ECC: %+v, want 6981", s)
	}
	r.control("ecc 112,119 gsm")
	s := resp("AT+CRSM=176,28599,0,0,15")
	var got []string
	for i := 0; i+3 <= len(s.Data); i += 3 {
		if n, ok := modem.DecodeECC(s.Data[i : i+3]); ok {
			got = append(got, n)
		}
	}
	if !slices.Equal(got, []string{"112", "119"}) {
		t.Errorf("a GSM SIM's EF_ECC = %q", got)
	}
}

// V.250 goes on after a dial string's ';': this is why the agent checks
// numbers. The simulator behaves like a modem.
func TestDialStringInjection(t *testing.T) {
	r := newRig(t, Config{})
	r.clk.Advance(time.Second)
	r.at("ATD600;+COPS=2")
	if got := r.at("AT+COPS?"); got[0] != "+COPS: 2" {
		t.Errorf("ATD600;+COPS=2 did not run +COPS=2: %q", got)
	}
	if !slices.Contains(r.log.lines(), "ATD600;+COPS=2") {
		t.Errorf("the command log lacks the line: %q", r.log.lines())
	}
}

func TestVanishAndReturn(t *testing.T) {
	r := newRig(t, Config{})
	r.clk.Advance(time.Second)
	r.at("ATD600;")
	r.control("vanish 2s")
	select {
	case err := <-r.serve:
		if !errors.Is(err, ErrVanished) {
			t.Errorf("Serve = %v, want ErrVanished", err)
		}
	case <-time.After(wait):
		t.Fatal("Serve still runs after vanish")
	}
	<-r.ch.Done()
	if on, _ := r.m.Present(); on {
		t.Error("present after vanish")
	}
	r.clk.Advance(2 * time.Second)
	if on, _ := r.m.Present(); !on {
		t.Fatal("not back after 2s")
	}
	r.attach()
	r.stats() // a fresh power-up: no calls
	if got := r.at("AT+CREG?"); got[0] != "+CREG: 0,2" {
		t.Errorf("back: %q, want searching again", got)
	}
}

func TestMuteAndSlow(t *testing.T) {
	r := newRig(t, Config{})
	r.control("mute")
	ctx, cancel := context.WithTimeout(r.ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := r.ch.Command(ctx, "AT+CSQ"); !errors.Is(err, modem.ErrTimeout) {
		t.Errorf("a muted modem answered: %v", err)
	}
	r.control("unmute")
	r.control("slow 3s")
	done := make(chan error, 1)
	go func() { _, err := r.ch.Command(r.ctx, "AT+CSQ"); done <- err }()
	r.clk.advanceArmed(t, 3*time.Second) // the channel's probe after the timeout
	r.clk.advanceArmed(t, 3*time.Second) // AT+CSQ
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("a slow answer: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("no answer after the delay")
	}
}

func TestControlErrors(t *testing.T) {
	r := newRig(t, Config{})
	for _, cmd := range []string{"ring", "drop", "answer 9", "sim maybe", "slow soon", "vanish -1s", "frobnicate",
		"number 600 dance", "ecc 1234567", "register mars"} {
		if _, err := r.m.Control(r.ctx, cmd); !errors.Is(err, ErrControl) && !errors.Is(err, ErrConfig) {
			t.Errorf("Control(%q) = %v, want an error", cmd, err)
		}
	}
	if _, err := New(Config{SIM: SIMPIN}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "-pin") {
		t.Errorf("a PIN-locked SIM without a PIN: %v", err)
	}
}

// serveOn runs serve (ServePTY or ServeSocket on path) until the test
// ends; ready gets the path each time the modem is there.
func serveOn(t *testing.T, serve func(ctx context.Context, path string, ready func(string)) error, path string) (ctx context.Context, ready chan string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready = make(chan string, 4)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, path, func(p string) { ready <- p }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serving on %s: %v", path, err)
		}
	})
	return ctx, ready
}

// connect opens path as the agent does and checks the modem answers.
func connect(t *testing.T, ctx context.Context, path string) *modem.Channel {
	t.Helper()
	port, err := modem.OpenPort(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	ch := modem.NewChannel(port, modem.Options{Timeout: wait})
	t.Cleanup(func() { ch.Close() })
	if _, err := ch.Command(ctx, "AT"); err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestServePTYVanishes(t *testing.T) {
	m, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "modem")
	ctx, ready := serveOn(t, m.ServePTY, link)
	within(t, ready)
	ch := connect(t, ctx, link)
	m.Control(ctx, "vanish")
	within(t, ch.Done())
	if !errors.Is(ch.Err(), modem.ErrLost) {
		t.Errorf("the agent's side after vanish: %v, want ErrLost", ch.Err())
	}
	if _, err := os.Lstat(link); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the link is still there while the modem is gone: %v", err)
	}
	m.Control(ctx, "return")
	within(t, ready)
	connect(t, ctx, link)
}

// On a unix socket, as QEMU's virtio console connects: a new connection
// replaces the old one; while the modem is gone there is no socket.
func TestServeSocket(t *testing.T) {
	m, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "modem.sock")
	ctx, ready := serveOn(t, m.ServeSocket, sock)
	within(t, ready)
	first := connect(t, ctx, sock)
	second := connect(t, ctx, sock)
	within(t, first.Done()) // replaced
	m.Control(ctx, "vanish")
	within(t, second.Done())
	select {
	case <-ready:
		t.Fatal("a socket while the modem is gone")
	default:
	}
	m.Control(ctx, "return")
	within(t, ready)
	connect(t, ctx, sock)
}

// within waits for c, failing the test after wait.
func within[T any](t *testing.T, c <-chan T) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(wait):
		t.Fatal("it never happened")
	}
}
