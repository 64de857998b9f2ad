//go:build linux

package main

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// TestDialChoiceNeeded: with two services able to place a number, a dial
// without a call type answers with the call types to choose from, and a
// dial with one of them goes to its service.
func TestDialChoiceNeeded(t *testing.T) {
	ctx := context.Background()
	cfg := newConfig(t)
	cfg.agent(t, "alpha", "Service = alphasvc", "CallTypes = Alpha")
	cfg.agent(t, "beta", "Service = betasvc", "CallTypes = Beta")
	cfg.manager.WriteString("[Policy]\nPriority = betasvc, alphasvc\n[Managers]\nalphasvc = generic\nbetasvc = generic\n")
	cfg.write(t)
	p := startPhoned(t, cfg.dir, t.TempDir())
	for _, svc := range []string{"alphasvc", "betasvc"} {
		p.waitValue(vs.Join(telephony.ServiceStatusPath(svc), telephony.KeyIcon), equals(vs.String("generic")))
	}
	_, err := phoneapi.Dial(ctx, p.c, "600", "")
	var ce *phoneapi.ChoiceError
	if !errors.As(err, &ce) || !errors.Is(err, phoneapi.ErrChoiceNeeded) || !errors.Is(err, phoneapi.ErrDial) {
		t.Fatalf("Dial(600) with two services = %v, want a ChoiceError", err)
	}
	if !slices.Equal(ce.CallTypes, []string{"Beta", "Alpha"}) {
		t.Errorf("call types to choose from = %q, want [Beta Alpha] (priority order)", ce.CallTypes)
	}
	r, err := phoneapi.Dial(ctx, p.c, "600", "Alpha")
	if err != nil || r.Service != "alphasvc" || r.CallType != "Alpha" {
		t.Errorf("Dial(600, Alpha) = %+v, %v, want alphasvc", r, err)
	}
}
