// Package codectest is a fake codec.Codec for other packages' tests: it
// records every call, keeps the state a real codec would be in, refuses
// what a real one refuses (a bad route or volume, a cancelled context)
// and fails on demand.
package codectest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/ringo-phone/ringo/drivers/codec"
)

// Op names a Codec method.
type Op string

// The Codec methods.
const (
	PowerUp     Op = "PowerUp"
	PowerDown   Op = "PowerDown"
	Route       Op = "Route"
	SetMicMuted Op = "SetMicMuted"
	SetVolume   Op = "SetVolume"
)

// Call is one method call with its argument (the field its Op uses).
type Call struct {
	Op     Op
	Route  codec.Route
	Muted  bool
	Volume int
}

// String reads like the call: "Route(earpiece)", "SetVolume(60)".
func (c Call) String() string {
	switch c.Op {
	case Route:
		return fmt.Sprintf("Route(%s)", c.Route)
	case SetMicMuted:
		return fmt.Sprintf("SetMicMuted(%t)", c.Muted)
	case SetVolume:
		return fmt.Sprintf("SetVolume(%d)", c.Volume)
	}
	return string(c.Op) + "()"
}

// State is what a real codec would be doing after the calls so far.
type State struct {
	Powered  bool
	Route    codec.Route
	MicMuted bool
	Volume   int
}

// Codec is the fake. The zero value is not ready; use New. It is safe
// for concurrent use.
type Codec struct {
	mu    sync.Mutex
	calls []Call
	state State
	fail  map[Op]error
}

var _ codec.Codec = (*Codec)(nil)

// New returns a powered-down fake in a real codec's starting state: route
// off, microphone muted, codec.DefaultVolume.
func New() *Codec {
	return &Codec{state: State{MicMuted: true, Volume: codec.DefaultVolume}, fail: map[Op]error{}}
}

// FailNext makes the next call of op return err (recorded, state
// unchanged).
func (c *Codec) FailNext(op Op, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail[op] = err
}

// Calls returns every call so far, failed ones included.
func (c *Codec) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Take returns the calls since the last Take and forgets them, so a
// test can check one step at a time.
func (c *Codec) Take() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}

// Joined returns calls as one string, "PowerUp() Route(earpiece)", for
// failure messages and comparisons.
func Joined(calls []Call) string {
	s := make([]string, len(calls))
	for i, c := range calls {
		s[i] = c.String()
	}
	return strings.Join(s, " ")
}

// State returns the state a real codec would be in.
func (c *Codec) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// do records call and, unless the context is done, the argument bad or
// a failure armed, applies it to the state.
func (c *Codec) do(ctx context.Context, call Call, check error, apply func(*State)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
	if check != nil {
		return check
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("codectest: %s: %w", call, err)
	}
	if err, ok := c.fail[call.Op]; ok {
		delete(c.fail, call.Op)
		return err
	}
	apply(&c.state)
	return nil
}

// PowerUp implements codec.Codec.
func (c *Codec) PowerUp(ctx context.Context) error {
	return c.do(ctx, Call{Op: PowerUp}, nil, func(s *State) { s.Powered = true })
}

// PowerDown implements codec.Codec.
func (c *Codec) PowerDown(ctx context.Context) error {
	return c.do(ctx, Call{Op: PowerDown}, nil, func(s *State) { s.Powered = false })
}

// Route implements codec.Codec.
func (c *Codec) Route(ctx context.Context, r codec.Route) error {
	return c.do(ctx, Call{Op: Route, Route: r}, r.Check(), func(s *State) { s.Route = r })
}

// SetMicMuted implements codec.Codec.
func (c *Codec) SetMicMuted(ctx context.Context, muted bool) error {
	return c.do(ctx, Call{Op: SetMicMuted, Muted: muted}, nil, func(s *State) { s.MicMuted = muted })
}

// SetVolume implements codec.Codec.
func (c *Codec) SetVolume(ctx context.Context, v int) error {
	return c.do(ctx, Call{Op: SetVolume, Volume: v}, codec.CheckVolume(v), func(s *State) { s.Volume = v })
}
