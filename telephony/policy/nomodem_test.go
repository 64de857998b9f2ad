package policy

import (
	"errors"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
)

// TestNoModemPlaceholder: without a modem agent the cellular placeholder
// refuses an emergency number in flight mode at once with the contract's
// words, even when an emergency-capable Asterisk account could place it;
// with flight mode off it steps aside, and when nothing can place an
// emergency call the refusal says why in words, never "no network".
func TestNoModemPlaceholder(t *testing.T) {
	cfg := DefaultConfig()
	newAst := func(st telephony.RegistrationState, capable bool) Manager {
		m := NewAsteriskManager(AsteriskRule{Emergency: cfg.Emergency})
		m.Update(Inputs{Registration: st, EmergencyCapable: capable})
		return m
	}
	newPH := func(flight bool) Manager {
		m := NewNoModemManager(cfg)
		m.Update(Inputs{Registration: telephony.RegistrationHome, FlightMode: flight})
		return m
	}
	for _, tc := range []struct {
		name     string
		number   string
		managers []Manager
		outcome  Outcome
		service  string // the chosen or rejecting manager
		want     string // the whole error text; "" for a dial
		is       error
	}{
		{"flight, 112, capable VoIP", "112", []Manager{newPH(true), newAst(telephony.RegistrationHome, true)}, OutcomeReject, "modem",
			"policy: call rejected by modem: Flight mode is on: emergency calls cannot be placed. Turn flight mode off to call 112.", ErrRejected},
		{"flight, 911, nothing else", "911", []Manager{newPH(true)}, OutcomeReject, "modem",
			"policy: call rejected by modem: Flight mode is on: emergency calls cannot be placed. Turn flight mode off to call 911.", ErrRejected},
		{"flight, 600 through VoIP", "600", []Manager{newPH(true), newAst(telephony.RegistrationHome, false)}, OutcomeDial, "asterisk", "", nil},
		{"no flight, 112, capable VoIP", "112", []Manager{newPH(false), newAst(telephony.RegistrationHome, true)}, OutcomeDial, "asterisk", "", nil},
		{"no flight, 112, plain VoIP", "112", []Manager{newPH(false), newAst(telephony.RegistrationHome, false)}, OutcomeNoNetwork, "",
			"No service can place emergency calls: no cellular modem, and the Asterisk account is not emergency-capable", ErrNoNetwork},
		{"no flight, 112, VoIP searching", "112", []Manager{newAst(telephony.RegistrationSearching, true), newPH(false)}, OutcomeNoNetwork, "",
			"No service can place emergency calls: no cellular modem, and the Asterisk account is not registered (Searching)", ErrNoEmergencyService},
		{"no flight, 112, no VoIP", "112", []Manager{newPH(false)}, OutcomeNoNetwork, "",
			"No service can place emergency calls: no cellular modem", ErrNoEmergencyService},
		{"no flight, 600, no VoIP", "600", []Manager{newPH(false)}, OutcomeNoNetwork, "",
			"policy: no network: no service can place calls (none is running)", ErrNoNetwork},
		{"flight, 600, no VoIP", "600", []Manager{newPH(true)}, OutcomeNoNetwork, "",
			"policy: no network: " + MsgFlightMode, ErrNoNetwork},
	} {
		d := Decide(tc.number, tc.managers, cfg)
		if d.Outcome != tc.outcome {
			t.Errorf("%s: outcome %s, want %s (%v)", tc.name, d.Outcome, tc.outcome, d.Err())
			continue
		}
		if tc.service != "" && (d.Manager == nil || d.Manager.Service() != tc.service) {
			t.Errorf("%s: manager %v, want %s", tc.name, d.Manager, tc.service)
		}
		err := d.Err()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: error %v, want none", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%s: error %v\nwant %s", tc.name, err, tc.want)
		case tc.is != nil && !errors.Is(err, tc.is):
			t.Errorf("%s: error %v does not wrap %v", tc.name, err, tc.is)
		}
	}
}

func TestNoModemPlaceholderStatus(t *testing.T) {
	m := NewNoModemManager(DefaultConfig())
	if m.RegistrationMessage() != "" || m.RegistrationIcon() != "cellular-offline" || m.IsAvailable("112") {
		t.Errorf("off: %q %q %v", m.RegistrationMessage(), m.RegistrationIcon(), m.IsAvailable("112"))
	}
	m.Update(Inputs{FlightMode: true})
	if m.RegistrationMessage() != MsgFlightMode || m.RegistrationIcon() != "flightmode" {
		t.Errorf("flight: %q %q", m.RegistrationMessage(), m.RegistrationIcon())
	}
	var _ Fed = m
}
