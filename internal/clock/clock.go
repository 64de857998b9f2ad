// Package clock lets code with timers run on the wall clock in production
// and on a fake, manually advanced clock in tests.
//
// Only the two operations timer-driven code needs are offered: reading the
// time and scheduling a function. A Fake runs due functions synchronously
// inside Advance, in deadline order, so a test decides exactly when a
// retransmission or refresh happens and never sleeps.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock is the source of time and timers. The public libraries (iax,
// telephony/bus, telephony/media, drivers/audio) each declare a Clock
// interface with the same two methods, so Real and *Fake satisfy all of
// them and a third party can hand them its own clock.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine (Real) or inside Advance
	// (Fake) once d has elapsed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call: Stop prevents the call and reports
// whether the timer was pending. It is an alias of an unnamed interface
// type, and every library's Timer is the same alias; that type identity
// is what lets one clock satisfy every library's Clock without the
// libraries importing this package or each other.
type Timer = interface{ Stop() bool }

// Real returns the wall clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}

// Fake is a manually advanced clock. The zero value is not usable; call
// NewFake.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers []*fakeTimer
}

// NewFake returns a fake clock that reads start until advanced.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

type fakeTimer struct {
	c    *Fake
	at   time.Time
	seq  uint64
	f    func()
	done bool
}

// Now returns the fake time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d.
func (c *Fake) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	t.c.remove(t)
	return true
}

func (c *Fake) remove(t *fakeTimer) {
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return
		}
	}
}

// Advance moves the clock forward by d, running every function that falls
// due, in deadline order, with the clock set to its deadline while it runs.
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		sort.Slice(c.timers, func(i, j int) bool {
			if c.timers[i].at.Equal(c.timers[j].at) {
				return c.timers[i].seq < c.timers[j].seq
			}
			return c.timers[i].at.Before(c.timers[j].at)
		})
		if len(c.timers) == 0 || c.timers[0].at.After(end) {
			c.now = end
			c.mu.Unlock()
			return
		}
		t := c.timers[0]
		c.timers = c.timers[1:]
		t.done = true
		if t.at.After(c.now) {
			c.now = t.at
		}
		c.mu.Unlock()
		t.f()
	}
}

// Pending returns how many timers are scheduled.
func (c *Fake) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Next returns the deadline of the earliest pending timer.
func (c *Fake) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	min := c.timers[0].at
	for _, t := range c.timers[1:] {
		if t.at.Before(min) {
			min = t.at
		}
	}
	return min, true
}
