package audio

import (
	"context"
	"sync"
	"sync/atomic"
)

// NullSource is a microphone that hears silence forever.
type NullSource struct {
	closeOnce sync.Once
	closed    chan struct{}
	mu        sync.Mutex
	pace      pacer
}

// NewNullSource returns a silent source, paced by clk (nil: unpaced).
func NewNullSource(clk Clock) *NullSource {
	return &NullSource{closed: make(chan struct{}), pace: pacer{clk: clk, lead: 1}}
}

// ReadFrame writes a silent frame.
func (s *NullSource) ReadFrame(ctx context.Context, f *Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.pace.wait(ctx, s.closed); err != nil {
		return err
	}
	*f = Frame{}
	return nil
}

// PaceByCaller stops the source waiting for its clock (CallerPaced).
func (s *NullSource) PaceByCaller() {
	s.mu.Lock()
	s.pace.clk = nil
	s.mu.Unlock()
}

// Close ends the source; it is idempotent.
func (s *NullSource) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}

// NullSink is a speaker that discards what it is given.
type NullSink struct {
	closeOnce sync.Once
	closed    chan struct{}
	mu        sync.Mutex
	pace      pacer
	frames    atomic.Int64
}

// NewNullSink returns a discarding sink, paced by clk (nil: unpaced).
func NewNullSink(clk Clock) *NullSink {
	return &NullSink{closed: make(chan struct{}), pace: pacer{clk: clk}}
}

// WriteFrame discards f.
func (s *NullSink) WriteFrame(ctx context.Context, f *Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.pace.wait(ctx, s.closed); err != nil {
		return err
	}
	s.frames.Add(1)
	return nil
}

// PaceByCaller stops the sink waiting for its clock (CallerPaced).
func (s *NullSink) PaceByCaller() {
	s.mu.Lock()
	s.pace.clk = nil
	s.mu.Unlock()
}

// Frames returns how many frames were discarded.
func (s *NullSink) Frames() int64 { return s.frames.Load() }

// Close ends the sink; it is idempotent.
func (s *NullSink) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}
