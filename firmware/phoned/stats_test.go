//go:build linux

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// TestDialCrossesTheSocketTwice: phoned reads the tree it hosts in
// process, so a number dialled with phonectl crosses the socket twice
// (phonectl → phoned, phoned → agent), and phoned is no client of its own
// bus. The bus's per-client counters show it.
func TestDialCrossesTheSocketTwice(t *testing.T) {
	ctx := context.Background()
	cfg := newConfig(t)
	cfg.agent(t, "fakevoip", "Service = testsvc", "CallTypes = Test")
	cfg.manager.WriteString("[Managers]\ntestsvc = generic\n")
	cfg.write(t)
	p := startPhoned(t, cfg.dir, t.TempDir())
	p.waitValue(vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, "testsvc"), telephony.KeyRegistrationState),
		equals(vs.String("Home")))
	p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentServices), equals(vs.Strings("testsvc")))

	before := agentReceived(t, p, "fakevoip")
	out := p.mustCtl("dial", "600")
	id, _, _ := strings.Cut(strings.TrimSpace(out), "\t")
	p.waitValue(vs.Join(telephony.CallPath(id), telephony.KeyCallState), func(v vs.Value, ok bool) bool { return ok })

	stats, err := p.c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ctl *bus.ClientInfo
	for i, st := range stats {
		switch {
		case st.Name == "phoned" || strings.HasPrefix(st.Name, "phoned"):
			t.Errorf("the client list has a client of phoned itself: %+v", st)
		case st.Name == "phonectl" && st.Ended > 0:
			ctl = &stats[i]
		}
	}
	if ctl == nil {
		t.Fatalf("no totals for phonectl in %+v", stats)
	}
	if ctl.Ended != 1 || ctl.Sent[phoneapi.MsgDial] != 1 || len(ctl.Sent) != 1 {
		t.Errorf("phonectl sent %v over %d connections, want one %s request", ctl.Sent, ctl.Ended, phoneapi.MsgDial)
	}
	if ctl.Received[phoneapi.MsgDialed] != 1 {
		t.Errorf("phonectl received %v, want its %s answer once", ctl.Received, phoneapi.MsgDialed)
	}
	after := agentReceived(t, p, "fakevoip")
	if got := after[telephony.MsgDial] - before[telephony.MsgDial]; got != 1 {
		t.Errorf("the agent received %d %s requests for one phonectl dial, want 1 (before %v, after %v)",
			got, telephony.MsgDial, before, after)
	}
}

// agentReceived returns the qcop messages delivered to the connected client
// named program, by name.
func agentReceived(t *testing.T, p *phone, program string) map[string]uint64 {
	t.Helper()
	stats, err := p.c.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stats {
		if st.Name == program && st.Ended == 0 {
			return st.Received
		}
	}
	t.Fatalf("no connected client %q in %+v", program, stats)
	return nil
}
