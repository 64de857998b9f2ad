package agent

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
	"github.com/ringo-phone/ringo/tools/modemsim/sim"
)

func writePIN(t *testing.T, dir, pin string, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(dir, PINFile)
	if err := os.WriteFile(p, []byte(pin+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func TestSIMAbsent(t *testing.T) {
	r := newRig(t, sim.Config{SIM: sim.SIMAbsent})
	r.waitProblem("no SIM card")
	r.waitValid(false)
	r.control("sim ready")
	r.waitReg(telephony.RegistrationHome) // the keepalive asks again
	r.waitValid(true)
	r.waitProblem("")
}

func TestSIMPINFromFile(t *testing.T) {
	r := newRig(t, sim.Config{PIN: "4711"})
	r.waitProblem("no " + filepath.Join(r.config, PINFile))
	writePIN(t, r.config, "4711", 0o644)
	r.waitProblem("chmod 600")
	if n := r.log.count("AT+CPIN=****"); n != 0 {
		t.Fatalf("a PIN in a file open to others was sent %d times", n)
	}
	writePIN(t, r.config, "4711", 0o600)
	r.mgr.UpdateConfiguration(r.ctx, ServiceName, "pin", "")
	r.waitReg(telephony.RegistrationHome)
	r.waitValid(true)
	if n := r.log.count("AT+CPIN=****"); n != 1 {
		t.Errorf("the PIN was sent %d times, want once", n)
	}
}

// A wrong PIN is sent once, never again; a new one in the file is tried.
func TestSIMWrongPINNotRetried(t *testing.T) {
	r := newRigWith(t, sim.Config{PIN: "4711"}, t.TempDir(), nil, func(dir string) { writePIN(t, dir, "1111", 0o600) })
	dir := r.config
	r.waitProblem("did not accept the PIN")
	// Many keepalives later, still once.
	for range 5 {
		r.waitCommand("AT+CPIN?", r.log.count("AT+CPIN?")+1)
	}
	if n := r.log.count("AT+CPIN=****"); n != 1 {
		t.Fatalf("a refused PIN was sent %d times, want once", n)
	}
	writePIN(t, dir, "4711", 0o600)
	r.waitReg(telephony.RegistrationHome)
	if n := r.log.count("AT+CPIN=****"); n != 2 {
		t.Errorf("PIN sent %d times, want twice (the wrong one, the right one)", n)
	}
}

func TestSIMPUKIsAState(t *testing.T) {
	r := newRig(t, sim.Config{SIM: sim.SIMPUK, PIN: "4711"})
	writePIN(t, r.config, "4711", 0o600)
	r.waitProblem("needs its PUK")
	for range 3 {
		r.waitCommand("AT+CPIN?", r.log.count("AT+CPIN?")+1)
	}
	for _, l := range r.log.lines() {
		if strings.HasPrefix(l, "AT+CPIN=") {
			t.Errorf("the agent sent %q to a blocked SIM", l)
		}
	}
}

// The PIN reaches neither the agent's log nor the value space.
func TestPINNeverShown(t *testing.T) {
	var logs syncBuf
	r := newRigWith(t, sim.Config{PIN: "4711"}, t.TempDir(), slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		func(dir string) { writePIN(t, dir, "4711", 0o600) })
	r.waitReg(telephony.RegistrationHome)
	// The PIN as a number of its own: the digits may stand inside a
	// longer one, such as the random part of the test's temporary
	// directory in the log's "from PATH".
	pin := regexp.MustCompile(`(^|[^0-9])4711([^0-9]|$)`)
	if pin.MatchString(logs.String()) {
		t.Errorf("the agent's log (with the AT trace) shows the PIN:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "AT+CPIN=****") {
		t.Errorf("the trace lacks AT+CPIN=****")
	}
	entries, err := r.srv.Tree().Snapshot("/")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if pin.MatchString(e.Value.String()) {
			t.Errorf("the value space shows the PIN at %s", e.Path)
		}
	}
}

func TestModemVanishesMidCall(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	id := r.dialCall("600")
	r.waitCall(id, telephony.CallConnected)
	r.control("vanish")
	if c := r.waitCall(id, telephony.CallNetworkFailure); !strings.Contains(c.Reason, "modem") {
		t.Errorf("reason %q", c.Reason)
	}
	r.waitReg(telephony.RegistrationNone)
	r.waitProblem("vanished")
	r.waitValid(false)
	r.control("return")
	r.waitReg(telephony.RegistrationHome)
	r.waitProblem("")
	id = r.dialCall("600")
	r.waitCall(id, telephony.CallConnected)
}

func TestModemStopsAnswering(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	r.control("mute")
	r.waitReg(telephony.RegistrationNone)
	r.waitProblem("stopped answering")
	r.control("unmute")
	r.waitReg(telephony.RegistrationHome)
	r.waitProblem("")
}

func TestModemResetAndGarbage(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	r.control("garbage 200000")
	id := r.dialCall("600")
	r.waitCall(id, telephony.CallConnected)
	r.control("send RDY")
	r.waitCall(id, telephony.CallNetworkFailure)
	r.waitCommand("ATE0", 2) // set up again
	r.waitReg(telephony.RegistrationHome)
}

// A new agent takes over the calls the modem still has.
func TestRestartRecoversCalls(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	id := r.dialCall("600")
	r.waitCall(id, telephony.CallConnected)
	r.control("ring 5551234 Alice")
	r.waitCall("", telephony.CallIncoming)
	// The agent dies without a word to the modem.
	old := r.agent
	old.cancel()
	old.wg.Wait()
	old.svc.Close()
	for _, c := range r.history {
		r.taken[c.ID] = true // only the new agent's calls count below
	}
	r.start()
	c := r.waitCall("", telephony.CallConnected)
	w := r.waitCall("", telephony.CallIncoming)
	if c.Number != "600" || w.Number != "5551234" || w.Name != "Alice" || c.ID == id {
		t.Errorf("recovered %+v and %+v, want 600 Connected (a new call id) and 5551234 Alice Incoming", c, w)
	}
	// The recovered calls are the new agent's to end.
	r.mgr.Hangup(r.ctx, ServiceName, c.ID, telephony.ScopeCallOnly)
	r.waitCall(c.ID, telephony.CallHangupLocal)
}

func TestFlightModeRadio(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	if err := r.srv.Tree().Set(0, telephony.FlightModePath, vs.Bool(true)); err != nil {
		t.Fatal(err)
	}
	r.waitCommand("AT+CFUN=4", 1)
	r.waitReg(telephony.RegistrationNone)
	if err := r.srv.Tree().Set(0, telephony.FlightModePath, vs.Bool(false)); err != nil {
		t.Fatal(err)
	}
	r.waitCommand("AT+CFUN=1", 2) // the set-up's, then this one
	r.waitReg(telephony.RegistrationHome)
}

func TestOperatorListAndSelection(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	got := make(chan []string, 1)
	if _, err := r.mgr.WatchResponses(r.ctx, telephony.NetworkRegistrationInterface, ServiceName, func(m qcop.Message) {
		if m.Name == telephony.MsgAvailableOperators {
			var s []string
			for i := range m.Args {
				v, _ := m.Str(i)
				s = append(s, v)
			}
			got <- s
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.mgr.RequestAvailableOperators(r.ctx, ServiceName); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		want := "Current Ringo Mobile 00101 LTE Available Other Net 00102 LTE Forbidden Forbidden Net 00103 GSM"
		if strings.Join(s, " ") != want {
			t.Errorf("operators %q, want %q", s, want)
		}
	case <-r.ctx.Done():
		t.Fatal("no operator list")
	}
	r.mgr.SetCurrentOperator(r.ctx, ServiceName, telephony.OperatorModeManual, "00102", "")
	reg := r.waitReg(telephony.RegistrationRoaming)
	r.waitRegistration("Other Net, manual", func(reg telephony.Registration) bool {
		return reg.Operator == "Other Net" && reg.Mode == telephony.OperatorModeManual
	})
	_ = reg
	r.mgr.SetCurrentOperator(r.ctx, ServiceName, telephony.OperatorModeDeregister, "", "")
	r.waitReg(telephony.RegistrationNone)
	r.waitCommand("AT+COPS=2", 1)
	r.mgr.SetCurrentOperator(r.ctx, ServiceName, telephony.OperatorModeAutomatic, "", "")
	r.waitReg(telephony.RegistrationHome)
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
