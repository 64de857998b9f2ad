package gpioline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Input is what a driver needs of an input line.
type Input interface {
	// Name names the line for messages ("STATUS").
	Name() string
	// ActiveLow says the line is active when low.
	ActiveLow() bool
	// Active reads the line: true at its active level.
	Active() (bool, error)
	// WaitEdge blocks until the line changes in either direction, then
	// returns nil; it returns ctx's error once ctx is done, ErrClosed
	// once the line is closed.
	WaitEdge(ctx context.Context) error
}

// Output is what a driver needs of an output line.
type Output interface {
	// Name names the line for messages ("PWRKEY").
	Name() string
	// ActiveLow says the line is active when low.
	ActiveLow() bool
	// Set drives the line to its active level (true) or away from it.
	Set(active bool) error
}

// DefaultWaitSlice is the longest single wait In hands to periph's
// WaitForEdge. A halt wakes that wait at once; the slice only bounds how
// late a cancellation is seen if the halt raced with the start of a wait.
const DefaultWaitSlice = 250 * time.Millisecond

// earlyLimit is how many waits in a row may return without an edge well
// before their slice ended before WaitEdge calls the line broken.
const earlyLimit = 3

// use counts the calls in flight on a line, so that Close releases the
// pin only once no call is using it.
type use struct {
	mu     sync.Mutex
	closed bool
	calls  sync.WaitGroup
}

func (u *use) enter() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return ErrClosed
	}
	u.calls.Add(1)
	return nil
}

func (u *use) leave() { u.calls.Done() }

// close marks the line closed and reports whether this call did.
func (u *use) close() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	was := u.closed
	u.closed = true
	return !was
}

func (u *use) isClosed() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.closed
}

// In is an input line at its active level. Its methods are safe for
// concurrent use.
type In struct {
	pin     gpio.PinIn
	spec    Spec
	slice   time.Duration
	release func()
	use     use
}

// NewInput configures p as an input with both edges and s's bias and
// returns it as an In named and levelled by s. release, if not nil, is
// called by Close once no call uses the pin.
func NewInput(p gpio.PinIn, s Spec, release func()) (*In, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if err := p.In(s.Bias.pull(), gpio.BothEdges); err != nil {
		return nil, fmt.Errorf("line %s: configure as an input with edges: %w", s, err)
	}
	return &In{pin: p, spec: s, slice: DefaultWaitSlice, release: release}, nil
}

// SetWaitSlice changes the longest single wait handed to periph (tests on
// fakes whose Halt does nothing shorten it). It must be positive and set
// before the line is used.
func (l *In) SetWaitSlice(d time.Duration) {
	if d > 0 {
		l.slice = d
	}
}

// Name names the line for messages.
func (l *In) Name() string { return l.spec.String() }

// ActiveLow says the line is active when low.
func (l *In) ActiveLow() bool { return l.spec.ActiveLow }

// Spec returns the line's spec.
func (l *In) Spec() Spec { return l.spec }

// Active reads the line. periph's Read reports no error; a closed line
// returns ErrClosed.
func (l *In) Active() (bool, error) {
	if err := l.use.enter(); err != nil {
		return false, fmt.Errorf("line %s: %w", l.spec, err)
	}
	defer l.use.leave()
	return (l.pin.Read() == gpio.High) != l.spec.ActiveLow, nil
}

// WaitEdge waits for the line to change, in slices of at most the wait
// slice, halting the pin when ctx ends.
func (l *In) WaitEdge(ctx context.Context) error {
	if err := l.use.enter(); err != nil {
		return fmt.Errorf("line %s: %w", l.spec, err)
	}
	defer l.use.leave()
	stop := context.AfterFunc(ctx, func() { _ = l.pin.Halt() })
	defer stop()
	early := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		if l.pin.WaitForEdge(l.slice) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if l.use.isClosed() {
			return fmt.Errorf("line %s: %w", l.spec, ErrClosed)
		}
		// periph says false for a timeout, a halt and a failure alike; a
		// failure comes back at once, every time.
		if time.Since(start) < l.slice/2 {
			if early++; early >= earlyLimit {
				return fmt.Errorf("%w: line %s (%d waits in a row)", ErrWaitFails, l.spec, early)
			}
		} else {
			early = 0
		}
	}
}

// Close wakes any wait, waits for the calls in flight, then releases the
// pin. It is idempotent.
func (l *In) Close() error {
	if !l.use.close() {
		return nil
	}
	_ = l.pin.Halt()
	l.use.calls.Wait()
	if l.release != nil {
		l.release()
	}
	return nil
}

// Out is an output line at its active level. It remembers the level it
// last set and never reads the pin.
type Out struct {
	pin     gpio.PinOut
	spec    Spec
	release func()
	use     use
	mu      sync.Mutex
	active  bool
}

// NewOutput drives p to active (or away from it) and returns it as an Out
// named and levelled by s. release, if not nil, is called by Close.
func NewOutput(p gpio.PinOut, s Spec, active bool, release func()) (*Out, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	o := &Out{pin: p, spec: s, release: release}
	if err := o.write(active); err != nil {
		return nil, err
	}
	return o, nil
}

// Name names the line for messages.
func (o *Out) Name() string { return o.spec.String() }

// ActiveLow says the line is active when low.
func (o *Out) ActiveLow() bool { return o.spec.ActiveLow }

// Spec returns the line's spec.
func (o *Out) Spec() Spec { return o.spec }

// Set drives the line. Concurrent Sets race as they would on the wire.
func (o *Out) Set(active bool) error {
	if err := o.use.enter(); err != nil {
		return fmt.Errorf("line %s: %w", o.spec, err)
	}
	defer o.use.leave()
	return o.write(active)
}

func (o *Out) write(active bool) error {
	l := gpio.Low
	if active != o.spec.ActiveLow {
		l = gpio.High
	}
	if err := o.pin.Out(l); err != nil {
		return fmt.Errorf("line %s: set %s: %w", o.spec, Level(o.spec.ActiveLow, active), err)
	}
	o.mu.Lock()
	o.active = active
	o.mu.Unlock()
	return nil
}

// Active returns the level last set.
func (o *Out) Active() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.active
}

// Close waits for the calls in flight, then releases the pin, which keeps
// its level. It is idempotent.
func (o *Out) Close() error {
	if !o.use.close() {
		return nil
	}
	o.use.calls.Wait()
	if o.release != nil {
		o.release()
	}
	return nil
}

var (
	_ Input  = (*In)(nil)
	_ Output = (*Out)(nil)
)
