package gpiolinetest

import (
	"testing"
	"time"
)

// TimerClock is the clock shape Ringo's drivers take.
type TimerClock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call (the same alias as the drivers').
type Timer = interface{ Stop() bool }

// Wait is how long Next waits for the code under test to start a timer
// before it fails the test: a bound for a broken test, not a delay.
const Wait = 10 * time.Second

// Timers wraps a clock (a fake one, in tests) and reports each timer
// started through it, so that a test advances the fake clock only once
// the code under test waits on it.
type Timers struct {
	c       TimerClock
	started chan time.Duration
}

// NewTimers wraps c.
func NewTimers(c TimerClock) *Timers {
	return &Timers{c: c, started: make(chan time.Duration, 1024)}
}

// Now implements the drivers' Clock.
func (t *Timers) Now() time.Time { return t.c.Now() }

// AfterFunc starts the timer on the wrapped clock and reports its
// duration.
func (t *Timers) AfterFunc(d time.Duration, f func()) Timer {
	tm := t.c.AfterFunc(d, f)
	select {
	case t.started <- d:
	default:
		panic("gpiolinetest: more than 1024 timers started and none taken by the test")
	}
	return tm
}

// Next waits for the next timer the code starts and returns its
// duration.
func (t *Timers) Next(tb testing.TB) time.Duration {
	tb.Helper()
	select {
	case d := <-t.started:
		return d
	case <-time.After(Wait):
		tb.Fatalf("gpiolinetest: no timer started within %v", Wait)
		return 0
	}
}

// Expect waits for the next timer and fails the test unless it lasts d.
func (t *Timers) Expect(tb testing.TB, d time.Duration) {
	tb.Helper()
	if got := t.Next(tb); got != d {
		tb.Fatalf("gpiolinetest: timer started for %v, want %v", got, d)
	}
}

// None fails the test if a timer was started and not taken.
func (t *Timers) None(tb testing.TB) {
	tb.Helper()
	select {
	case d := <-t.started:
		tb.Errorf("gpiolinetest: a timer of %v was started, want none", d)
	default:
	}
}
