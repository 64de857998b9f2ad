package supervise

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/command"
)

// Starter starts one run of a program (Cmd for a real one; tests drive
// fakes).
type Starter interface {
	Start() (Process, error)
}

// Process is one started run.
type Process interface {
	Pid() int
	// Output is the program's standard output and error, read until its
	// end (the supervisor closes it then); nil when there is none.
	Output() io.ReadCloser
	// Signal signals the program's process group. After Wait has seen the
	// program end, it does nothing.
	Signal(syscall.Signal) error
	// Wait waits for the program to end and says how (Ran is filled in by
	// the supervisor).
	Wait() Exit
}

// Config describes one supervised program.
type Config struct {
	// Name names the program in errors.
	Name    string
	Starter Starter
	// Clock times the restart delays and the stop's grace period
	// (default the wall clock).
	Clock clock.Clock
	// Rand returns numbers in [0, 1) for the jitter of the restart delays
	// (default math/rand/v2's Float64).
	Rand    func() float64
	Backoff Backoff
	// Restart decides after each exit whether to start the program again
	// (default Contract). Exit 125 is never restarted.
	Restart func(Exit) bool
	// Ask asks a running program to stop (default SIGTERM to its process
	// group). An error from it kills the group at once.
	Ask func(Process) error
	// Grace is how long a stop waits after Ask before it kills the process
	// group. Zero never kills on its own: the owner calls Kill.
	Grace time.Duration
	// OnEvent is told every state change, in order, on Run's goroutine.
	// It must not block for long; it may call Stop, Kill and Recent.
	OnEvent func(Event)
	// OnLine is handed every line of the program's output, without its
	// newline, on the goroutine that reads the output; a run's lines all
	// come before its Exited event.
	OnLine func(string)
	// MaxLine bounds one line of output in bytes (default 64 KiB).
	MaxLine int
	// RecentLines and RecentBytes bound the recent output that Recent
	// returns (default 40 lines, 32 KiB).
	RecentLines, RecentBytes int
}

// Supervisor supervises one program from Run until Stop, or until the
// program ends in a way that is not restarted.
type Supervisor struct {
	cfg    Config
	recent *ring

	ran      atomic.Bool
	stopOnce sync.Once
	stopc    chan struct{} // closed by Stop
	killOnce sync.Once
	killc    chan struct{} // closed by Kill
}

// New checks cfg and returns a Supervisor that has not started anything
// yet.
func New(cfg Config) (*Supervisor, error) {
	if cfg.Starter == nil {
		return nil, fmt.Errorf("%w: %s: no Starter", ErrConfig, cfg.Name)
	}
	if err := cfg.Backoff.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	if cfg.Grace < 0 || cfg.MaxLine < 0 || cfg.RecentLines < 0 || cfg.RecentBytes < 0 {
		return nil, fmt.Errorf("%w: %s: Grace, MaxLine, RecentLines and RecentBytes must not be negative", ErrConfig, cfg.Name)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Restart == nil {
		cfg.Restart = Contract
	}
	if cfg.Ask == nil {
		cfg.Ask = func(p Process) error { return p.Signal(syscall.SIGTERM) }
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
	if cfg.OnLine == nil {
		cfg.OnLine = func(string) {}
	}
	if cfg.MaxLine == 0 {
		cfg.MaxLine = 64 << 10
	}
	if cfg.RecentLines == 0 {
		cfg.RecentLines = 40
	}
	if cfg.RecentBytes == 0 {
		cfg.RecentBytes = 32 << 10
	}
	return &Supervisor{cfg: cfg, recent: newRing(cfg.RecentLines, cfg.RecentBytes),
		stopc: make(chan struct{}), killc: make(chan struct{})}, nil
}

// Stop ends supervision: no further start, and a running program is asked
// to stop (Config.Ask), then killed after Config.Grace. It does not wait;
// Run returns once the program has ended. Stop is idempotent and may come
// before Run.
func (s *Supervisor) Stop() { s.stopOnce.Do(func() { close(s.stopc) }) }

// Kill ends supervision like Stop, and kills a running program's process
// group at once.
func (s *Supervisor) Kill() {
	s.Stop()
	s.killOnce.Do(func() { close(s.killc) })
}

// Recent returns the last lines of output, oldest first, across runs.
func (s *Supervisor) Recent() []string { return s.recent.last() }

// Run supervises the program until Stop (or ctx ends, which is a Stop),
// or until it ends in a way that is not restarted. It returns nil after a
// stop or an exit 0; an error wrapping ErrNotRestarted after exit 125 or a
// crash the Restart rule does not restart; one wrapping ErrNotStarted when
// the program could not be started. Every goroutine it starts has ended
// when it returns.
func (s *Supervisor) Run(ctx context.Context) error {
	if !s.ran.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer context.AfterFunc(ctx, s.Stop)()
	var delay time.Duration // before jitter; 0 until the first restart
	restarts := 0
	for {
		select {
		case <-s.stopc:
			s.cfg.OnEvent(Event{State: Stopped, Restarts: restarts})
			return nil
		default:
		}
		s.cfg.OnEvent(Event{State: Starting, Restarts: restarts})
		ex := s.runOnce(restarts)
		s.cfg.OnEvent(Event{State: Exited, Exit: &ex, Restarts: restarts})
		select {
		case <-s.stopc:
			s.cfg.OnEvent(Event{State: Stopped, Exit: &ex, Restarts: restarts})
			return nil
		default:
		}
		if ex.Code == command.ExitDoNotRestart || !s.cfg.Restart(ex) {
			s.cfg.OnEvent(Event{State: NotRestarted, Exit: &ex, Restarts: restarts})
			return ex.final(s.cfg.Name)
		}
		delay = s.cfg.Backoff.next(delay, ex.Ran)
		wait := s.cfg.Backoff.jitter(delay, s.cfg.Rand())
		restarts++
		// The timer is set before the event, so whoever sees the event
		// (and advances a fake clock) sees the timer too.
		wake := make(chan struct{})
		t := s.cfg.Clock.AfterFunc(wait, func() { close(wake) })
		s.cfg.OnEvent(Event{State: BackingOff, Exit: &ex, Wait: wait, Until: s.cfg.Clock.Now().Add(wait), Restarts: restarts})
		select {
		case <-wake:
		case <-s.stopc:
			t.Stop()
			s.cfg.OnEvent(Event{State: Stopped, Restarts: restarts})
			return nil
		}
	}
}

// runOnce starts the program and waits until it has ended and its output
// has been read.
func (s *Supervisor) runOnce(restarts int) Exit {
	start := s.cfg.Clock.Now()
	p, err := s.cfg.Starter.Start()
	if err != nil {
		return Exit{Code: -1, Err: err}
	}
	s.cfg.OnEvent(Event{State: Running, Pid: p.Pid(), Restarts: restarts})
	read := make(chan struct{})
	if out := p.Output(); out != nil {
		go func() {
			defer close(read)
			defer out.Close()
			readLines(out, s.cfg.MaxLine, func(line string) {
				s.recent.add(line)
				s.cfg.OnLine(line)
			})
		}()
	} else {
		close(read)
	}
	exited := make(chan Exit, 1)
	go func() { exited <- p.Wait() }()
	var grace clock.Timer
	stopc, killc := s.stopc, s.killc
	var ex Exit
	for done := false; !done; {
		select {
		case ex = <-exited:
			done = true
		case <-stopc:
			stopc = nil
			select {
			case <-killc: // killed as well: no need to ask
				continue
			default:
			}
			s.cfg.OnEvent(Event{State: Stopping, Pid: p.Pid(), Restarts: restarts})
			if err := s.cfg.Ask(p); err != nil {
				p.Signal(syscall.SIGKILL)
			} else if s.cfg.Grace > 0 {
				grace = s.cfg.Clock.AfterFunc(s.cfg.Grace, s.Kill)
			}
		case <-killc:
			killc, stopc = nil, nil
			p.Signal(syscall.SIGKILL)
		}
	}
	if grace != nil {
		grace.Stop()
	}
	<-read
	ex.Ran = s.cfg.Clock.Now().Sub(start)
	return ex
}
