package flightmode

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/drivers/gpioline"
)

// DefaultDebounce is the debounce time of a board that gives none.
const DefaultDebounce = 20 * time.Millisecond

// Config is how a GPIO switch is debounced.
type Config struct {
	// Debounce is how long the line must stay put after an edge for the
	// position to count; 0 means DefaultDebounce.
	Debounce time.Duration
	// Clock times the debounce; nil is the wall clock.
	Clock Clock
}

// GPIO is a switch on a GPIO input. The line belongs to the caller (the
// board), who closes it after the switch.
type GPIO struct {
	line     gpioline.Input
	debounce time.Duration
	clk      Clock
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the reader and any debounce timer due
	done     chan struct{}
	once     sync.Once

	mu     sync.Mutex
	pos    Position
	gen    uint64 // counts edges; a timer acts only for the latest
	timer  Timer
	closed bool
	err    error
	events chan Event
}

// Open reads the switch's position and starts watching its line.
func Open(line gpioline.Input, cfg Config) (*GPIO, error) {
	d := cfg.Debounce
	if d == 0 {
		d = DefaultDebounce
	}
	if d < 0 {
		return nil, fmt.Errorf("%w: debounce %v (give a positive time, e.g. 20ms)", ErrBadConfig, d)
	}
	active, err := line.Active()
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrLine, line.Name(), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &GPIO{line: line, debounce: d, clk: orWall(cfg.Clock), cancel: cancel,
		done: make(chan struct{}), pos: position(active), events: make(chan Event, EventBuffer)}
	s.wg.Add(1)
	go s.read(ctx)
	return s, nil
}

// read waits for edges until ctx ends or the line fails.
func (s *GPIO) read(ctx context.Context) {
	defer s.wg.Done()
	defer close(s.done)
	for {
		err := s.line.WaitEdge(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.fail(fmt.Errorf("%w: wait for an edge on %s: %w", ErrLine, s.line.Name(), err))
			return
		}
		s.edge()
	}
}

// edge restarts the debounce timer.
func (s *GPIO) edge() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.gen++
	if s.timer != nil && s.timer.Stop() {
		s.wg.Done()
	}
	gen := s.gen
	s.wg.Add(1)
	s.timer = s.clk.AfterFunc(s.debounce, func() {
		defer s.wg.Done()
		s.settle(gen)
	})
}

// settle reads the line once it has been still for the debounce time.
func (s *GPIO) settle(gen uint64) {
	active, err := s.line.Active()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || gen != s.gen {
		return
	}
	s.timer = nil
	if err != nil {
		s.failLocked(fmt.Errorf("%w: read %s: %w", ErrLine, s.line.Name(), err))
		return
	}
	if p := position(active); p != s.pos {
		s.pos = p
		send(s.events, Event{Position: p, At: s.clk.Now()})
	}
}

func (s *GPIO) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLocked(err)
}

func (s *GPIO) failLocked(err error) {
	if s.err == nil {
		s.err = err
	}
	s.cancel()
}

// Position implements Switch.
func (s *GPIO) Position() Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// Events implements Switch.
func (s *GPIO) Events() <-chan Event { return s.events }

// Done implements Switch.
func (s *GPIO) Done() <-chan struct{} { return s.done }

// Err implements Switch.
func (s *GPIO) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return ErrClosed
	}
	return nil
}

// Close implements Switch: it stops the reader and any pending debounce
// and waits for them, then closes Events.
func (s *GPIO) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		if s.timer != nil && s.timer.Stop() {
			s.wg.Done()
		}
		s.timer = nil
		s.mu.Unlock()
		s.cancel()
		s.wg.Wait()
		s.mu.Lock()
		close(s.events)
		s.mu.Unlock()
	})
	return nil
}

var _ Switch = (*GPIO)(nil)
