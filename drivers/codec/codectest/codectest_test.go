package codectest

import (
	"context"
	"errors"
	"testing"

	"github.com/ringo-phone/ringo/drivers/codec"
)

func TestFakeRecordsAndKeepsState(t *testing.T) {
	ctx := context.Background()
	c := New()
	if got, want := c.State(), (State{MicMuted: true, Volume: codec.DefaultVolume}); got != want {
		t.Fatalf("New().State() = %+v, want %+v", got, want)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.PowerUp(ctx))
	must(c.Route(ctx, codec.RouteEarpiece))
	must(c.SetMicMuted(ctx, false))
	must(c.SetVolume(ctx, 40))
	if got, want := Joined(c.Take()), "PowerUp() Route(earpiece) SetMicMuted(false) SetVolume(40)"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if got, want := c.State(), (State{Powered: true, Route: codec.RouteEarpiece, Volume: 40}); got != want {
		t.Errorf("State() = %+v, want %+v", got, want)
	}

	// Refused like the real codec: recorded, state unchanged.
	if err := c.SetVolume(ctx, 101); !errors.Is(err, codec.ErrBadVolume) {
		t.Errorf("SetVolume(101) = %v, want ErrBadVolume", err)
	}
	if err := c.Route(ctx, codec.Route(42)); !errors.Is(err, codec.ErrBadRoute) {
		t.Errorf("Route(42) = %v, want ErrBadRoute", err)
	}
	boom := errors.New("boom")
	c.FailNext(PowerDown, boom)
	if err := c.PowerDown(ctx); err != boom {
		t.Errorf("armed PowerDown = %v, want boom", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.SetMicMuted(cancelled, true); !errors.Is(err, context.Canceled) {
		t.Errorf("SetMicMuted(cancelled) = %v, want context.Canceled", err)
	}
	if got := c.State(); !got.Powered || got.Volume != 40 || got.MicMuted {
		t.Errorf("State after refused calls = %+v, want unchanged", got)
	}
	if got, want := Joined(c.Take()), "SetVolume(101) Route(Route(42)) PowerDown() SetMicMuted(true)"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	must(c.PowerDown(ctx))
	if c.State().Powered {
		t.Error("still powered after PowerDown")
	}
	if len(c.Calls()) != 1 {
		t.Errorf("Calls() = %v, want the one since Take", c.Calls())
	}
}
