//go:build linux

package main

import (
	"context"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// An agent written on the public API, as a third party would, goes
// through its whole life under phoned: discovered from its service file,
// started, visible only after Initialize, reached by phonectl, a call in
// every state, an incoming call, kill -9 and restart, and Telephony::stop
// when phoned is told to stop.
func TestAgentLifecycle(t *testing.T) {
	ctx := context.Background()
	cfg := newConfig(t)
	cfg.agent(t, "fakevoip", "Service = testsvc", "CallTypes = Test", "Mode = lateinit")
	cfg.manager.WriteString("[Managers]\ntestsvc = generic\n")
	cfg.write(t)
	p := startPhoned(t, cfg.dir, t.TempDir())

	// Discovered and started, but invisible until Initialize.
	p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentState), equals(vs.String(phoneapi.AgentRunning)))
	p.log.wait(t, `msg="Telephony::start received" category=agent program=fakevoip`)
	p.log.wait(t, `msg="not initializing yet" category=agent program=fakevoip`)
	if got, err := p.m.Services(ctx); err != nil || len(got) != 0 {
		t.Fatalf("services before Initialize = %v, %v; want none", got, err)
	}
	if got, _ := p.c.Snapshot(ctx, telephony.CommunicationsPath); len(got) != 1 || got[0].Path != telephony.MissedCallsPath {
		t.Fatalf("/Communications before Initialize = %v; want only the missed-call count", got)
	}
	comms := p.record(telephony.CommunicationsPath)
	if err := qcop.Send(ctx, p.c, qcop.Message{Channel: qcop.ApplicationChannel("fakevoip"), Name: "initialize()"}); err != nil {
		t.Fatal(err)
	}
	regKey := vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, "testsvc"), telephony.KeyRegistrationState)
	p.waitValue(regKey, equals(vs.String("Home")))
	// Initialize published every interface's channels and the call types
	// in one batch.
	batches := comms.until(t, "the service's appearance", func(bs []vs.Batch) bool {
		for _, b := range bs {
			if len(b.Changes) > 0 && !b.Initial {
				return true
			}
		}
		return false
	})
	var first vs.Batch
	for _, b := range batches {
		if len(b.Changes) > 0 && !b.Initial {
			first = b
			break
		}
	}
	got := map[string]string{}
	for _, c := range first.Changes {
		got[c.Path] = c.Value.String()
	}
	for _, i := range []telephony.Interface{telephony.NetworkRegistrationInterface, telephony.ConfigurationInterface,
		telephony.ServiceCheckerInterface, telephony.CallProviderInterface} {
		for _, k := range []string{telephony.KeyRequestChannel, telephony.KeyResponseChannel} {
			if _, ok := got[vs.Join(telephony.InterfacePath(i, "testsvc"), k)]; !ok {
				t.Errorf("first batch of testsvc lacks %s/%s: %v", i, k, got)
			}
		}
	}
	if got[telephony.CallTypesKey("testsvc")] != `["Test"]` {
		t.Errorf("first batch call types = %q, want [\"Test\"]", got[telephony.CallTypesKey("testsvc")])
	}
	p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentServices), equals(vs.Strings("testsvc")))
	p.waitValue(vs.Join(telephony.ServiceStatusPath("testsvc"), telephony.KeyRegistrationMsg), equals(vs.String("")))

	status := p.mustCtl("status")
	for _, w := range []string{"testsvc  Home", "Test", "fakevoip  running", "problems: none"} {
		if !strings.Contains(status, w) {
			t.Errorf("phonectl status lacks %q:\n%s", w, status)
		}
	}

	// An outgoing call through every state. The agent's transactions are
	// recorded as announced, and the call list as phoned keeps it.
	var mu sync.Mutex
	var events []string
	l, err := p.m.WatchCalls(ctx, "testsvc", func(e telephony.CallEvent) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range e.Calls {
			ev := c.Number + " " + c.State.String() + " " + c.Actions.String()
			// phoned's periodic listCalls makes the provider repeat its
			// calls unchanged; only changes count here.
			if len(events) == 0 || events[len(events)-1] != ev {
				events = append(events, ev)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	callsRec := p.record(telephony.CallsPath)
	out := p.mustCtl("dial", "600")
	id, svc, _ := strings.Cut(strings.TrimSpace(out), "\t")
	if svc != "testsvc\tTest" {
		t.Fatalf("phonectl dial 600 = %q, want <id>\\ttestsvc\\tTest", out)
	}
	p.log.wait(t, `msg="request dial 600" category=agent program=fakevoip`)
	p.mustCtl("wait", "Dialing", "-call", id)
	remote := func(what string) {
		t.Helper()
		if err := p.m.UpdateConfiguration(ctx, "testsvc", "remote", what); err != nil {
			t.Fatal(err)
		}
	}
	remote("alerting")
	p.mustCtl("wait", "Alerting")
	remote("answer")
	p.mustCtl("wait", "Connected", "-call", id)
	if got := p.mustCtl("hold"); strings.TrimSpace(got) != id {
		t.Errorf("phonectl hold = %q, want %s", got, id)
	}
	p.mustCtl("wait", "Hold")
	p.mustCtl("activate")
	p.mustCtl("wait", "Connected")
	p.mustCtl("tone", "123#")
	p.log.wait(t, `msg="request tone 123#"`)
	p.mustCtl("hangup", id)
	p.mustCtl("wait", "HangupLocal", "-call", id)

	wantEvents := []string{"600 Dialing tone", "600 Alerting tone", "600 Connected hold|tone|transfer",
		"600 Hold activate", "600 Connected hold|tone|transfer", "600 HangupLocal none"}
	mu.Lock()
	gotEvents := slices.Clone(events)
	mu.Unlock()
	if !slices.Equal(gotEvents, wantEvents) {
		t.Errorf("announced transactions =\n%q\nwant\n%q", gotEvents, wantEvents)
	}
	// In the call list a call never shows a state with another state's
	// actions: each change arrived whole, in one batch.
	valid := map[string]string{`"Dialing"`: `"tone"`, `"Alerting"`: `"tone"`, `"Connected"`: `"hold|tone|transfer"`,
		`"Hold"`: `"activate"`, `"HangupLocal"`: `"none"`}
	var states []string
	view := map[string]string{}
	for i, b := range callsRec.all() {
		changedState := false
		for _, c := range b.Changes {
			if k, ok := strings.CutPrefix(c.Path, telephony.CallPath(id)+"/"); ok {
				view[k] = c.Value.String()
				changedState = changedState || k == telephony.KeyCallState
			}
		}
		if !changedState {
			continue
		}
		st := view[telephony.KeyCallState]
		states = append(states, st)
		if valid[st] != view[telephony.KeyCallActions] || view[telephony.KeyCallNumber] != `"600"` ||
			view[telephony.KeyCallService] != `"testsvc"` || view[phoneapi.KeyCallDirection] != `"outgoing"` {
			t.Errorf("after batch %d the call list shows %v", i, view)
		}
	}
	wantStates := []string{`"Dialing"`, `"Alerting"`, `"Connected"`, `"Hold"`, `"Connected"`, `"HangupLocal"`}
	if !slices.Equal(states, wantStates) {
		t.Errorf("call list states = %v, want %v", states, wantStates)
	}

	// Incoming calls: announced whole, answered from the console; one the
	// caller gives up on counts as missed.
	if err := p.m.UpdateConfiguration(ctx, "testsvc", "incoming", "5551234"); err != nil {
		t.Fatal(err)
	}
	out = p.mustCtl("wait", "Incoming")
	in1, _, _ := strings.Cut(strings.TrimSpace(out), " ")
	inRec := callsRec.until(t, "the incoming call", func(bs []vs.Batch) bool {
		for _, b := range bs {
			for _, c := range b.Changes {
				if c.Path == vs.Join(telephony.CallPath(in1), telephony.KeyCallState) {
					return true
				}
			}
		}
		return false
	})
	for _, b := range inRec {
		vals := map[string]string{}
		for _, c := range b.Changes {
			vals[strings.TrimPrefix(c.Path, telephony.CallPath(in1)+"/")] = c.Value.String()
		}
		if _, ok := vals[telephony.KeyCallState]; ok {
			want := map[string]string{"state": `"Incoming"`, "number": `"5551234"`, "direction": `"incoming"`, "actions": `"accept|transfer"`}
			for k, w := range want {
				if vals[k] != w {
					t.Errorf("incoming call's first batch: %s = %s, want %s (batch %v)", k, vals[k], w, vals)
				}
			}
			break
		}
	}
	p.mustCtl("answer")
	p.mustCtl("wait", "Connected", "-call", in1)
	remote("hangup")
	p.mustCtl("wait", "HangupRemote", "-call", in1)
	p.waitValue(telephony.MissedCallsPath, equals(vs.Int(0)))
	// Transfer of an answered call (the test agent ends it locally).
	if err := p.m.UpdateConfiguration(ctx, "testsvc", "incoming", "5552222"); err != nil {
		t.Fatal(err)
	}
	p.mustCtl("wait", "Incoming")
	p.mustCtl("answer")
	p.mustCtl("wait", "Connected")
	p.mustCtl("transfer", "700")
	p.log.wait(t, `msg="request transfer 700"`)
	p.mustCtl("wait", "HangupLocal")
	if err := p.m.UpdateConfiguration(ctx, "testsvc", "incoming", "5550000"); err != nil {
		t.Fatal(err)
	}
	p.mustCtl("wait", "Incoming")
	remote("hangup")
	p.mustCtl("wait", "HangupRemote")
	p.waitValue(telephony.MissedCallsPath, equals(vs.Int(1)))

	// Registration from the console; the generic manager's message follows.
	p.mustCtl("deregister", "testsvc")
	p.mustCtl("wait", "-service", "testsvc", "None")
	p.log.wait(t, `msg="request setCurrentOperator Deregister"`)
	msgKey := vs.Join(telephony.ServiceStatusPath("testsvc"), telephony.KeyRegistrationMsg)
	p.waitValue(msgKey, equals(vs.String("testsvc: not registered (None)")))
	if _, err := p.ctl("dial", "600"); err == nil || !strings.HasSuffix(err.Error(), "phonectl: dial refused: policy: no network: testsvc: not registered (None)") {
		t.Errorf("dial while deregistered = %v", err)
	}
	p.mustCtl("register", "testsvc")
	p.mustCtl("wait", "-service", "testsvc", "Home")
	p.waitValue(msgKey, equals(vs.String("")))

	// Log levels change while phoned runs.
	if _, err := p.tool("vsexplorer", "set", phoneapi.LogLevelsPath, `"debug,calls=warn"`); err != nil {
		t.Fatal(err)
	}
	p.log.wait(t, `msg="log levels" category=phoned levels="debug,calls=warn"`)

	// kill -9: everything the agent published vanishes in one batch, and
	// phoned restarts it.
	pidV, _, err := p.c.Get(ctx, agentKey("fakevoip", phoneapi.KeyAgentPID))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := pidV.Int()
	regRec := p.record(telephony.InterfacePath(telephony.NetworkRegistrationInterface, "testsvc"))
	before, err := p.c.Snapshot(ctx, telephony.InterfacePath(telephony.NetworkRegistrationInterface, "testsvc"))
	if err != nil || len(before) != 7 {
		t.Fatalf("registration entries before kill = %d, %v; want 7", len(before), err)
	}
	if err := syscall.Kill(int(pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.waitValue(regKey, absent)
	for _, b := range regRec.all() {
		if b.Initial {
			continue
		}
		if len(b.Changes) != len(before) {
			t.Errorf("removal batch has %d changes, want all %d registration entries at once: %v", len(b.Changes), len(before), b.Changes)
		}
		for _, c := range b.Changes {
			if !c.Removed {
				t.Errorf("removal batch sets %s", c)
			}
		}
		break
	}
	if got, _ := p.m.Services(ctx); len(got) != 0 {
		t.Errorf("services after kill -9 = %v, want none", got)
	}
	p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentRestarts), equals(vs.Int(1)))
	newPID := p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentPID), func(v vs.Value, ok bool) bool {
		n, _ := v.Int()
		return ok && n != pid
	})
	p.log.wait(t, "signal killed")
	if err := qcop.Send(ctx, p.c, qcop.Message{Channel: qcop.ApplicationChannel("fakevoip"), Name: "initialize()"}); err != nil {
		t.Fatal(err)
	}
	p.waitValue(regKey, equals(vs.String("Home")))
	if n, _ := newPID.Int(); n == pid {
		t.Errorf("restarted agent has the old pid %d", pid)
	}

	// SIGTERM: phoned sends Telephony::stop, the agent exits cleanly, and
	// phoned exits 0.
	if code := p.term(); code != 0 {
		t.Errorf("phoned exit code after SIGTERM = %d, want 0", code)
	}
	log := p.log.String()
	for _, w := range []string{`msg="Telephony::stop sent" category=supervise program=fakevoip`,
		`msg="Telephony::stop received" category=agent program=fakevoip`,
		`msg="agent stopped" category=supervise program=fakevoip exit="exit 0"`,
		`msg="phoned stopped"`} {
		if !strings.Contains(log, w) {
			t.Errorf("phoned's log lacks %s", w)
		}
	}
}
