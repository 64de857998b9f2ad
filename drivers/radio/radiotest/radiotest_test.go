package radiotest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/drivers/radio"
	"github.com/ringo-phone/ringo/drivers/radio/radiotest"
)

func TestFake(t *testing.T) {
	ctx := context.Background()
	r := radiotest.New(t, radio.Off)
	boom := errors.New("no STATUS")
	r.FailNext(radiotest.OpPowerOn, boom)
	if err := r.PowerOn(ctx); err != boom || r.State() != radio.Failed {
		t.Fatalf("scripted PowerOn = %v, state %v; want the script's error, failed", err, r.State())
	}
	if err := r.PowerOn(ctx); err != nil || r.State() != radio.On {
		t.Fatalf("PowerOn = %v, state %v; want nil, on", err, r.State())
	}
	if err := r.SetAirplane(ctx, true); err != nil || r.State() != radio.Airplane {
		t.Fatalf("SetAirplane = %v, state %v", err, r.State())
	}
	if err := r.PowerOff(ctx); err != nil || r.State() != radio.Off {
		t.Fatalf("PowerOff = %v, state %v", err, r.State())
	}
	if err := r.Reset(ctx); !errors.Is(err, radio.ErrState) {
		t.Errorf("Reset while off = %v, want ErrState", err)
	}
	if got := strings.Join(r.Calls(), ","); got != "power-on,power-on,airplane-on,power-off,reset" {
		t.Errorf("Calls() = %s", got)
	}
	var states []string
	for len(r.Changes()) > 0 {
		c := <-r.Changes()
		states = append(states, string(c.To))
	}
	if got := strings.Join(states, ","); got != "powering-up,failed,powering-up,on,airplane,powering-down,off" {
		t.Errorf("changes = %s", got)
	}
	r.Close()
	if !r.Closed() || !errors.Is(r.Err(), radio.ErrClosed) {
		t.Error("Close did not close")
	}
}
