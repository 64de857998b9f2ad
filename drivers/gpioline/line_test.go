package gpioline_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/gpioline/gpiolinetest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func TestSpecCheck(t *testing.T) {
	for _, tc := range []struct {
		s    gpioline.Spec
		want string // "" for valid
	}{
		{gpioline.Spec{Name: "PWRKEY"}, ""},
		{gpioline.Spec{Chip: "1c20800.pinctrl", Offset: 35}, ""},
		{gpioline.Spec{Chip: "1c20800.pinctrl", Offset: 0}, ""},
		{gpioline.Spec{Name: "STATUS", Chip: "ringo-board"}, ""},
		{gpioline.Spec{}, "no line name and no chip label"},
		{gpioline.Spec{Chip: "c", Offset: -1}, "offset -1 on chip c is negative"},
		{gpioline.Spec{Name: "X", Offset: 3}, "line X has both a name and offset 3"},
		{gpioline.Spec{Name: "X", Bias: 7}, "unknown bias Bias(7)"},
	} {
		err := tc.s.Check()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v.Check() = %v, want nil", tc.s, err)
			}
			continue
		}
		if !errors.Is(err, gpioline.ErrBadSpec) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v.Check() = %v, want ErrBadSpec with %q", tc.s, err, tc.want)
		}
	}
	if got := (gpioline.Spec{Chip: "1f02c00.pinctrl", Offset: 7}).String(); got != "1f02c00.pinctrl:7" {
		t.Errorf("String() = %q, want 1f02c00.pinctrl:7", got)
	}
}

func TestLevel(t *testing.T) {
	for _, tc := range []struct {
		activeLow, active bool
		want              string
	}{{false, true, "high"}, {false, false, "low"}, {true, true, "low"}, {true, false, "high"}} {
		if got := gpioline.Level(tc.activeLow, tc.active); got != tc.want {
			t.Errorf("Level(activeLow %v, active %v) = %s, want %s", tc.activeLow, tc.active, got, tc.want)
		}
	}
}

// On periph's own fake pin: the active level applied, an edge seen, and a
// cancellation seen although its Halt does nothing (the wait slice).
func TestInputOnPeriphFake(t *testing.T) {
	p := &gpiotest.Pin{N: "STATUS", L: gpio.Low, EdgesChan: make(chan gpio.Level)}
	in, err := gpioline.NewInput(p, gpioline.Spec{Name: "STATUS", ActiveLow: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	in.SetWaitSlice(5 * time.Millisecond)
	if p.P != gpio.PullNoChange {
		t.Errorf("pull requested = %v, want none (a bias moves a gpio-sim line)", p.P)
	}
	if on, err := in.Active(); err != nil || !on {
		t.Errorf("Active() at low, active low = %v, %v; want true", on, err)
	}
	got := make(chan error, 1)
	go func() { got <- in.WaitEdge(context.Background()) }()
	p.EdgesChan <- gpio.High
	if err := <-got; err != nil {
		t.Fatalf("WaitEdge after an edge = %v", err)
	}
	if on, _ := in.Active(); on {
		t.Error("Active() at high, active low = true")
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { got <- in.WaitEdge(ctx) }()
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Errorf("WaitEdge after cancel = %v, want context.Canceled", err)
	}
}

// A wait that fails at once, every time, is an error, not a busy loop.
type failingPin struct{ gpiotest.Pin }

func (*failingPin) WaitForEdge(time.Duration) bool { return false }

func TestWaitFailsAtOnce(t *testing.T) {
	p := &failingPin{gpiotest.Pin{N: "RI", EdgesChan: make(chan gpio.Level)}}
	in, err := gpioline.NewInput(p, gpioline.Spec{Name: "RI"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = in.WaitEdge(context.Background())
	if !errors.Is(err, gpioline.ErrWaitFails) || !strings.Contains(err.Error(), "line RI") {
		t.Errorf("WaitEdge = %v, want ErrWaitFails naming line RI", err)
	}
}

// On the strict fake: a halt ends the wait at once (the slice is an hour
// here, so only the halt can), Close wakes a wait and releases the pin.
func TestInputHaltAndClose(t *testing.T) {
	p := gpiolinetest.NewPin(t, "FLIGHT_MODE", 0, nil)
	released := false
	in, err := gpioline.NewInput(p, gpioline.Spec{Name: "FLIGHT_MODE"}, func() { released = true; p.Close() })
	if err != nil {
		t.Fatal(err)
	}
	in.SetWaitSlice(time.Hour)
	if p.Edge() != gpio.BothEdges || p.Pull() != gpio.PullNoChange {
		t.Errorf("configured with edge %v pull %v, want both edges and no pull", p.Edge(), p.Pull())
	}
	p.Drive(gpio.High)
	if err := in.WaitEdge(context.Background()); err != nil {
		t.Fatalf("WaitEdge with an edge queued = %v", err)
	}
	if on, err := in.Active(); err != nil || !on {
		t.Errorf("Active() = %v, %v; want true", on, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() { got <- in.WaitEdge(ctx) }()
	cancel()
	select {
	case err := <-got:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("WaitEdge after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(gpiolinetest.Wait):
		t.Fatal("WaitEdge did not return after cancel")
	}

	go func() { got <- in.WaitEdge(context.Background()) }()
	p.AwaitWaiter()
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; !errors.Is(err, gpioline.ErrClosed) {
		t.Errorf("WaitEdge across Close = %v, want ErrClosed", err)
	}
	if !released || !p.Released() {
		t.Error("Close did not release the pin")
	}
	if _, err := in.Active(); !errors.Is(err, gpioline.ErrClosed) {
		t.Errorf("Active after Close = %v, want ErrClosed", err)
	}
	if err := in.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestOutput(t *testing.T) {
	p := gpiolinetest.NewPin(t, "DTR", 0, nil)
	out, err := gpioline.NewOutput(p, gpioline.Spec{Name: "DTR", ActiveLow: true}, true, p.Close)
	if err != nil {
		t.Fatal(err)
	}
	if p.Level() != gpio.Low || !out.Active() {
		t.Errorf("opened active, active low: level %v, Active %v; want Low, true", p.Level(), out.Active())
	}
	if err := out.Set(false); err != nil {
		t.Fatal(err)
	}
	if p.Level() != gpio.High || out.Active() {
		t.Errorf("Set(false): level %v, Active %v; want High, false", p.Level(), out.Active())
	}
	var levels []gpio.Level
	for _, c := range p.Changes() {
		levels = append(levels, c.Level)
	}
	if len(levels) != 2 || levels[0] != gpio.Low || levels[1] != gpio.High {
		t.Errorf("changes = %v, want [Low High]", levels)
	}
	if err := out.Close(); err != nil || !p.Released() {
		t.Errorf("Close = %v, released %v", err, p.Released())
	}
	if err := out.Set(true); !errors.Is(err, gpioline.ErrClosed) {
		t.Errorf("Set after Close = %v, want ErrClosed", err)
	}
}
