// Package telservice runs an agent program's telephony service the way
// phoned asks for it: from the Telephony::start service message to
// Telephony::stop, with the program's running task registered meanwhile.
// iaxagent and modemagent share it.
package telservice

import (
	"context"
	"errors"
	"sync"

	"github.com/ringo-phone/ringo/telephony/qcop"
)

// Service says how to bring one service up and down.
type Service[T any] struct {
	// Task is the running task registered while the service runs.
	Task string
	// Start brings the service up on Telephony::start. Its error is
	// given to Failed, and the program waits for the next start.
	Start  func(context.Context) (T, error)
	Failed func(error)
	// Stop takes a started service down (on Telephony::stop, or when the
	// program ends); it bounds its own time.
	Stop func(T)
}

// Run handles Telephony::start and ::stop on app and runs app until ctx
// ends (a clean stop: nil) or the bus goes; then it stops the service if
// it runs.
func Run[T any](ctx context.Context, app *qcop.Application, s Service[T]) error {
	var sl slot[T]
	app.HandleTelephony(func() {
		if !sl.claim() {
			return
		}
		app.RegisterRunningTask(s.Task)
		v, err := s.Start(ctx)
		if err != nil {
			s.Failed(err)
			sl.release(v, false)
			app.UnregisterRunningTask(s.Task)
			return
		}
		if !sl.release(v, true) {
			s.Stop(v) // app.Run has returned meanwhile
		}
	}, func() {
		if v, ok := sl.empty(false); ok {
			s.Stop(v)
			app.UnregisterRunningTask(s.Task)
		}
	})
	err := app.Run(ctx)
	if v, ok := sl.empty(true); ok {
		s.Stop(v)
	}
	if errors.Is(err, context.Canceled) {
		return nil // SIGTERM or SIGINT: a clean stop
	}
	return err
}

// slot holds the service from Telephony::start to Telephony::stop. The bus
// runs the two handlers one at a time; the mutex orders them with the end
// of app.Run, and is never held across I/O.
type slot[T any] struct {
	mu       sync.Mutex
	v        T
	running  bool
	starting bool
	done     bool // app.Run has returned: nothing may start any more
}

// claim reserves the slot for a start; false when a service runs or is
// starting, or the program ends.
func (s *slot[T]) claim() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running || s.starting || s.done {
		return false
	}
	s.starting = true
	return true
}

// release ends a start, with its service when ok; false means the program
// is ending and the caller stops v.
func (s *slot[T]) release(v T, ok bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starting = false
	if s.done || !ok {
		return false
	}
	s.v, s.running = v, true
	return true
}

// empty takes the running service out for the caller to stop; final also
// ends the program's service.
func (s *slot[T]) empty(final bool) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.v, s.running
	var zero T
	s.v, s.running = zero, false
	s.done = s.done || final
	return v, ok
}
