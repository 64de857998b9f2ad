// Package flightmodetest holds a fake flightmode.Switch for the tests of
// code that reacts to a flight-mode switch (phoned). The test flips it;
// flipping it to where it already is, or using it after Close, fails the
// test, as a two-position switch cannot do either.
package flightmodetest

import (
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/flightmode"
)

// Switch is a fake flight-mode switch.
type Switch struct {
	tb     testing.TB
	clk    flightmode.Clock
	mu     sync.Mutex
	pos    flightmode.Position
	closed bool
	err    error
	events chan flightmode.Event
	done   chan struct{}
}

// New returns a switch at initial. Events carry clk's time (nil: the
// wall clock's).
func New(tb testing.TB, initial flightmode.Position, clk flightmode.Clock) *Switch {
	return &Switch{tb: tb, clk: clk, pos: initial,
		events: make(chan flightmode.Event, flightmode.EventBuffer), done: make(chan struct{})}
}

func (s *Switch) now() time.Time {
	if s.clk == nil {
		return time.Now()
	}
	return s.clk.Now()
}

// Flip moves the switch to p and sends the event at once, as a debounced
// switch would once settled.
func (s *Switch) Flip(p flightmode.Position) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		s.tb.Errorf("flightmodetest: Flip(%v) after the code closed the switch", p)
		return
	case s.err != nil:
		s.tb.Errorf("flightmodetest: Flip(%v) after Fail", p)
		return
	case p == s.pos:
		s.tb.Errorf("flightmodetest: Flip(%v): the switch is already %v", p, p)
		return
	}
	s.pos = p
	select {
	case s.events <- flightmode.Event{Position: p, At: s.now()}:
	default:
		s.tb.Errorf("flightmodetest: %d events not read; the code under test is not reading the switch", flightmode.EventBuffer)
	}
}

// Fail stops the switch as a failed line would: Done closes and Err
// returns err.
func (s *Switch) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil && !s.closed {
		s.err = err
		close(s.done)
	}
}

// Closed reports whether the code closed the switch.
func (s *Switch) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Position implements flightmode.Switch.
func (s *Switch) Position() flightmode.Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// Events implements flightmode.Switch.
func (s *Switch) Events() <-chan flightmode.Event { return s.events }

// Done implements flightmode.Switch.
func (s *Switch) Done() <-chan struct{} { return s.done }

// Err implements flightmode.Switch.
func (s *Switch) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return flightmode.ErrClosed
	}
	return nil
}

// Close implements flightmode.Switch.
func (s *Switch) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.events)
		if s.err == nil {
			close(s.done)
		}
	}
	return nil
}

var _ flightmode.Switch = (*Switch)(nil)
