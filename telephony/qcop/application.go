package qcop

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/ringo-phone/ringo/telephony/bus"
)

// Application is a program's side of service messaging, after
// QtopiaApplication: it listens on QPE/Application/<program>, hands each
// message to the handler registered for its name, and keeps the program
// alive while it holds a running task.
type Application struct {
	c       *bus.Client
	program string
	log     *slog.Logger

	mu       sync.Mutex
	handlers map[string]func(Message)
	tasks    map[string]struct{}
	handled  bool // at least one message was handled
	idle     chan struct{}
}

// NewApplication prepares the application channel of program on c. Add
// handlers with Handle, then call Run.
func NewApplication(c *bus.Client, program string, log *slog.Logger) *Application {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Application{
		c:        c,
		program:  program,
		log:      log.With("category", "qcop", "program", program),
		handlers: make(map[string]func(Message)),
		tasks:    make(map[string]struct{}),
		idle:     make(chan struct{}, 1),
	}
}

// Channel returns the application channel, QPE/Application/<program>.
func (a *Application) Channel() string { return ApplicationChannel(a.program) }

// Handle registers fn for messages named name (e.g. TelephonyStart).
// Handlers run on the bus client's dispatch goroutine, one at a time.
func (a *Application) Handle(name string, fn func(Message)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.handlers[name] = fn
}

// HandleTelephony registers the Telephony service's start() and stop().
func (a *Application) HandleTelephony(start, stop func()) {
	a.Handle(TelephonyStart, func(Message) { start() })
	a.Handle(TelephonyStop, func(Message) { stop() })
}

// RegisterRunningTask keeps the program running until the task named name
// is unregistered. Registering a name twice holds it once.
func (a *Application) RegisterRunningTask(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tasks[name] = struct{}{}
	a.log.Debug("running task registered", "task", name)
}

// UnregisterRunningTask releases the task; when it was the last one, Run
// returns nil.
func (a *Application) UnregisterRunningTask(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.tasks[name]; !ok {
		return
	}
	delete(a.tasks, name)
	a.log.Debug("running task released", "task", name)
	if len(a.tasks) == 0 {
		a.signalIdleLocked()
	}
}

// RunningTasks returns the names of the held tasks, sorted.
func (a *Application) RunningTasks() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	names := make([]string, 0, len(a.tasks))
	for n := range a.tasks {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (a *Application) signalIdleLocked() {
	select {
	case a.idle <- struct{}{}:
	default:
	}
}

// Run listens on the application channel and serves messages until the
// program has nothing left to do:
//
//   - nil when the last running task is released, or when a message was
//     handled and no task is held afterwards (the program exits 0; phoned
//     reports a program that does this right after Telephony::start as
//     holding no running task);
//   - ctx.Err() when ctx ends;
//   - the bus error when the connection to phoned is lost.
func (a *Application) Run(ctx context.Context) error {
	l, err := a.c.Listen(ctx, a.Channel(), a.dispatch)
	if err != nil {
		return fmt.Errorf("qcop: listen on %s: %w", a.Channel(), err)
	}
	defer l.Close()
	a.log.Debug("application running")
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-a.c.Done():
			return a.c.Err()
		case <-a.idle:
			a.mu.Lock()
			done := a.handled && len(a.tasks) == 0
			a.mu.Unlock()
			if done {
				a.log.Debug("last running task released")
				return nil
			}
		}
	}
}

func (a *Application) dispatch(d bus.Delivery) {
	m := FromDelivery(d)
	a.mu.Lock()
	fn := a.handlers[m.Name]
	a.mu.Unlock()
	if fn == nil {
		a.log.Warn("no handler for message", "message", m.Name)
	} else {
		a.log.Debug("message", "message", m.Name)
		fn(m)
	}
	a.mu.Lock()
	a.handled = true
	if len(a.tasks) == 0 {
		a.signalIdleLocked()
	}
	a.mu.Unlock()
}
