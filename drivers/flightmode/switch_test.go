package flightmode_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/flightmode"
	"github.com/ringo-phone/ringo/drivers/flightmode/flightmodetest"
	"github.com/ringo-phone/ringo/internal/clock"
	"periph.io/x/conn/v3/gpio"
)

// contract is what every Switch does for its users: the GPIO one, the
// software one and the fake behave alike.
func contract(t *testing.T, sw flightmode.Switch, flip func(flightmode.Position), now func() time.Time) {
	t.Helper()
	if p := sw.Position(); p != flightmode.Off {
		t.Fatalf("Position() at start = %v, want off", p)
	}
	if sw.Err() != nil {
		t.Fatalf("Err() while running = %v", sw.Err())
	}
	for _, p := range []flightmode.Position{flightmode.On, flightmode.Off, flightmode.On} {
		flip(p)
		select {
		case e := <-sw.Events():
			if e.Position != p || !e.At.Equal(now()) {
				t.Fatalf("event = %+v, want %v at %v", e, p, now())
			}
		default:
			t.Fatalf("no event after flipping %v", p)
		}
		if got := sw.Position(); got != p {
			t.Fatalf("Position() = %v, want %v", got, p)
		}
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	<-sw.Done()
	if _, ok := <-sw.Events(); ok {
		t.Error("Events not closed by Close")
	}
	if !errors.Is(sw.Err(), flightmode.ErrClosed) {
		t.Errorf("Err() after Close = %v, want ErrClosed", sw.Err())
	}
	if err := sw.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestContract(t *testing.T) {
	t.Run("gpio", func(t *testing.T) {
		r := newRig(t, gpio.Low, false, 0)
		contract(t, r.sw, func(p flightmode.Position) {
			l := gpio.Low
			if p == flightmode.On {
				l = gpio.High
			}
			r.edge(t, l, flightmode.DefaultDebounce)
			r.clk.Advance(flightmode.DefaultDebounce)
		}, r.clk.Now)
	})
	t.Run("software", func(t *testing.T) {
		clk := clock.NewFake(t0)
		sw := flightmode.NewSoftware(flightmode.Off, clk)
		contract(t, sw, func(p flightmode.Position) {
			clk.Advance(time.Second)
			if err := sw.Set(p); err != nil {
				t.Fatal(err)
			}
		}, clk.Now)
		if err := sw.Set(flightmode.Off); !errors.Is(err, flightmode.ErrClosed) {
			t.Errorf("Set after Close = %v, want ErrClosed", err)
		}
	})
	t.Run("fake", func(t *testing.T) {
		clk := clock.NewFake(t0)
		sw := flightmodetest.New(t, flightmode.Off, clk)
		contract(t, sw, func(p flightmode.Position) { clk.Advance(time.Second); sw.Flip(p) }, clk.Now)
		if !sw.Closed() {
			t.Error("Closed() = false after Close")
		}
	})
}

// Setting the software switch where it is sends nothing; a reader that
// falls behind loses the oldest events and keeps the newest.
func TestSoftwareEvents(t *testing.T) {
	sw := flightmode.NewSoftware(flightmode.On, nil)
	defer sw.Close()
	if err := sw.Set(flightmode.On); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-sw.Events():
		t.Fatalf("event %+v for a Set to the same position", e)
	default:
	}
	n := flightmode.EventBuffer + 3
	for i := 0; i < n; i++ {
		sw.Set(flightmode.Position(i % 2))
	}
	var got []flightmode.Position
	for len(sw.Events()) > 0 {
		got = append(got, (<-sw.Events()).Position)
	}
	if len(got) != flightmode.EventBuffer || got[len(got)-1] != flightmode.Position((n-1)%2) {
		t.Errorf("kept %d events ending %v, want %d ending with the newest", len(got), got[len(got)-1], flightmode.EventBuffer)
	}
}
