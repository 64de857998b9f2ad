// Package keypadtest is a fake keypad.Keypad for other packages' tests
// (phoned's dialer): the test presses keys, the code under test reads
// Events. It is strict: sending on a closed keypad, or to one whose
// events nobody reads, fails the test, and so does a keypad never
// closed.
package keypadtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/keypad"
)

// Buffered is how many events may wait unread before Send fails the
// test.
const Buffered = 64

// Keypad is the fake. Make it with New.
type Keypad struct {
	t testing.TB
	// Now stamps the events; nil leaves Time zero. Set it before the
	// first Send.
	Now func() time.Time

	mu     sync.Mutex
	events chan keypad.Event
	device string
	closed bool
}

var _ keypad.Keypad = (*Keypad)(nil)

// New returns a fake keypad on device whose first event, already
// waiting, is Connected. The test fails if it is never closed.
func New(t testing.TB, device string) *Keypad {
	k := &Keypad{t: t, events: make(chan keypad.Event, Buffered), device: device}
	k.events <- keypad.Event{Kind: keypad.Connected, Device: device}
	t.Cleanup(func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if !k.closed {
			t.Errorf("keypadtest: the keypad on %s was never closed", k.device)
		}
	})
	return k
}

// Send delivers e as the next event.
func (k *Keypad) Send(e keypad.Event) {
	k.t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		k.t.Errorf("keypadtest: %s sent after Close", e)
		return
	}
	if k.Now != nil {
		e.Time = k.Now()
	}
	select {
	case k.events <- e:
	default:
		k.t.Errorf("keypadtest: %s not delivered: %d events wait unread (is anything reading Events?)", e, Buffered)
	}
}

// Press sends one Digit event per character of digits: 0-9, *, # and +
// (which a real keypad sends for a long press of 0).
func (k *Keypad) Press(digits string) {
	k.t.Helper()
	for _, r := range digits {
		if !(r >= '0' && r <= '9' || r == '*' || r == '#' || r == '+') {
			k.t.Errorf("keypadtest: Press(%q): %q is no keypad digit (0-9, *, #, +)", digits, r)
			return
		}
		k.Send(keypad.Event{Kind: keypad.Digit, Digit: r})
	}
}

// Key sends an event of kind: keypad.Send, End, VolumeUp, VolumeDown or
// Power.
func (k *Keypad) Key(kind keypad.Kind) {
	k.t.Helper()
	switch kind {
	case keypad.Send, keypad.End, keypad.VolumeUp, keypad.VolumeDown, keypad.Power:
		k.Send(keypad.Event{Kind: kind})
	default:
		k.t.Errorf("keypadtest: Key(%s): use Press for digits, Unplug and Replug for the device", kind)
	}
}

// Unplug reports the device gone with err; Device is "" until Replug.
func (k *Keypad) Unplug(err error) {
	k.t.Helper()
	k.mu.Lock()
	dev := k.device
	k.device = ""
	k.mu.Unlock()
	k.Send(keypad.Event{Kind: keypad.Disconnected, Device: dev, Err: err})
}

// Replug reports the device back at path.
func (k *Keypad) Replug(path string) {
	k.t.Helper()
	k.mu.Lock()
	k.device = path
	k.mu.Unlock()
	k.Send(keypad.Event{Kind: keypad.Connected, Device: path})
}

// Pending is how many events wait unread.
func (k *Keypad) Pending() int { return len(k.events) }

// Events implements keypad.Keypad.
func (k *Keypad) Events() <-chan keypad.Event { return k.events }

// Device implements keypad.Keypad.
func (k *Keypad) Device() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.device
}

// Close implements keypad.Keypad: Events is closed (after the events
// still waiting). It is idempotent.
func (k *Keypad) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.closed {
		k.closed = true
		close(k.events)
	}
	return nil
}

// String names the fake and its device.
func (k *Keypad) String() string { return fmt.Sprintf("keypadtest on %q", k.Device()) }
