package flightmode

import "sync"

// Software is the switch of a board without a readable one: phoned sets
// it. It behaves as a Switch like the GPIO one, without the debounce.
type Software struct {
	clk    Clock
	mu     sync.Mutex
	pos    Position
	closed bool
	events chan Event
	done   chan struct{}
}

// NewSoftware returns a software switch at initial; a nil clock is the
// wall clock (events carry its time).
func NewSoftware(initial Position, clk Clock) *Software {
	return &Software{clk: orWall(clk), pos: initial,
		events: make(chan Event, EventBuffer), done: make(chan struct{})}
}

// Set moves the switch. Setting it where it is sends no event.
func (s *Software) Set(p Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if p == s.pos {
		return nil
	}
	s.pos = p
	send(s.events, Event{Position: p, At: s.clk.Now()})
	return nil
}

// Position implements Switch.
func (s *Software) Position() Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// Events implements Switch.
func (s *Software) Events() <-chan Event { return s.events }

// Done implements Switch.
func (s *Software) Done() <-chan struct{} { return s.done }

// Err implements Switch.
func (s *Software) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// Close implements Switch.
func (s *Software) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.events)
		close(s.done)
	}
	return nil
}

var _ Switch = (*Software)(nil)
