package flightmode_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/flightmode"
	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/gpioline/gpiolinetest"
	"github.com/ringo-phone/ringo/internal/clock"
	"periph.io/x/conn/v3/gpio"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

type rig struct {
	clk    *clock.Fake
	timers *gpiolinetest.Timers
	pin    *gpiolinetest.Pin
	line   *gpioline.In
	sw     *flightmode.GPIO
}

// newRig opens a switch on a fake line driven to initial, with the
// board's debounce d (0: the default).
func newRig(t *testing.T, initial gpio.Level, activeLow bool, d time.Duration) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	r := &rig{clk: clk, timers: gpiolinetest.NewTimers(clk)}
	chip := gpiolinetest.NewChip(t, "ringo-board", clk, "FLIGHT_MODE")
	r.pin = chip.Pin("FLIGHT_MODE")
	r.pin.Drive(initial)
	in, err := gpioline.NewChips(chip).OpenInput(gpioline.Spec{Name: "FLIGHT_MODE", ActiveLow: activeLow})
	if err != nil {
		t.Fatal(err)
	}
	r.line = in
	sw, err := flightmode.Open(in, flightmode.Config{Debounce: d, Clock: r.timers})
	if err != nil {
		t.Fatal(err)
	}
	r.sw = sw
	t.Cleanup(func() {
		sw.Close()
		in.Close()
	})
	return r
}

// edge drives the line and waits until the switch has restarted its
// debounce timer for it.
func (r *rig) edge(t *testing.T, l gpio.Level, debounce time.Duration) {
	t.Helper()
	r.pin.Drive(l)
	r.timers.Expect(t, debounce)
}

// events returns the events queued now (the debounce runs inside
// Advance, so whatever it sends is already queued).
func (r *rig) events() []flightmode.Event {
	var out []flightmode.Event
	for {
		select {
		case e := <-r.sw.Events():
			out = append(out, e)
		default:
			return out
		}
	}
}

func TestBouncesEndingHighGiveOneEvent(t *testing.T) {
	r := newRig(t, gpio.Low, false, 0)
	d := flightmode.DefaultDebounce
	// High, then bounces 2, 1, 4 and 3 ms apart, ending high at +10 ms.
	r.edge(t, gpio.High, d)
	for _, b := range []struct {
		gap time.Duration
		l   gpio.Level
	}{{2 * time.Millisecond, gpio.Low}, {time.Millisecond, gpio.High}, {4 * time.Millisecond, gpio.Low}, {3 * time.Millisecond, gpio.High}} {
		r.clk.Advance(b.gap)
		r.edge(t, b.l, d)
	}
	last := r.clk.Now()
	r.clk.Advance(d - time.Millisecond)
	if ev := r.events(); len(ev) != 0 {
		t.Fatalf("events 19 ms after the last edge = %v, want none yet", ev)
	}
	r.clk.Advance(time.Millisecond)
	ev := r.events()
	if len(ev) != 1 || ev[0].Position != flightmode.On || !ev[0].At.Equal(last.Add(d)) {
		t.Fatalf("events = %v, want one On at %v (20 ms after the last edge)", ev, last.Add(d))
	}
	if p := r.sw.Position(); p != flightmode.On {
		t.Errorf("Position() = %v, want on", p)
	}
	r.clk.Advance(time.Second)
	if ev := r.events(); len(ev) != 0 {
		t.Errorf("later events = %v, want none", ev)
	}
	r.timers.None(t)
}

func TestBouncesEndingWhereTheyBeganGiveNone(t *testing.T) {
	r := newRig(t, gpio.Low, false, 0)
	d := flightmode.DefaultDebounce
	for _, l := range []gpio.Level{gpio.High, gpio.Low, gpio.High, gpio.Low} {
		r.edge(t, l, d)
		r.clk.Advance(3 * time.Millisecond)
	}
	r.clk.Advance(time.Second)
	if ev := r.events(); len(ev) != 0 {
		t.Errorf("events = %v, want none", ev)
	}
	if p := r.sw.Position(); p != flightmode.Off {
		t.Errorf("Position() = %v, want off", p)
	}
}

func TestPulses(t *testing.T) {
	d := flightmode.DefaultDebounce
	t.Run("19ms gives none", func(t *testing.T) {
		r := newRig(t, gpio.Low, false, 0)
		r.edge(t, gpio.High, d)
		r.clk.Advance(19 * time.Millisecond)
		r.edge(t, gpio.Low, d)
		r.clk.Advance(time.Second)
		if ev := r.events(); len(ev) != 0 {
			t.Errorf("events = %v, want none", ev)
		}
	})
	t.Run("20ms gives on then off", func(t *testing.T) {
		r := newRig(t, gpio.Low, false, 0)
		r.edge(t, gpio.High, d)
		r.clk.Advance(20 * time.Millisecond)
		r.edge(t, gpio.Low, d)
		r.clk.Advance(time.Second)
		ev := r.events()
		if len(ev) != 2 || ev[0].Position != flightmode.On || !ev[0].At.Equal(t0.Add(d)) ||
			ev[1].Position != flightmode.Off || !ev[1].At.Equal(t0.Add(2*d)) {
			t.Errorf("events = %v, want On at +20ms, Off at +40ms", ev)
		}
	})
}

// The board's debounce time and active level are the ones used; the
// position at open is read, and is no event.
func TestBoardDebounceAndLevel(t *testing.T) {
	d := 50 * time.Millisecond
	r := newRig(t, gpio.Low, true, d)
	if p := r.sw.Position(); p != flightmode.On {
		t.Fatalf("Position() at open, line low, active low = %v, want on", p)
	}
	r.edge(t, gpio.High, d)
	r.clk.Advance(49 * time.Millisecond)
	if ev := r.events(); len(ev) != 0 {
		t.Fatalf("events before the board's 50 ms = %v", ev)
	}
	r.clk.Advance(time.Millisecond)
	if ev := r.events(); len(ev) != 1 || ev[0].Position != flightmode.Off {
		t.Fatalf("events = %v, want one Off", ev)
	}
	if _, err := flightmode.Open(r.line, flightmode.Config{Debounce: -time.Millisecond}); !errors.Is(err, flightmode.ErrBadConfig) {
		t.Errorf("Open with a negative debounce = %v, want ErrBadConfig", err)
	}
}

// A close during a debounce stops the timer; nothing is sent after.
func TestCloseStopsEverything(t *testing.T) {
	r := newRig(t, gpio.Low, false, 0)
	r.edge(t, gpio.High, flightmode.DefaultDebounce)
	if err := r.sw.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.sw.Done():
	default:
		t.Fatal("Done not closed after Close")
	}
	if r.clk.Pending() != 0 {
		t.Errorf("%d timers pending after Close, want 0", r.clk.Pending())
	}
	r.clk.Advance(time.Second)
	if _, ok := <-r.sw.Events(); ok {
		t.Error("an event after Close; want Events closed")
	}
	if err := r.sw.Err(); !errors.Is(err, flightmode.ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", err)
	}
	if err := r.sw.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// A line that goes away under the switch stops it with an error naming
// the line.
func TestLineFailure(t *testing.T) {
	r := newRig(t, gpio.Low, false, 0)
	r.pin.AwaitWaiter()
	r.line.Close()
	select {
	case <-r.sw.Done():
	case <-time.After(gpiolinetest.Wait):
		t.Fatal("switch still running after its line closed")
	}
	err := r.sw.Err()
	if !errors.Is(err, flightmode.ErrLine) || !errors.Is(err, gpioline.ErrClosed) || !strings.Contains(err.Error(), "FLIGHT_MODE") {
		t.Errorf("Err() = %v, want ErrLine naming FLIGHT_MODE", err)
	}
	if p := r.sw.Position(); p != flightmode.Off {
		t.Errorf("Position() after failure = %v, want the last one, off", p)
	}
}
