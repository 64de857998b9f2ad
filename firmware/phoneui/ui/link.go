package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
)

// Retry bounds of the bus link while phoned is away.
const (
	retryMin = 200 * time.Millisecond
	retryMax = 5 * time.Second
)

// link is phoneui's bus connection: it connects, subscribes to the
// prefixes the App shows and feeds it, and connects again with backoff
// when phoned goes away. It is the App's Phone.
type link struct {
	dirs runenv.Dirs
	clk  clock.Clock
	app  *App

	mu sync.Mutex
	c  *bus.Client

	cancel context.CancelFunc
	done   chan struct{}
}

// newLink returns a link for app; start runs it until Close.
func newLink(dirs runenv.Dirs, clk clock.Clock) *link {
	return &link{dirs: dirs, clk: clk, done: make(chan struct{})}
}

func (l *link) start(ctx context.Context, app *App) {
	l.app = app
	ctx, l.cancel = context.WithCancel(ctx)
	go func() {
		defer close(l.done)
		l.run(ctx)
	}()
}

// Close stops the link and waits for it; it is idempotent.
func (l *link) Close() {
	if l.cancel != nil {
		l.cancel()
		<-l.done
	}
}

func (l *link) run(ctx context.Context) {
	wait := retryMin
	for {
		c, err := l.connect(ctx)
		if err == nil {
			wait = retryMin
			select {
			case <-c.Done():
				err = fmt.Errorf("phoned went away: %w", c.Err())
			case <-ctx.Done():
			}
			l.mu.Lock()
			l.c = nil
			l.mu.Unlock()
			c.Close()
		}
		if ctx.Err() != nil {
			return
		}
		l.app.LinkDown(err)
		if !l.sleep(ctx, wait) {
			return
		}
		wait = min(wait*2, retryMax)
	}
}

// connect dials the bus and subscribes; the App learns that the link is
// up before the first initial batch.
func (l *link) connect(ctx context.Context) (*bus.Client, error) {
	c, err := runenv.Dial(ctx, l.dirs, "phoneui")
	if err != nil {
		return nil, err
	}
	l.app.LinkUp()
	for _, p := range Prefixes() {
		if _, err := c.Subscribe(ctx, p, l.app.Batch); err != nil {
			c.Close()
			return nil, fmt.Errorf("subscribe to %s: %w", p, err)
		}
	}
	l.mu.Lock()
	l.c = c
	l.mu.Unlock()
	return c, nil
}

// sleep waits d on the link's clock; false when ctx ended first.
func (l *link) sleep(ctx context.Context, d time.Duration) bool {
	ch := make(chan struct{})
	t := l.clk.AfterFunc(d, func() { close(ch) })
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

func (l *link) client() (*bus.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.c == nil {
		return nil, fmt.Errorf("%w: wait until the status bar shows the services, then try again", ErrNotConnected)
	}
	return l.c, nil
}

func (l *link) manager() (*telephony.Manager, error) {
	c, err := l.client()
	if err != nil {
		return nil, err
	}
	return telephony.NewManager(c), nil
}

// Dial asks phoned to place the call.
func (l *link) Dial(ctx context.Context, number, callType string) (phoneapi.DialResult, error) {
	c, err := l.client()
	if err != nil {
		return phoneapi.DialResult{}, err
	}
	return phoneapi.Dial(ctx, c, number, callType)
}

func (l *link) Accept(ctx context.Context, service, id string) error {
	return l.with(func(m *telephony.Manager) error { return m.Accept(ctx, service, id) })
}

func (l *link) Hangup(ctx context.Context, service, id string) error {
	return l.with(func(m *telephony.Manager) error { return m.Hangup(ctx, service, id, telephony.ScopeCallOnly) })
}

func (l *link) Hold(ctx context.Context, service, id string) error {
	return l.with(func(m *telephony.Manager) error { return m.Hold(ctx, service, id) })
}

func (l *link) Activate(ctx context.Context, service, id string) error {
	return l.with(func(m *telephony.Manager) error { return m.Activate(ctx, service, id, telephony.ScopeCallOnly) })
}

func (l *link) Tone(ctx context.Context, service, id, tones string) error {
	return l.with(func(m *telephony.Manager) error { return m.Tone(ctx, service, id, tones) })
}

func (l *link) Transfer(ctx context.Context, service, id, number string) error {
	return l.with(func(m *telephony.Manager) error { return m.Transfer(ctx, service, id, number) })
}

func (l *link) with(do func(*telephony.Manager) error) error {
	m, err := l.manager()
	if err != nil {
		return err
	}
	return do(m)
}
