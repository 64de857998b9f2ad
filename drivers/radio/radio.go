package radio

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/drivers/gpioline"
)

// Radio is a cellular modem's power control, what phoned uses. Every
// method is safe for concurrent use; the operations run one at a time
// (a second waits for the first, or for its context).
type Radio interface {
	// PowerOn powers the modem up; on a powered modem it does nothing.
	PowerOn(ctx context.Context) error
	// PowerOff powers the modem down and cuts VBAT; on a modem that is
	// off it does nothing.
	PowerOff(ctx context.Context) error
	// Reset pulses RESET on a powered modem.
	Reset(ctx context.Context) error
	// SetAirplane asserts (true) or releases W_DISABLE. Set while off,
	// it holds for the next power-up.
	SetAirplane(ctx context.Context, on bool) error
	// State returns the power state.
	State() State
	// Powered reads STATUS: true when it says the modem is powered.
	Powered() (bool, error)
	// Changes delivers each state change in order; it is closed by
	// Close. A reader more than ChangeBuffer behind loses the oldest.
	Changes() <-chan Change
	// Done is closed by Close.
	Done() <-chan struct{}
	// Err is ErrClosed after Close, nil before.
	Err() error
	// Close cancels an operation in progress, waits for it, and stops
	// the radio. The modem is left as it is. Idempotent.
	Close() error
}

// Change is one state change.
type Change struct {
	From, To State
	At       time.Time
	// Err is why, for a change to failed (or to off after a cancelled
	// power-up or a power-off that timed out).
	Err error
}

// ChangeBuffer is how many changes a Radio keeps for a slow reader.
const ChangeBuffer = 16

func sendChange(ch chan Change, c Change) {
	for {
		select {
		case ch <- c:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// Lines are the modem's lines, opened by the board at their levels.
type Lines struct {
	VBAT, PWRKey, Reset, WDisable gpioline.Output
	Status                        gpioline.Input
	// Optional: nil when the board does not wire them.
	DTR, APReady gpioline.Output
	RI           gpioline.Input
}

func (l Lines) check() error {
	for _, n := range []struct {
		name string
		ok   bool
	}{{"VBAT_EN", l.VBAT != nil}, {"PWRKEY", l.PWRKey != nil}, {"RESET", l.Reset != nil},
		{"W_DISABLE", l.WDisable != nil}, {"STATUS", l.Status != nil}} {
		if !n.ok {
			return fmt.Errorf("%w: %s", ErrBadLines, n.name)
		}
	}
	return nil
}

// GPIO is power control on GPIO lines. The lines belong to the caller
// (the board), who closes them after the radio.
type GPIO struct {
	l   Lines
	t   Timing
	clk Clock

	ops  chan struct{} // holds a token while an operation runs
	base context.Context
	stop context.CancelFunc
	once sync.Once

	mu       sync.Mutex
	state    State
	airplane bool
	closed   bool
	changes  chan Change
	done     chan struct{}
}

// New takes over the lines. It reads STATUS: a modem already powered
// (phoned restarted) is on, with VBAT kept on; otherwise VBAT is cut and
// the radio is off. PWRKEY, RESET and W_DISABLE are released; DTR and
// AP_READY, where wired, are asserted (host awake). A nil clock is the
// wall clock.
func New(l Lines, t Timing, clk Clock) (*GPIO, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	if err := t.Check(); err != nil {
		return nil, err
	}
	powered, err := l.Status.Active()
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrLine, l.Status.Name(), err)
	}
	sets := []struct {
		o  gpioline.Output
		on bool
	}{{l.PWRKey, false}, {l.Reset, false}, {l.WDisable, false}, {l.VBAT, powered}, {l.DTR, true}, {l.APReady, true}}
	for _, s := range sets {
		if s.o == nil {
			continue
		}
		if err := set(s.o, s.on); err != nil {
			return nil, err
		}
	}
	base, stop := context.WithCancel(context.Background())
	r := &GPIO{l: l, t: t, clk: orWall(clk), ops: make(chan struct{}, 1), base: base, stop: stop,
		state: Off, changes: make(chan Change, ChangeBuffer), done: make(chan struct{})}
	if powered {
		r.state = On
	}
	return r, nil
}

func set(o gpioline.Output, on bool) error {
	if err := o.Set(on); err != nil {
		return fmt.Errorf("%w: %w", ErrLine, err)
	}
	return nil
}

// acquire waits for the operation slot. The returned context ends with
// ctx or with Close.
func (r *GPIO) acquire(ctx context.Context) (context.Context, func(), error) {
	select {
	case r.ops <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-r.base.Done():
		return nil, nil, ErrClosed
	}
	if r.base.Err() != nil {
		<-r.ops
		return nil, nil, ErrClosed
	}
	opCtx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(r.base, cancel)
	return opCtx, func() { stop(); cancel(); <-r.ops }, nil
}

// interrupted turns a cancellation into ErrClosed when Close caused it.
func (r *GPIO) interrupted(what string, err error) error {
	if r.base.Err() != nil {
		return fmt.Errorf("%s: %w", what, ErrClosed)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (r *GPIO) sleep(ctx context.Context, d time.Duration) error {
	fired := make(chan struct{})
	t := r.clk.AfterFunc(d, func() { close(fired) })
	select {
	case <-fired:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	}
}

// pulse asserts o for d and releases it, also when ctx ends first.
func (r *GPIO) pulse(ctx context.Context, o gpioline.Output, d time.Duration) error {
	if err := set(o, true); err != nil {
		return err
	}
	err := r.sleep(ctx, d)
	if rerr := set(o, false); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

var errTimedOut = errors.New("timed out")

// waitStatus waits until STATUS says powered (want true) or off, for at
// most timeout on the clock; errTimedOut if it does not.
func (r *GPIO) waitStatus(ctx context.Context, want bool, timeout time.Duration) error {
	tctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := r.clk.AfterFunc(timeout, func() { cancel(errTimedOut) })
	defer t.Stop()
	for {
		on, err := r.l.Status.Active()
		if err != nil {
			return fmt.Errorf("%w: read %s: %w", ErrLine, r.l.Status.Name(), err)
		}
		if on == want {
			return nil
		}
		err = r.l.Status.WaitEdge(tctx)
		switch {
		case err == nil:
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(context.Cause(tctx), errTimedOut):
			// One last look: an edge may have come with the timeout.
			if on, err := r.l.Status.Active(); err == nil && on == want {
				return nil
			}
			return errTimedOut
		default:
			return fmt.Errorf("%w: wait for %s: %w", ErrLine, r.l.Status.Name(), err)
		}
	}
}

// stillFor says what STATUS was seen doing: "STATUS still high 10s after
// PWRKEY".
func (r *GPIO) stillFor(powered bool, d time.Duration) string {
	return fmt.Sprintf("%s still %s %v after %s", r.l.Status.Name(),
		gpioline.Level(r.l.Status.ActiveLow(), powered), d, r.l.PWRKey.Name())
}

// PowerOn implements Radio.
func (r *GPIO) PowerOn(ctx context.Context) error {
	ctx, release, err := r.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	r.mu.Lock()
	if s := r.state; s == On || s == Airplane {
		r.mu.Unlock()
		return nil
	}
	err = r.enter(PoweringUp, nil)
	r.mu.Unlock()
	if err != nil {
		return err
	}

	err = r.powerOn(ctx)
	cancelled := ctx.Err() != nil
	switch {
	case err == nil:
	case cancelled:
		err = r.interrupted("power up", err)
	case errors.Is(err, errTimedOut):
		err = fmt.Errorf("%w: %s", ErrPowerUp, r.stillFor(false, r.t.PowerOnTimeout))
	}
	if err != nil {
		if cerr := set(r.l.VBAT, false); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err == nil:
		return r.enter(r.poweredState(), nil)
	case cancelled && !errors.Is(err, ErrLine):
		return errors.Join(err, r.enter(Off, err))
	}
	return errors.Join(err, r.enter(Failed, err))
}

func (r *GPIO) powerOn(ctx context.Context) error {
	if err := set(r.l.VBAT, true); err != nil {
		return err
	}
	if err := r.sleep(ctx, r.t.VBATSettle); err != nil {
		return err
	}
	if err := r.pulse(ctx, r.l.PWRKey, r.t.PowerOnPulse); err != nil {
		return err
	}
	return r.waitStatus(ctx, true, r.t.PowerOnTimeout)
}

// PowerOff implements Radio.
func (r *GPIO) PowerOff(ctx context.Context) error {
	ctx, release, err := r.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	r.mu.Lock()
	s := r.state
	r.mu.Unlock()
	switch s {
	case Off:
		return nil
	case Failed:
		if err := set(r.l.VBAT, false); err != nil {
			return err
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.enter(Off, nil)
	}
	r.mu.Lock()
	err = r.enter(PoweringDown, nil)
	r.mu.Unlock()
	if err != nil {
		return err
	}

	err = r.pulse(ctx, r.l.PWRKey, r.t.PowerOffPulse)
	if err == nil {
		err = r.waitStatus(ctx, false, r.t.PowerOffTimeout)
	}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		err = r.interrupted("power down", err)
	case errors.Is(err, errTimedOut):
		err = fmt.Errorf("%w: %s; VBAT cut", ErrPowerDown, r.stillFor(true, r.t.PowerOffTimeout))
	}
	cut := set(r.l.VBAT, false)
	r.mu.Lock()
	defer r.mu.Unlock()
	if cut != nil {
		err = errors.Join(err, cut)
		return errors.Join(err, r.enter(Failed, err))
	}
	return errors.Join(err, r.enter(Off, err))
}

// Reset implements Radio.
func (r *GPIO) Reset(ctx context.Context) error {
	ctx, release, err := r.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	if s := r.State(); s != On && s != Airplane {
		return fmt.Errorf("%w: reset while %s (power the modem on first)", ErrState, s)
	}
	if err := r.pulse(ctx, r.l.Reset, r.t.ResetPulse); err != nil {
		if ctx.Err() != nil {
			return r.interrupted("reset", err)
		}
		return err
	}
	return nil
}

// SetAirplane implements Radio.
func (r *GPIO) SetAirplane(ctx context.Context, on bool) error {
	_, release, err := r.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := set(r.l.WDisable, on); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.airplane = on
	if s := r.state; s == On || s == Airplane {
		return r.enter(r.poweredState(), nil)
	}
	return nil
}

// State implements Radio.
func (r *GPIO) State() State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// Airplane reports whether W_DISABLE is asserted.
func (r *GPIO) Airplane() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.airplane
}

// Powered implements Radio.
func (r *GPIO) Powered() (bool, error) {
	on, err := r.l.Status.Active()
	if err != nil {
		return false, fmt.Errorf("%w: read %s: %w", ErrLine, r.l.Status.Name(), err)
	}
	return on, nil
}

// Ringing reads RI: true while it is asserted.
func (r *GPIO) Ringing() (bool, error) {
	if r.l.RI == nil {
		return false, fmt.Errorf("%w: RI", ErrNoLine)
	}
	on, err := r.l.RI.Active()
	if err != nil {
		return false, fmt.Errorf("%w: read %s: %w", ErrLine, r.l.RI.Name(), err)
	}
	return on, nil
}

// Changes implements Radio.
func (r *GPIO) Changes() <-chan Change { return r.changes }

// Done implements Radio.
func (r *GPIO) Done() <-chan struct{} { return r.done }

// Err implements Radio.
func (r *GPIO) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	return nil
}

// Close implements Radio.
func (r *GPIO) Close() error {
	r.once.Do(func() {
		r.stop()
		r.ops <- struct{}{} // the operation in progress has ended
		r.mu.Lock()
		r.closed = true
		close(r.changes)
		close(r.done)
		r.mu.Unlock()
	})
	return nil
}

var _ Radio = (*GPIO)(nil)
