package agent

import (
	"slices"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
	"github.com/ringo-phone/ringo/tools/modemsim/sim"
)

func TestOutgoingCallHungUpBothWays(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	id := r.dialCall("600")
	r.waitCall(id, telephony.CallDialing)
	r.waitCall(id, telephony.CallAlerting)
	c := r.waitCall(id, telephony.CallConnected)
	if c.CallType != CallType || c.Actions != telephony.ActionHold|telephony.ActionTone {
		t.Errorf("connected call %+v, want call type Voice, hold and tone", c)
	}
	r.waitCommand("ATD600;", 1)
	if err := r.mgr.Tone(r.ctx, ServiceName, id, "12#"); err != nil {
		t.Fatal(err)
	}
	r.waitCommand("AT+VTS=#", 1)
	if i1, i2 := slices.Index(r.log.lines(), "AT+VTS=1"), slices.Index(r.log.lines(), "AT+VTS=2"); i1 < 0 || i2 < i1 {
		t.Errorf("DTMF out of order: %q", r.log.lines())
	}
	if err := r.mgr.Hangup(r.ctx, ServiceName, id, telephony.ScopeCallOnly); err != nil {
		t.Fatal(err)
	}
	r.waitCall(id, telephony.CallHangupLocal)
	r.waitCommand("AT+CHUP", 1)

	// The far end hangs up.
	id = r.dialCall("600")
	r.waitCall(id, telephony.CallConnected)
	r.control("drop")
	r.waitCall(id, telephony.CallHangupRemote)

	// Busy.
	r.control("number 486 busy")
	id = r.dialCall("486")
	if c := r.waitCall(id, telephony.CallHangupRemote); c.Reason != "the number is busy" {
		t.Errorf("busy call's reason %q", c.Reason)
	}
	// A dial the modem fails at once.
	r.control("number 700 fail")
	id = r.dialCall("700")
	if c := r.waitCall(id, telephony.CallNetworkFailure); !strings.Contains(c.Reason, "NO CARRIER") {
		t.Errorf("failed dial's reason %q, want NO CARRIER named", c.Reason)
	}
}

func TestIncomingWithCallerIDAndMissed(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	r.control("ring 5551234 Alice Smith")
	c := r.waitCall("", telephony.CallIncoming)
	if c.Number != "5551234" || c.Name != "Alice Smith" || c.Actions != telephony.ActionAccept {
		t.Errorf("incoming call %+v, want 5551234 Alice Smith, accept", c)
	}
	if err := r.mgr.Accept(r.ctx, ServiceName, c.ID); err != nil {
		t.Fatal(err)
	}
	r.waitCall(c.ID, telephony.CallConnected)
	r.waitCommand("ATA", 1)
	r.control("drop")
	r.waitCall(c.ID, telephony.CallHangupRemote)

	r.control("ring 5559876 Bob")
	c = r.waitCall("", telephony.CallIncoming)
	r.control("drop")
	r.waitCall(c.ID, telephony.CallMissed)

	// Rejected by the user.
	r.control("ring 5559876")
	c = r.waitCall("", telephony.CallIncoming)
	r.mgr.Hangup(r.ctx, ServiceName, c.ID, telephony.ScopeCallOnly)
	r.waitCall(c.ID, telephony.CallHangupLocal)
}

func TestHoldSwapAndWaitingCall(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	a := r.dialCall("600")
	r.waitCall(a, telephony.CallConnected)
	b := r.dialCall("601")
	r.waitCall(a, telephony.CallHold) // dialling holds the active call
	r.waitCall(b, telephony.CallConnected)
	r.waitCommand("AT+CHLD=2", 1)
	if err := r.mgr.Activate(r.ctx, ServiceName, a, telephony.ScopeCallOnly); err != nil {
		t.Fatal(err)
	}
	r.waitCall(a, telephony.CallConnected)
	r.waitCall(b, telephony.CallHold)
	if err := r.mgr.Hold(r.ctx, ServiceName, a); err != nil {
		t.Fatal(err)
	}
	r.waitCall(b, telephony.CallConnected) // hold with a held call is a swap
	// b is active, a held: hang up a alone.
	r.mgr.Hangup(r.ctx, ServiceName, a, telephony.ScopeCallOnly)
	r.waitCall(a, telephony.CallHangupLocal)
	r.waitCommand("AT+CHLD=11", 1)

	// A waiting call while b is up: accepted with AT+CHLD=2.
	r.control("ring 5551234 Alice")
	w := r.waitCall("", telephony.CallIncoming)
	if w.Name != "Alice" {
		t.Errorf("waiting call's name %q, want Alice (from +CCWA)", w.Name)
	}
	r.mgr.Accept(r.ctx, ServiceName, w.ID)
	r.waitCall(w.ID, telephony.CallConnected)
	r.waitCall(b, telephony.CallHold)
	if n := r.log.count("AT+CHLD=2"); n < 3 {
		t.Errorf("AT+CHLD=2 sent %d times, want the dial's, the activate's, the hold's and the accept's", n)
	}
}

// A number that could end the dial string never reaches the modem.
func TestNumbersAreCheckedBeforeATD(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	for _, n := range []string{"600;+CFUN=0", "600\r+CFUN=0", "60a", strings.Repeat("1", telephony.MaxNumberLen+1)} {
		// Straight on the bus, past the Manager's own check.
		id := telephony.NewCallID()
		err := qcop.Send(r.ctx, r.watcher, qcop.Message{Channel: qcop.RequestChannel(string(telephony.CallProviderInterface), ServiceName),
			Name: telephony.MsgDial, Args: []vs.Value{vs.String(id), vs.String(CallType), vs.String(n)}})
		if err != nil {
			t.Fatal(err)
		}
		c := r.waitCall(id, telephony.CallOtherFailure)
		if !strings.Contains(c.Reason, "refused before it reached the modem") {
			t.Errorf("dial %q: reason %q", n, c.Reason)
		}
	}
	for _, l := range r.log.lines() {
		if strings.HasPrefix(strings.ToUpper(l), "ATD") || strings.Contains(l, "CFUN=0") {
			t.Errorf("the modem received %q", l)
		}
	}
}

// Emergency numbers are dialled whatever the SIM: the policy decides,
// the agent does not stand in the way.
func TestEmergencyWithoutSIM(t *testing.T) {
	for _, cfg := range []sim.Config{{SIM: sim.SIMAbsent}, {PIN: "1234"}} {
		r := newRig(t, cfg)
		r.waitProblem("SIM")
		id := r.dialCall("112")
		r.waitCall(id, telephony.CallConnected)
		r.waitCommand("ATD112;", 1)
		if n := r.log.count("AT+CPIN=****"); n != 0 {
			t.Errorf("a PIN was sent %d times with no modem-pin file", n)
		}
	}
}
