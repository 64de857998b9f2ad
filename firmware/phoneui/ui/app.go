package ui

import (
	"context"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Phone is what the call screen asks of the phone: phoned's dial decision
// and the call requests to a call's service.
type Phone interface {
	Dial(ctx context.Context, number, callType string) (phoneapi.DialResult, error)
	Accept(ctx context.Context, service, id string) error
	Hangup(ctx context.Context, service, id string) error
	Hold(ctx context.Context, service, id string) error
	Activate(ctx context.Context, service, id string) error
	Tone(ctx context.Context, service, id, tones string) error
	Transfer(ctx context.Context, service, id, number string) error
}

// Options configure an App.
type Options struct {
	// Screen is the terminal, initialized; Run reads its events.
	Screen tcell.Screen
	// Phone takes the requests.
	Phone Phone
	// Clock drives the time in the status bar and call durations
	// (clock.Real() when nil).
	Clock clock.Clock
	// Location is the time zone of the times shown (time.Local when nil).
	Location *time.Location
	// RequestTimeout bounds one request (10s when zero).
	RequestTimeout time.Duration
	// Console says that phoneui is the console's screen, started by
	// uinit: ^C ends it all the same, and uinit then gives the console to
	// the shell, so the key rows say "^C shell".
	Console bool
	// OnFrame, when set, is called on the loop with each frame sent to
	// the screen (tests wait on it).
	OnFrame func(lines []string)
}

// App is the call screen: one loop that owns the screen and the state.
type App struct {
	o Options

	mu    sync.Mutex
	queue []any
	wake  chan struct{}

	reqs chan func(context.Context) any

	// Owned by the loop.
	st      *state
	ph      *phone
	last    frame
	painted bool
	tickAt  time.Time
	timer   clock.Timer
}

// Events on the loop.
type (
	batchEvent struct{ b vs.Batch }
	// linkEvent reports the bus link: up (the state is about to be sent
	// anew) or down with the reason.
	linkEvent struct {
		up  bool
		err error
	}
	tickEvent struct{}
)

// New returns an App; Run shows it.
func New(o Options) *App {
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 10 * time.Second
	}
	a := &App{o: o, wake: make(chan struct{}, 1), reqs: make(chan func(context.Context) any, 64),
		st: newState(), ph: newPhone()}
	if o.Console {
		a.st.quit = "^C shell"
	}
	return a
}

// Batch hands the App a value-space batch (from a subscription to one of
// Prefixes). It does not block.
func (a *App) Batch(b vs.Batch) { a.post(batchEvent{b}) }

// LinkUp tells the App that the bus is connected and that the value space
// follows in initial batches: what it showed before is dropped.
func (a *App) LinkUp() { a.post(linkEvent{up: true}) }

// LinkDown tells the App that the bus is gone, and why.
func (a *App) LinkDown(err error) { a.post(linkEvent{err: err}) }

func (a *App) post(ev any) {
	a.mu.Lock()
	a.queue = append(a.queue, ev)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *App) drain() []any {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.queue
	a.queue = nil
	return q
}

// Run shows the call screen until ctx ends or the person quits (^C). The
// screen must be initialized; the caller finalizes it after Run.
func (a *App) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // requests, one at a time, in order
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case do := <-a.reqs:
				rctx, rcancel := context.WithTimeout(ctx, a.o.RequestTimeout)
				res := do(rctx)
				rcancel()
				a.post(res)
			}
		}
	}()
	events, quit := make(chan tcell.Event, 16), make(chan struct{})
	wg.Add(1)
	go func() { // the terminal's keys, until quit
		defer wg.Done()
		a.o.Screen.ChannelEvents(events, quit)
	}()
	defer func() {
		if a.timer != nil {
			a.timer.Stop()
		}
		cancel()
		close(quit)
		wg.Wait()
	}()
	a.paint()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok { // the screen was finalized
				return nil
			}
			if a.terminal(ev) {
				return nil
			}
		case <-a.wake:
		}
		for _, ev := range a.drain() {
			if a.handle(ev) {
				return nil
			}
		}
		a.paint()
	}
}

// terminal applies an event from the terminal; it reports whether the
// person quit.
func (a *App) terminal(ev tcell.Event) bool {
	switch ev := ev.(type) {
	case *tcell.EventKey:
		return a.key(ev)
	case *tcell.EventResize:
		a.painted = false
	}
	return false
}

// handle applies one event; it reports whether the person quit.
func (a *App) handle(ev any) (quit bool) {
	switch ev := ev.(type) {
	case batchEvent:
		a.batch(ev.b)
	case linkEvent:
		a.st.linkUp, a.st.linkErr = ev.up, ev.err
		if ev.up {
			a.ph = newPhone()
			a.st.resetCalls()
		}
	case resultEvent:
		a.result(ev)
	case tickEvent:
		a.tickAt = time.Time{}
	}
	return false
}

// request queues a request for the worker; a full queue drops it with
// a message rather than block the loop.
func (a *App) request(do func(context.Context) any) {
	select {
	case a.reqs <- do:
	default:
		a.st.say(msgError, "Too many requests are waiting for phoned; press the key again when it answers.")
	}
}

// paint schedules the next tick, renders the screen and sends the
// terminal what changed.
func (a *App) paint() {
	now := a.o.Clock.Now()
	w, h := a.o.Screen.Size()
	f := render(a.st, a.ph, now.In(a.o.Location), w, h)
	a.schedule(now)
	if !a.painted || !f.equal(a.last) {
		draw(a.o.Screen, f)
		a.last, a.painted = f, true
		if a.o.OnFrame != nil {
			a.o.OnFrame(f.lines())
		}
	}
}

// schedule arms the clock for the next moment the screen would change by
// itself: the next second of a shown duration, else the next minute.
func (a *App) schedule(now time.Time) {
	next := nextChange(a.st, a.ph, now.In(a.o.Location))
	if next.Equal(a.tickAt) {
		return
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	a.tickAt = next
	a.timer = a.o.Clock.AfterFunc(next.Sub(now), func() { a.post(tickEvent{}) })
}

// nextChange is when the screen changes next without an event: the next
// whole second of a duration on screen, or the next minute of the clock.
func nextChange(st *state, p *phone, now time.Time) time.Time {
	next := now.Truncate(time.Minute).Add(time.Minute)
	if st.screen != screenCalls {
		return next
	}
	for _, c := range p.liveCalls() {
		d, ok := c.duration(now)
		if !ok {
			continue
		}
		at := c.connected.Add(d.Truncate(time.Second) + time.Second)
		if at.Before(next) {
			next = at
		}
	}
	return next
}
