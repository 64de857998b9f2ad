package bus_test

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony/bus"
)

// Ringo's own clocks are bus Clocks, with no conversion.
var (
	_ bus.Clock = (*clock.Fake)(nil)
	_ bus.Clock = clock.Real()
)

// handClock is the kind of fake a user of the package writes: it hands
// every timer to the test, which fires it when it chooses.
type handClock struct{ timers chan handTimer }

type handTimer struct {
	d       time.Duration
	f       func()
	stopped *atomic.Bool
}

func (handClock) Now() time.Time { return time.Unix(0, 0) }

func (c handClock) AfterFunc(d time.Duration, f func()) bus.Timer {
	t := handTimer{d: d, f: f, stopped: new(atomic.Bool)}
	c.timers <- t
	return t
}

func (t handTimer) Stop() bool { return !t.stopped.Swap(true) }

// A clock written outside Ringo drives the handshake timeout: firing the
// timer of a connection that never said hello closes it.
func TestServerRunsOnACallersClock(t *testing.T) {
	clk := handClock{timers: make(chan handTimer, 1)}
	dir, err := os.MkdirTemp("", "ringo-bus")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv, err := bus.Listen(bus.SocketPath(dir), bus.ServerOptions{Clock: clk, HandshakeTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	silent, err := net.Dial("unix", bus.SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var timer handTimer
	select {
	case timer = <-clk.timers:
	case <-time.After(10 * time.Second):
		t.Fatal("the server armed no handshake timer on the given clock")
	}
	if timer.d != 3*time.Second {
		t.Errorf("handshake timer = %v, want 3s", timer.d)
	}
	if timer.Stop() {
		timer.f()
	}
	silent.SetReadDeadline(time.Now().Add(10 * time.Second)) // bounds a broken test only
	if _, err := bus.ReadFrame(silent, nil, bus.MaxMessageSize); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("reading the silent connection after its handshake timer fired = %v, want it closed", err)
	}
}
