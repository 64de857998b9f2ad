// Package radiotest holds a scripted fake radio.Radio for the tests of
// code that powers a modem (phoned). It records every call, moves
// through the same states as the real radio (powering-up then on, ...),
// fails an operation when the test has said it should, and fails the
// test on what the real one would refuse or on a script left unused.
package radiotest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/radio"
)

// The operations, as Calls records them.
const (
	OpPowerOn     = "power-on"
	OpPowerOff    = "power-off"
	OpReset       = "reset"
	OpAirplaneOn  = "airplane-on"
	OpAirplaneOff = "airplane-off"
)

// Radio is a fake radio.
type Radio struct {
	tb       testing.TB
	mu       sync.Mutex
	state    radio.State
	airplane bool
	powered  bool
	calls    []string
	fail     map[string][]error
	closed   bool
	changes  chan radio.Change
	done     chan struct{}
}

// New returns a radio in state initial (off, on or airplane). At the end
// of the test, a failure scripted with FailNext and never used fails it.
func New(tb testing.TB, initial radio.State) *Radio {
	r := &Radio{tb: tb, state: initial, airplane: initial == radio.Airplane,
		powered: initial == radio.On || initial == radio.Airplane,
		fail:    map[string][]error{}, changes: make(chan radio.Change, radio.ChangeBuffer), done: make(chan struct{})}
	tb.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for op, errs := range r.fail {
			if len(errs) > 0 {
				tb.Errorf("radiotest: %d scripted failures of %s never used", len(errs), op)
			}
		}
	})
	return r
}

// FailNext makes the next call of op (OpPowerOn, ...) fail with err. A
// failed power-on leaves the radio failed, as the real one does.
func (r *Radio) FailNext(op string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail[op] = append(r.fail[op], err)
}

// Calls returns the operations called, in order.
func (r *Radio) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// Closed reports whether the code closed the radio.
func (r *Radio) Closed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// begin records op and returns its scripted failure. The caller holds
// r.mu.
func (r *Radio) begin(ctx context.Context, op string) error {
	if r.closed {
		r.tb.Errorf("radiotest: %s after Close", op)
		return radio.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.calls = append(r.calls, op)
	if errs := r.fail[op]; len(errs) > 0 {
		r.fail[op] = errs[1:]
		return errs[0]
	}
	return nil
}

func (r *Radio) enter(to radio.State, why error) {
	if r.state == to {
		return
	}
	c := radio.Change{From: r.state, To: to, At: time.Now(), Err: why}
	r.state = to
	select {
	case r.changes <- c:
	default:
		r.tb.Errorf("radiotest: %d state changes not read", radio.ChangeBuffer)
	}
}

func (r *Radio) poweredState() radio.State {
	if r.airplane {
		return radio.Airplane
	}
	return radio.On
}

// PowerOn implements radio.Radio.
func (r *Radio) PowerOn(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.begin(ctx, OpPowerOn)
	if r.powered || err == radio.ErrClosed || ctx.Err() != nil {
		return err
	}
	r.enter(radio.PoweringUp, nil)
	if err != nil {
		r.enter(radio.Failed, err)
		return err
	}
	r.powered = true
	r.enter(r.poweredState(), nil)
	return nil
}

// PowerOff implements radio.Radio.
func (r *Radio) PowerOff(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.begin(ctx, OpPowerOff)
	if err == radio.ErrClosed || ctx.Err() != nil {
		return err
	}
	if r.state == radio.Off {
		return err
	}
	if r.powered {
		r.enter(radio.PoweringDown, nil)
	}
	r.powered = false
	r.enter(radio.Off, err)
	return err
}

// Reset implements radio.Radio.
func (r *Radio) Reset(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.begin(ctx, OpReset)
	if err != nil {
		return err
	}
	if !r.powered {
		return fmt.Errorf("%w: reset while %s (power the modem on first)", radio.ErrState, r.state)
	}
	return nil
}

// SetAirplane implements radio.Radio.
func (r *Radio) SetAirplane(ctx context.Context, on bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	op := OpAirplaneOff
	if on {
		op = OpAirplaneOn
	}
	if err := r.begin(ctx, op); err != nil {
		return err
	}
	r.airplane = on
	if r.powered {
		r.enter(r.poweredState(), nil)
	}
	return nil
}

// State implements radio.Radio.
func (r *Radio) State() radio.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// Powered implements radio.Radio: true while on or airplane.
func (r *Radio) Powered() (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.powered, nil
}

// Changes implements radio.Radio.
func (r *Radio) Changes() <-chan radio.Change { return r.changes }

// Done implements radio.Radio.
func (r *Radio) Done() <-chan struct{} { return r.done }

// Err implements radio.Radio.
func (r *Radio) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return radio.ErrClosed
	}
	return nil
}

// Close implements radio.Radio.
func (r *Radio) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.changes)
		close(r.done)
	}
	return nil
}

var _ radio.Radio = (*Radio)(nil)
