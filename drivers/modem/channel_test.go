package modem_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/drivers/modem/modemtest"
	"github.com/ringo-phone/ringo/internal/clock"
)

const wait = 10 * time.Second

// armClock is a fake clock that says when a timer is armed, so that a
// test advances it only once the code waits on it.
type armClock struct {
	*clock.Fake
	armed chan time.Duration
}

func newArmClock() *armClock {
	return &armClock{Fake: clock.NewFake(time.Unix(1000, 0)), armed: make(chan time.Duration, 16)}
}

func (c *armClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := c.Fake.AfterFunc(d, f)
	c.armed <- d
	return t
}

// waitArmed waits for a timer of d to be armed.
func (c *armClock) waitArmed(t *testing.T, d time.Duration) {
	t.Helper()
	for {
		select {
		case got := <-c.armed:
			if got == d {
				return
			}
		case <-time.After(wait):
			t.Fatalf("no timer of %v armed", d)
		}
	}
}

type result struct {
	r   modem.Response
	err error
}

// start runs a command in the background.
func start(ch *modem.Channel, cmd string) <-chan result {
	out := make(chan result, 1)
	go func() {
		r, err := ch.Command(context.Background(), cmd)
		out <- result{r, err}
	}()
	return out
}

func get(t *testing.T, c <-chan result) result {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(wait):
		t.Fatal("the command never returned")
		return result{}
	}
}

func newChannel(t *testing.T, m *modemtest.Modem, o modem.Options) *modem.Channel {
	t.Helper()
	ch := modem.NewChannel(m.Port(), o)
	t.Cleanup(func() { ch.Close() })
	return ch
}

func nextURC(t *testing.T, ch *modem.Channel) modem.URC {
	t.Helper()
	select {
	case u, ok := <-ch.URCs():
		if !ok {
			t.Fatal("URCs closed")
		}
		return u
	case <-time.After(wait):
		t.Fatal("no URC")
		return modem.URC{}
	}
}

func TestCommandLinesAndOK(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{})
	m.Expect("AT+CGMI", "Quectel", "OK")
	r, err := ch.Command(context.Background(), "AT+CGMI")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Lines, []string{"Quectel"}) || r.Result != "OK" {
		t.Errorf("AT+CGMI = %q %q, want [Quectel] OK", r.Lines, r.Result)
	}
}

func TestURCsBetweenEchoAndOK(t *testing.T) {
	m := modemtest.New(t)
	m.Echo(true)
	ch := newChannel(t, m, modem.Options{})
	clcc := `+CLCC: 1,1,4,0,0,"5551234",129`
	m.Expect("AT+CLCC", "RING", `+CLIP: "5551234",129,,,"Alice",0`, clcc, "+CREG: 1", "OK")
	r, err := ch.Command(context.Background(), "AT+CLCC")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Lines, []string{clcc}) {
		t.Errorf("AT+CLCC lines = %q, want only %q (no echo, no URCs)", r.Lines, clcc)
	}
	for _, want := range []string{"RING", "+CLIP", "+CREG"} {
		if u := nextURC(t, ch); u.Name != want {
			t.Errorf("URC = %q, want %s", u.Line, want)
		}
	}
}

func TestQueryAnswerIsNotURC(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{})
	m.Expect("AT+CREG?", "+CREG: 1", "+CREG: 0,1", "OK")
	r, err := ch.Command(context.Background(), "AT+CREG?")
	if err != nil {
		t.Fatal(err)
	}
	// Both lines are +CREG: the command's prefix wins.
	if len(r.Lines) != 2 {
		t.Errorf("AT+CREG? lines = %q, want both +CREG lines", r.Lines)
	}
}

func TestCMEErrorIsClearAndRedacted(t *testing.T) {
	m := modemtest.New(t)
	m.Echo(true)
	var trace bytes.Buffer
	log := slog.New(slog.NewTextHandler(&trace, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ch := newChannel(t, m, modem.Options{Logger: log})
	m.Expect(`AT+CPIN="1234"`, "+CME ERROR: 16")
	_, err := ch.Command(context.Background(), `AT+CPIN="1234"`)
	if !errors.Is(err, modem.ErrCME) {
		t.Fatalf("err = %v, want a +CME ERROR", err)
	}
	if code, ok := modem.CMECode(err); !ok || code != modem.CMEIncorrectPassword {
		t.Errorf("CMECode = %d %v, want 16", code, ok)
	}
	msg := err.Error()
	if !strings.Contains(msg, "AT+CPIN=****") || !strings.Contains(msg, "incorrect password") {
		t.Errorf("error %q lacks the redacted command or the meaning of 16", msg)
	}
	if strings.Contains(msg, "1234") || strings.Contains(trace.String(), "1234") {
		t.Errorf("the PIN leaked:\nerror: %s\ntrace:\n%s", msg, trace.String())
	}
	if !strings.Contains(trace.String(), "AT+CPIN=****") {
		t.Errorf("trace lacks the redacted command:\n%s", trace.String())
	}
}

func TestErrorResults(t *testing.T) {
	for _, tc := range []struct {
		cmd, result string
		want        error
	}{
		{"AT+FOO", "ERROR", modem.ErrError},
		{"AT+CMGS=1", "+CMS ERROR: 330", modem.ErrCMS},
		{"ATD600;", "NO CARRIER", modem.ErrNoCarrier},
		{"ATD600;", "BUSY", modem.ErrBusy},
		{"ATD600;", "NO ANSWER", modem.ErrNoAnswer},
		{"ATA", "NO CARRIER", modem.ErrNoCarrier},
	} {
		m := modemtest.New(t)
		ch := newChannel(t, m, modem.Options{})
		m.Expect(tc.cmd, tc.result)
		_, err := ch.Command(context.Background(), tc.cmd)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s answered %s: err = %v, want %v", tc.cmd, tc.result, err, tc.want)
		}
	}
}

func TestConnectIsSuccess(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{})
	m.Expect("ATD*99#", "CONNECT 150000000")
	r, err := ch.Command(context.Background(), "ATD*99#")
	if err != nil || r.Result != "CONNECT 150000000" {
		t.Errorf("ATD*99# = %q, %v; want CONNECT 150000000", r.Result, err)
	}
}

func TestNoCarrierOutsideADialIsURC(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{})
	m.Expect("AT+CLCC", "NO CARRIER", "OK")
	r, err := ch.Command(context.Background(), "AT+CLCC")
	if err != nil || len(r.Lines) != 0 {
		t.Fatalf("AT+CLCC = %q, %v; want no lines, OK", r.Lines, err)
	}
	if u := nextURC(t, ch); u.Name != "NO CARRIER" {
		t.Errorf("URC = %q, want NO CARRIER", u.Line)
	}
	m.Send("RING")
	if u := nextURC(t, ch); u.Name != "RING" {
		t.Errorf("idle URC = %q, want RING", u.Line)
	}
}

// A silent modem: the command times out on the channel's clock, and the
// channel is usable afterwards: it checks the modem answers AT, settles,
// then sends the next command.
func TestSilentModemTimesOutAndRecovers(t *testing.T) {
	m := modemtest.New(t)
	clk := newArmClock()
	ch := newChannel(t, m, modem.Options{Clock: clk, Timeout: 2 * time.Second, Settle: 300 * time.Millisecond})
	m.Expect("AT+CREG?") // no answer
	res := start(ch, "AT+CREG?")
	m.Next(wait)
	clk.waitArmed(t, 2*time.Second)
	clk.Advance(2 * time.Second)
	r := get(t, res)
	var te *modem.TimeoutError
	if !errors.As(r.err, &te) || !errors.Is(r.err, modem.ErrTimeout) || te.After != 2*time.Second {
		t.Fatalf("err = %v, want a timeout after 2s", r.err)
	}
	if !strings.Contains(r.err.Error(), "AT+CREG?") || !strings.Contains(r.err.Error(), "silent") {
		t.Errorf("timeout %q does not name the command and what it means", r.err)
	}

	m.Expect("AT", "OK")
	m.Expect("AT+CSQ", "+CSQ: 20,99", "OK")
	res = start(ch, "AT+CSQ")
	clk.waitArmed(t, 2*time.Second) // the probe's timeout
	clk.waitArmed(t, 300*time.Millisecond)
	clk.Advance(300 * time.Millisecond)
	clk.waitArmed(t, 2*time.Second) // AT+CSQ's
	r = get(t, res)
	if r.err != nil || !slices.Equal(r.r.Lines, []string{"+CSQ: 20,99"}) {
		t.Errorf("after the timeout AT+CSQ = %q, %v; want its own answer", r.r.Lines, r.err)
	}
}

// A slow modem's late answer is not taken for the next command's.
func TestLateAnswerIsNotTheNextCommands(t *testing.T) {
	m := modemtest.New(t)
	clk := newArmClock()
	ch := newChannel(t, m, modem.Options{Clock: clk, Timeout: time.Second, Settle: 300 * time.Millisecond})
	m.Expect("AT+COPS?")
	res := start(ch, "AT+COPS?")
	m.Next(wait)
	clk.waitArmed(t, time.Second)
	clk.Advance(time.Second)
	if r := get(t, res); !errors.Is(r.err, modem.ErrTimeout) {
		t.Fatalf("err = %v, want a timeout", r.err)
	}

	m.Expect("AT") // answered below, late
	m.Expect("AT+COPS?", `+COPS: 0,0,"Ringo Mobile",7`, "OK")
	res = start(ch, "AT+COPS?")
	m.Next(wait)
	// The first AT+COPS?'s answer arrives now; the probe takes it, and
	// the probe's own OK comes while the channel settles: it is dropped.
	m.Send(`+COPS: 0,0,"Late",7`, "OK")
	clk.waitArmed(t, 300*time.Millisecond)
	m.Send("OK", "RING")
	nextURC(t, ch) // RING: the OK before it has been routed
	clk.Advance(300 * time.Millisecond)
	r := get(t, res)
	if r.err != nil || !slices.Equal(r.r.Lines, []string{`+COPS: 0,0,"Ringo Mobile",7`}) {
		t.Errorf("AT+COPS? = %q, %v; want its own answer, not the late one", r.r.Lines, r.err)
	}
	if st := ch.Stats(); st.StaleResults != 1 {
		t.Errorf("stale results = %d, want 1 (the probe's late OK)", st.StaleResults)
	}
}

// A modem that resets mid-command: the command times out (the modem's
// boot line arrives as a URC), then the modem answers again.
func TestModemResetMidCommand(t *testing.T) {
	m := modemtest.New(t)
	clk := newArmClock()
	ch := newChannel(t, m, modem.Options{Clock: clk, Timeout: time.Second, Settle: -1})
	m.Expect("ATD600;")
	res := start(ch, "ATD600;")
	m.Next(wait)
	m.Send("RDY")
	if u := nextURC(t, ch); u.Name != "RDY" {
		t.Errorf("URC = %q, want RDY", u.Line)
	}
	clk.waitArmed(t, time.Second)
	clk.Advance(time.Second)
	if r := get(t, res); !errors.Is(r.err, modem.ErrTimeout) {
		t.Fatalf("err = %v, want a timeout", r.err)
	}
	m.Expect("AT", "OK")
	m.Expect("ATE0", "OK")
	if _, err := ch.Command(context.Background(), "ATE0"); err != nil {
		t.Errorf("ATE0 after the reset: %v", err)
	}
}

// The probe after a timeout gets no answer either: the error says so,
// and the command was not sent.
func TestProbeUnanswered(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{Timeout: time.Hour})
	m.Expect("AT+CLCC")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := ch.Command(ctx, "AT+CLCC")
	if !errors.Is(err, modem.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a timeout from the context's deadline", err)
	}
	m.Expect("AT")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	_, err = ch.Command(ctx2, "AT+CLCC")
	var te *modem.TimeoutError
	if !errors.As(err, &te) || !te.Probe || !strings.Contains(err.Error(), "not sent") {
		t.Errorf("err = %v, want the probe's timeout saying AT+CLCC was not sent", err)
	}
	if got := m.Seen(); !slices.Equal(got, []string{"AT+CLCC", "AT"}) {
		t.Errorf("the modem saw %q, want AT+CLCC then the probe only", got)
	}
}

// garbage writes n bytes of noise: random lines, and one line longer
// than the channel keeps, in chunks, so the test holds little memory.
func garbage(m *modemtest.Modem, n int) {
	r := rand.New(rand.NewPCG(1, 2))
	chunk := make([]byte, 64<<10)
	for sent := 0; sent < n; sent += len(chunk) {
		for i := range chunk {
			b := byte(r.Uint32())
			if sent >= 2<<20 && sent < 5<<20 && (b == '\r' || b == '\n') {
				b = 'x' // a 3 MB line
			}
			chunk[i] = b
		}
		m.SendRaw(chunk)
	}
}

func TestTenMegabytesOfGarbage(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	garbage(m, 10<<20)
	m.Expect("AT", "OK")
	if _, err := ch.Command(context.Background(), "AT"); err != nil {
		t.Fatalf("AT after 10 MB of garbage: %v", err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Errorf("heap grew by %d bytes after 10 MB of garbage, want less than 4 MB", grown)
	}
	st := ch.Stats()
	if st.LongLines == 0 || st.DroppedURCs == 0 {
		t.Errorf("stats = %+v, want the long line and dropped URCs counted", st)
	}
	select {
	case <-ch.Done():
		t.Fatalf("the channel ended: %v", ch.Err())
	default:
	}
}

func TestPortLost(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{})
	m.Expect("AT+CLCC")
	res := start(ch, "AT+CLCC")
	m.Next(wait)
	m.Close()
	r := get(t, res)
	if !errors.Is(r.err, modem.ErrLost) {
		t.Errorf("err = %v, want ErrLost", r.err)
	}
	<-ch.Done()
	if !errors.Is(ch.Err(), modem.ErrLost) {
		t.Errorf("Err = %v, want ErrLost", ch.Err())
	}
	if _, ok := <-ch.URCs(); ok {
		t.Error("URCs still open after the port was lost")
	}
	if _, err := ch.Command(context.Background(), "AT"); !errors.Is(err, modem.ErrLost) {
		t.Errorf("a command after the loss: %v, want ErrLost", err)
	}
}

func TestBadCommands(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{})
	for _, cmd := range []string{"", "+CLCC", "AT+CLCC\rATH", "ATD600;\n+CFUN=0", strings.Repeat("A", modem.MaxCommand+1)} {
		if _, err := ch.Command(context.Background(), cmd); !errors.Is(err, modem.ErrBadCommand) {
			t.Errorf("Command(%q) = %v, want ErrBadCommand", cmd, err)
		}
	}
	if got := m.Seen(); len(got) != 0 {
		t.Errorf("the modem received %q, want nothing", got)
	}
}

func TestCommandsOneAtATime(t *testing.T) {
	m := modemtest.New(t)
	ch := newChannel(t, m, modem.Options{})
	const n = 8
	for range n {
		m.Expect("AT+CSQ", "+CSQ: 1,1", "OK")
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := ch.Command(context.Background(), "AT+CSQ")
			if err == nil && len(r.Lines) != 1 {
				err = errors.New("lines " + strings.Join(r.Lines, "|"))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestCloseEndsEverything(t *testing.T) {
	m := modemtest.New(t)
	ch := modem.NewChannel(m.Port(), modem.Options{})
	ch.Close()
	ch.Close()
	if !errors.Is(ch.Err(), modem.ErrClosed) {
		t.Errorf("Err = %v, want ErrClosed", ch.Err())
	}
	if _, err := ch.Command(context.Background(), "AT"); !errors.Is(err, modem.ErrClosed) {
		t.Errorf("Command after Close = %v, want ErrClosed", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		`AT+CPIN="1234"`:                 `AT+CPIN=****`,
		`AT+CPIN="12345678","4321"`:      `AT+CPIN=****`,
		`at+cpin=1234;+CREG?`:            `at+cpin=****;+CREG?`,
		`AT+CLCK="SC",1,"0000"`:          `AT+CLCK=****`,
		`AT+CPWD="SC","1111","2222";+X`:  `AT+CPWD=****;+X`,
		"AT+CPIN?":                       "AT+CPIN?",
		"+CPIN: SIM PIN":                 "+CPIN: SIM PIN",
		"AT\x1b[2J":                      `AT\x1b[2J`,
		`AT+CPIN2=9999;+CPIN=1;+CPIN=22`: `AT+CPIN2=****;+CPIN=****;+CPIN=****`,
	} {
		if got := modem.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// CommandWithin gives a slow command (a dial, an operator scan) its own
// timeout; a context's far deadline does not lengthen the default.
func TestCommandWithin(t *testing.T) {
	m := modemtest.New(t)
	clk := newArmClock()
	ch := newChannel(t, m, modem.Options{Clock: clk, Timeout: time.Second, Settle: -1})
	m.Expect("AT+COPS=?")
	res := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		_, err := ch.CommandWithin(ctx, "AT+COPS=?", 3*time.Second)
		res <- err
	}()
	m.Next(wait)
	clk.waitArmed(t, 3*time.Second)
	clk.Advance(time.Second)
	select {
	case err := <-res:
		t.Fatalf("AT+COPS=? ended after 1s of its 3s: %v", err)
	default:
	}
	m.Send(`+COPS: (2,"Ringo Mobile","Ringo","00101",7)`, "OK")
	if err := <-res; err != nil {
		t.Errorf("AT+COPS=? = %v", err)
	}

	m.Expect("AT+CLCC")
	r := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		_, err := ch.Command(ctx, "AT+CLCC")
		r <- err
	}()
	m.Next(wait)
	clk.waitArmed(t, time.Second)
	clk.Advance(time.Second)
	if err := <-r; !errors.Is(err, modem.ErrTimeout) {
		t.Errorf("a context an hour long made the default timeout longer: %v", err)
	}
}
