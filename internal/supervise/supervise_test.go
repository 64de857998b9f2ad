package supervise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// guard bounds every wait for the supervisor's goroutine; it is a failure
// guard, never a synchronisation.
const guard = 10 * time.Second

// fakeProc is a run the test ends: it writes the output, then calls end.
type fakeProc struct {
	pid     int
	r       *io.PipeReader
	w       *io.PipeWriter
	exit    chan Exit
	signals chan syscall.Signal
}

func (p *fakeProc) Pid() int                      { return p.pid }
func (p *fakeProc) Output() io.ReadCloser         { return p.r }
func (p *fakeProc) Wait() Exit                    { return <-p.exit }
func (p *fakeProc) Signal(s syscall.Signal) error { p.signals <- s; return nil }

// end closes the output and makes Wait return e.
func (p *fakeProc) end(e Exit) {
	p.w.Close()
	p.exit <- e
}

// fakeStarter hands every started run to the test; queued errors fail the
// next starts.
type fakeStarter struct {
	mu    sync.Mutex
	next  int
	errs  []error
	procs chan *fakeProc
}

func (s *fakeStarter) Start() (Process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return nil, err
	}
	s.next++
	r, w := io.Pipe()
	p := &fakeProc{pid: 1000 + s.next, r: r, w: w, exit: make(chan Exit, 1), signals: make(chan syscall.Signal, 8)}
	s.procs <- p
	return p, nil
}

// harness runs a Supervisor on a fake clock with a fake starter. It is
// strict: at the end, no start, event or signal may be left unexamined.
type harness struct {
	t      *testing.T
	clk    *clock.Fake
	st     *fakeStarter
	events chan Event
	lines  chan string
	sup    *Supervisor
	runErr chan error
	procs  []*fakeProc
}

func newHarness(t *testing.T, edit func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, clk: clock.NewFake(time.Unix(1e9, 0)), st: &fakeStarter{procs: make(chan *fakeProc, 16)},
		events: make(chan Event, 64), lines: make(chan string, 256), runErr: make(chan error, 1)}
	cfg := Config{Name: "prog", Starter: h.st, Clock: h.clk, Rand: func() float64 { return 0 },
		Backoff: Backoff{Initial: time.Second, Max: 8 * time.Second},
		Grace:   5 * time.Second,
		OnEvent: func(e Event) { h.events <- e },
		OnLine:  func(l string) { h.lines <- l }}
	if edit != nil {
		edit(&cfg)
	}
	var err error
	if h.sup, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) run() {
	go func() { h.runErr <- h.sup.Run(context.Background()) }()
}

// next returns the next event and fails unless it is in state want.
func (h *harness) next(want State) Event {
	h.t.Helper()
	select {
	case e := <-h.events:
		if e.State != want {
			h.t.Fatalf("event %v (%+v), want %v", e.State, e, want)
		}
		return e
	case <-time.After(guard):
		h.t.Fatalf("no event; want %v", want)
	}
	return Event{}
}

// started expects the events of a start and returns the run.
func (h *harness) started() *fakeProc {
	h.t.Helper()
	h.next(Starting)
	var p *fakeProc
	select {
	case p = <-h.st.procs:
	case <-time.After(guard):
		h.t.Fatal("never started")
	}
	if e := h.next(Running); e.Pid != p.pid {
		h.t.Fatalf("Running pid = %d, want %d", e.Pid, p.pid)
	}
	h.procs = append(h.procs, p)
	return p
}

func (h *harness) signal(p *fakeProc, want syscall.Signal) {
	h.t.Helper()
	select {
	case s := <-p.signals:
		if s != want {
			h.t.Fatalf("signal %v, want %v", s, want)
		}
	case <-time.After(guard):
		h.t.Fatalf("no signal; want %v", want)
	}
}

// done waits for Run and checks that nothing was left unexamined.
func (h *harness) done() error {
	h.t.Helper()
	var err error
	select {
	case err = <-h.runErr:
	case <-time.After(guard):
		h.t.Fatal("Run did not return")
	}
	select {
	case e := <-h.events:
		h.t.Errorf("unexpected event %v after Run returned", e.State)
	default:
	}
	select {
	case p := <-h.st.procs:
		h.t.Errorf("unexpected start of run %d", p.pid)
	default:
	}
	for _, p := range h.procs {
		select {
		case s := <-p.signals:
			h.t.Errorf("unexpected signal %v to run %d", s, p.pid)
		default:
		}
	}
	if n := h.clk.Pending(); n != 0 {
		h.t.Errorf("pending timers after Run = %d, want 0", n)
	}
	return err
}

// crash ends p with exit 1 and returns the BackingOff that follows.
func (h *harness) crash(p *fakeProc) Event {
	h.t.Helper()
	p.end(Exit{Code: 1})
	if e := h.next(Exited); e.Exit == nil || e.Exit.Code != 1 {
		h.t.Fatalf("Exited with %+v, want exit 1", e.Exit)
	}
	return h.next(BackingOff)
}

// wake advances the clock through a backoff, checking that the restart
// waits for its whole delay.
func (h *harness) wake(e Event) {
	h.t.Helper()
	if next, ok := h.clk.Next(); !ok || !next.Equal(e.Until) {
		h.t.Fatalf("timer at %v (pending %v), want %v", next, ok, e.Until)
	}
	h.clk.Advance(e.Wait - time.Nanosecond)
	if h.clk.Pending() != 1 {
		h.t.Fatalf("restarted before its %v delay", e.Wait)
	}
	h.clk.Advance(time.Nanosecond)
}

// The delays double up to Max, each shortened by Jitter times the rand
// source's number, and stay within [(1-Jitter)·d, d].
func TestBackoffDoublesWithJitter(t *testing.T) {
	rs := []float64{0, 0.5, 0.75, 0.25, 0.125, 0.999999}
	var i int
	h := newHarness(t, func(c *Config) {
		c.Backoff.Jitter = 0.5
		c.Rand = func() float64 { r := rs[i]; i++; return r }
	})
	h.run()
	want := []time.Duration{time.Second, 1500 * time.Millisecond, 2500 * time.Millisecond, 7 * time.Second, 7500 * time.Millisecond}
	bases := []time.Duration{1, 2, 4, 8, 8, 8}
	for n, base := range bases {
		base *= time.Second
		e := h.crash(h.started())
		if n < len(want) && e.Wait != want[n] {
			t.Errorf("delay %d = %v, want %v", n+1, e.Wait, want[n])
		}
		if e.Wait < base/2 || e.Wait > base {
			t.Errorf("delay %d = %v, outside [%v, %v]", n+1, e.Wait, base/2, base)
		}
		if e.Restarts != n+1 || e.Exit == nil || e.Exit.Code != 1 {
			t.Errorf("BackingOff %d = %+v, want restarts %d after exit 1", n+1, e, n+1)
		}
		h.wake(e)
	}
	h.started()
	h.sup.Stop()
	h.next(Stopping)
	h.signal(h.procs[len(h.procs)-1], syscall.SIGTERM)
	h.procs[len(h.procs)-1].end(Exit{Code: 0})
	h.next(Exited)
	h.next(Stopped)
	if err := h.done(); err != nil {
		t.Errorf("Run = %v, want nil after Stop", err)
	}
}

// The delay computation on its own: doubling, the cap, the start over
// after a healthy run (Healthy defaults to Max).
func TestBackoffNext(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 8 * time.Second}
	var got []time.Duration
	cur := time.Duration(0)
	for i := 0; i < 6; i++ {
		cur = b.next(cur, 0)
		got = append(got, cur)
	}
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("backoffs = %v, want %v", got, want)
	}
	if got := b.next(8*time.Second, 9*time.Second); got != time.Second {
		t.Errorf("next after a 9s run = %v, want %v", got, time.Second)
	}
	if got := b.next(8*time.Second, 8*time.Second); got != 8*time.Second {
		t.Errorf("next after an 8s run = %v, want %v (not longer than Healthy)", got, 8*time.Second)
	}
	for _, r := range []float64{0, 0.3, 0.5, 0.999999, 1, -1, 2} {
		b.Jitter = 0.25
		if got := b.jitter(4*time.Second, r); got < 3*time.Second || got > 4*time.Second {
			t.Errorf("jitter(4s, %v) = %v, outside [3s, 4s]", r, got)
		}
	}
}

// A run that lasted longer than Healthy starts the delays over.
func TestBackoffResetsAfterHealthyRun(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Backoff.Healthy = 10 * time.Second })
	h.run()
	for _, want := range []time.Duration{time.Second, 2 * time.Second} {
		e := h.crash(h.started())
		if e.Wait != want {
			t.Fatalf("delay = %v, want %v", e.Wait, want)
		}
		h.wake(e)
	}
	p := h.started()
	h.clk.Advance(10 * time.Second) // not longer than Healthy: keeps doubling
	e := h.crash(p)
	if e.Wait != 4*time.Second || e.Exit.Ran != 10*time.Second {
		t.Fatalf("after a 10s run: delay %v, ran %v; want 4s, 10s", e.Wait, e.Exit.Ran)
	}
	h.wake(e)
	p = h.started()
	h.clk.Advance(10*time.Second + time.Nanosecond)
	if e := h.crash(p); e.Wait != time.Second {
		t.Fatalf("delay after a healthy run = %v, want 1s", e.Wait)
	}
	h.sup.Stop()
	h.next(Stopped)
	h.done()
}

// Exit 125 is never restarted, whatever the Restart rule.
func TestExitDoNotRestart(t *testing.T) {
	for _, rule := range []struct {
		name string
		f    func(Exit) bool
	}{{"Contract", nil}, {"Always", Always}} {
		t.Run(rule.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.Restart = rule.f })
			h.run()
			h.started().end(Exit{Code: 125})
			h.next(Exited)
			if e := h.next(NotRestarted); e.Exit == nil || e.Exit.Code != 125 {
				t.Errorf("NotRestarted with %+v, want exit 125", e.Exit)
			}
			err := h.done()
			if !errors.Is(err, ErrNotRestarted) || err.Error() != "prog exited 125: not restarted" {
				t.Errorf("Run = %v, want \"prog exited 125: not restarted\" wrapping ErrNotRestarted", err)
			}
		})
	}
}

// The contract: 0 is done, a failed start is not tried again (Always
// tries it after a delay), other codes and signals restart.
func TestContract(t *testing.T) {
	for _, tc := range []struct {
		e    Exit
		want bool
	}{
		{Exit{Code: 0}, false},
		{Exit{Code: 125}, false},
		{Exit{Code: -1, Err: errors.New("no such file")}, false},
		{Exit{Code: 1}, true},
		{Exit{Code: 2}, true},
		{Exit{Code: -1, Signal: syscall.SIGKILL}, true},
	} {
		if got := Contract(tc.e); got != tc.want {
			t.Errorf("Contract(%v) = %v, want %v", tc.e, got, tc.want)
		}
	}

	h := newHarness(t, nil)
	h.run()
	h.started().end(Exit{Code: 0})
	h.next(Exited)
	h.next(NotRestarted)
	if err := h.done(); err != nil {
		t.Errorf("Run after exit 0 = %v, want nil", err)
	}

	startErr := errors.New("fork/exec /bin/prog: no such file or directory")
	h = newHarness(t, nil)
	h.st.errs = []error{startErr}
	h.run()
	h.next(Starting)
	if e := h.next(Exited); e.Exit == nil || !errors.Is(e.Exit.Err, startErr) || e.Exit.String() != startErr.Error() {
		t.Errorf("Exited with %+v, want the start error", e.Exit)
	}
	h.next(NotRestarted)
	if err := h.done(); !errors.Is(err, ErrNotStarted) || !errors.Is(err, startErr) {
		t.Errorf("Run = %v, want ErrNotStarted and the start error", err)
	}

	h = newHarness(t, func(c *Config) { c.Restart = Always })
	h.st.errs = []error{startErr}
	h.run()
	h.next(Starting)
	h.next(Exited)
	h.wake(h.next(BackingOff))
	h.started()
	h.sup.Kill()
	h.signal(h.procs[0], syscall.SIGKILL)
	h.procs[0].end(Exit{Code: -1, Signal: syscall.SIGKILL})
	if e := h.next(Exited); e.Exit.String() != "signal killed" {
		t.Errorf("Exited %q, want \"signal killed\"", e.Exit)
	}
	h.next(Stopped)
	h.done()
}

// Stop during a backoff: the timer is stopped and nothing starts again.
func TestStopDuringBackoff(t *testing.T) {
	h := newHarness(t, nil)
	h.run()
	h.crash(h.started())
	h.sup.Stop()
	if e := h.next(Stopped); e.Exit != nil || e.Restarts != 1 {
		t.Errorf("Stopped = %+v, want no exit and 1 restart", e)
	}
	if err := h.done(); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	h.clk.Advance(time.Hour)
	select {
	case p := <-h.st.procs:
		t.Errorf("started run %d after Stop", p.pid)
	default:
	}
}

// Stop asks (SIGTERM by default), and kills after the grace period.
func TestStopAsksThenKills(t *testing.T) {
	h := newHarness(t, nil)
	h.run()
	p := h.started()
	h.sup.Stop()
	if e := h.next(Stopping); e.Pid != p.pid {
		t.Errorf("Stopping pid %d, want %d", e.Pid, p.pid)
	}
	h.signal(p, syscall.SIGTERM)
	h.clk.Advance(5*time.Second - time.Nanosecond)
	select {
	case s := <-p.signals:
		t.Fatalf("signal %v before the grace period ended", s)
	default:
	}
	h.clk.Advance(time.Nanosecond)
	h.signal(p, syscall.SIGKILL)
	p.end(Exit{Code: -1, Signal: syscall.SIGKILL})
	h.next(Exited)
	if e := h.next(Stopped); e.Exit == nil || e.Exit.Signal != syscall.SIGKILL {
		t.Errorf("Stopped with %+v, want the kill", e.Exit)
	}
	h.done()
}

// The owner's Ask replaces SIGTERM; Grace 0 leaves the kill to the owner.
func TestStopWithOwnAsk(t *testing.T) {
	asked := make(chan int, 1)
	h := newHarness(t, func(c *Config) {
		c.Grace = 0
		c.Ask = func(p Process) error { asked <- p.Pid(); return nil }
	})
	h.run()
	p := h.started()
	h.sup.Stop()
	h.next(Stopping)
	if got := <-asked; got != p.pid {
		t.Errorf("asked %d, want %d", got, p.pid)
	}
	if n := h.clk.Pending(); n != 0 {
		t.Errorf("pending timers = %d, want 0 (no grace period)", n)
	}
	h.sup.Kill()
	h.signal(p, syscall.SIGKILL)
	p.end(Exit{Code: -1, Signal: syscall.SIGKILL})
	h.next(Exited)
	h.next(Stopped)
	h.done()
}

// Stop before Run: nothing is started.
func TestStopBeforeRun(t *testing.T) {
	h := newHarness(t, nil)
	h.sup.Stop()
	h.run()
	h.next(Stopped)
	h.done()
	if err := h.sup.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run = %v, want ErrRunning", err)
	}
}

// A run's lines all reach OnLine before its Exited event, and the recent
// ones are kept across runs within the bounds.
func TestOutputLinesAndRecent(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RecentLines = 4; c.RecentBytes = 1 << 10 })
	h.run()
	p := h.started()
	for i := range 6 {
		fmt.Fprintf(p.w, "line %d\n", i)
	}
	fmt.Fprint(p.w, "no newline")
	e := h.crash(p)
	var got []string
	for len(h.lines) > 0 {
		got = append(got, <-h.lines)
	}
	if want := "line 0,line 1,line 2,line 3,line 4,line 5,no newline"; strings.Join(got, ",") != want {
		t.Errorf("lines before Exited = %q, want %q", got, want)
	}
	if got, want := strings.Join(h.sup.Recent(), ","), "line 3,line 4,line 5,no newline"; got != want {
		t.Errorf("Recent() = %q, want %q", got, want)
	}
	h.wake(e)
	p = h.started()
	fmt.Fprintln(p.w, "second run")
	h.crash(p)
	<-h.lines
	if got, want := strings.Join(h.sup.Recent(), ","), "line 4,line 5,no newline,second run"; got != want {
		t.Errorf("Recent() across runs = %q, want %q", got, want)
	}
	h.sup.Stop()
	h.next(Stopped)
	h.done()
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, c := range []Config{
		{Name: "p"},
		{Name: "p", Starter: &fakeStarter{}},
		{Name: "p", Starter: &fakeStarter{}, Backoff: Backoff{Initial: 2 * time.Second, Max: time.Second}},
		{Name: "p", Starter: &fakeStarter{}, Backoff: Backoff{Initial: time.Second, Max: time.Second, Jitter: 1}},
		{Name: "p", Starter: &fakeStarter{}, Backoff: Backoff{Initial: time.Second, Max: time.Second}, Grace: -1},
	} {
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", c, err)
		}
	}
}
