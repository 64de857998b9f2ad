package gpiolinetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
)

// Clock is where Pin reads the time it records output changes at; a nil
// Clock is the wall clock.
type Clock interface{ Now() time.Time }

// Change is one change of an output's level.
type Change struct {
	At    time.Time
	Level gpio.Level
}

// Mode is how the code under test configured a Pin.
type Mode int

const (
	// Unconfigured: neither In nor Out has been called.
	Unconfigured Mode = iota
	// Input: the code reads it, the test drives it.
	Input
	// Output: the code drives it, the test reads it.
	Output
)

func (m Mode) String() string {
	switch m {
	case Input:
		return "input"
	case Output:
		return "output"
	}
	return "unconfigured"
}

// edgeQueue is how many edges a Pin keeps for a reader that is behind, as
// the kernel keeps line events.
const edgeQueue = 64

// Pin is a strict fake GPIO line. Create it with NewPin.
type Pin struct {
	tb   testing.TB
	name string
	num  int
	clk  Clock

	mu       sync.Mutex
	mode     Mode
	level    gpio.Level
	pull     gpio.Pull
	edge     gpio.Edge
	edges    chan gpio.Level
	halt     chan struct{}
	changes  []Change
	released bool
	waiters  int
	entered  chan struct{} // closed and replaced when a wait begins
}

// NewPin returns a low, unconfigured line named name at offset num.
func NewPin(tb testing.TB, name string, num int, clk Clock) *Pin {
	return &Pin{tb: tb, name: name, num: num, clk: clk,
		edges: make(chan gpio.Level, edgeQueue), halt: make(chan struct{}), entered: make(chan struct{})}
}

func (p *Pin) now() time.Time {
	if p.clk == nil {
		return time.Now()
	}
	return p.clk.Now()
}

// --- the test's side ---

// Drive sets an input's level, as a test's signal generator would, and
// queues an edge for a reader when the level changes and the line was
// configured for that edge. Driving an output fails the test.
func (p *Pin) Drive(l gpio.Level) {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.released:
		p.tb.Errorf("gpiolinetest: Drive(%s) on %s after the code released it", l, p)
		return
	case p.mode == Output:
		p.tb.Errorf("gpiolinetest: Drive(%s) on %s: the code under test drives this output", l, p)
		return
	}
	if l == p.level {
		return
	}
	p.level = l
	if p.mode != Input || !wants(p.edge, l) {
		return
	}
	select {
	case p.edges <- l:
	default:
		p.tb.Errorf("gpiolinetest: %s: more than %d edges queued and none read", p, edgeQueue)
	}
}

func wants(e gpio.Edge, l gpio.Level) bool {
	switch e {
	case gpio.BothEdges:
		return true
	case gpio.RisingEdge:
		return l == gpio.High
	case gpio.FallingEdge:
		return l == gpio.Low
	}
	return false
}

// Level returns the line's level: what the test drove on an input, what
// the code wrote on an output.
func (p *Pin) Level() gpio.Level {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.level
}

// Changes returns an output's level changes in order, the first being
// the level it was opened at.
func (p *Pin) Changes() []Change {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Change(nil), p.changes...)
}

// AwaitWaiter blocks until the code is inside WaitForEdge on the line
// (it fails the test after Wait).
func (p *Pin) AwaitWaiter() {
	p.tb.Helper()
	deadline := time.NewTimer(Wait)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		n, ch := p.waiters, p.entered
		p.mu.Unlock()
		if n > 0 {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			p.tb.Fatalf("gpiolinetest: nothing waited for an edge on %s within %v", p, Wait)
			return
		}
	}
}

// Mode returns how the code configured the line.
func (p *Pin) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// Released reports whether the code closed the line.
func (p *Pin) Released() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.released
}

// --- the code's side: periph's gpio.PinIO ---

// String implements conn.Resource.
func (p *Pin) String() string { return fmt.Sprintf("%s(%d)", p.name, p.num) }

// Halt wakes every WaitForEdge in progress, which returns false.
func (p *Pin) Halt() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.halt)
	p.halt = make(chan struct{})
	return nil
}

// Name implements pin.Pin.
func (p *Pin) Name() string { return p.name }

// Number implements pin.Pin.
func (p *Pin) Number() int { return p.num }

// Function implements pin.Pin.
func (p *Pin) Function() string { return p.Mode().String() }

// errFake is what a refused call returns besides failing the test.
var errFake = errors.New("gpiolinetest: refused")

func (p *Pin) refuse(format string, args ...any) error {
	p.tb.Helper()
	p.tb.Errorf("gpiolinetest: "+format, args...)
	return fmt.Errorf("%w: "+format, append([]any{errFake}, args...)...)
}

// In configures the line as an input. A pull changes the level, as it
// does on gpio-sim.
func (p *Pin) In(pull gpio.Pull, edge gpio.Edge) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.released:
		return p.refuse("In on %s after the code released it", p)
	case p.mode == Output:
		return p.refuse("In on %s, which the code opened as an output", p)
	}
	p.mode, p.pull, p.edge = Input, pull, edge
	switch pull {
	case gpio.PullUp:
		p.level = gpio.High
	case gpio.PullDown:
		p.level = gpio.Low
	}
	for {
		select {
		case <-p.edges:
		default:
			return nil
		}
	}
}

// Read returns an input's level.
func (p *Pin) Read() gpio.Level {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.released:
		_ = p.refuse("Read on %s after the code released it", p)
	case p.mode == Output:
		_ = p.refuse("Read on output %s: periph's character-device Read would turn it into a pulled-up input", p)
	case p.mode == Unconfigured:
		_ = p.refuse("Read on %s before In", p)
	}
	return p.level
}

// WaitForEdge waits up to timeout (wall time: it bounds a wait, the code
// under test must not depend on it) for an edge, or a Halt.
func (p *Pin) WaitForEdge(timeout time.Duration) bool {
	p.mu.Lock()
	var err error
	switch {
	case timeout <= 0:
		err = p.refuse("WaitForEdge(%v) on %s: periph's character-device lines read -1 as return at once and 0 as forever, its fakes otherwise; pass a positive timeout", timeout, p)
	case p.released:
		err = p.refuse("WaitForEdge on %s after the code released it", p)
	case p.mode != Input || p.edge == gpio.NoEdge:
		err = p.refuse("WaitForEdge on %s, not configured as an input with edges", p)
	}
	halt := p.halt
	if err == nil {
		p.waiters++
		close(p.entered)
		p.entered = make(chan struct{})
	}
	p.mu.Unlock()
	if err != nil {
		return false
	}
	defer func() {
		p.mu.Lock()
		p.waiters--
		p.mu.Unlock()
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.edges:
		return true
	case <-halt:
		return false
	case <-t.C:
		return false
	}
}

// Pull returns the pull the code asked for.
func (p *Pin) Pull() gpio.Pull {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pull
}

// DefaultPull implements gpio.PinIn.
func (p *Pin) DefaultPull() gpio.Pull { return gpio.PullNoChange }

// Edge returns the edges the code asked for.
func (p *Pin) Edge() gpio.Edge {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.edge
}

// Out drives an output and records the change.
func (p *Pin) Out(l gpio.Level) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.released:
		return p.refuse("Out(%s) on %s after the code released it", l, p)
	case p.mode == Input:
		return p.refuse("Out(%s) on %s, which the code opened as an input", l, p)
	}
	first := p.mode == Unconfigured
	p.mode = Output
	if first || l != p.level {
		p.changes = append(p.changes, Change{At: p.now(), Level: l})
	}
	p.level = l
	return nil
}

// PWM is refused.
func (p *Pin) PWM(gpio.Duty, physic.Frequency) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refuse("PWM on %s: GPIO lines here are plain levels", p)
}

// Close releases the line, as gpioline's release does for a kernel line.
// Closing twice fails the test.
func (p *Pin) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.released {
		_ = p.refuse("%s released twice", p)
		return
	}
	p.released = true
}

var _ gpio.PinIO = (*Pin)(nil)
