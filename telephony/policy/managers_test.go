package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
)

// TestManagerKindIsData: which manager a service gets comes from
// [Managers] and the two reserved names, never from a call type.
func TestManagerKindIsData(t *testing.T) {
	c, err := ParseConfig([]byte("[Managers]\nfoo = generic\nvoip2 = asterisk\nmodem = generic\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		service string
		kind    Kind
		ok      bool
	}{
		{"asterisk", KindAsterisk, true},
		{"modem", KindGeneric, true}, // a mapping wins over the default
		{"foo", KindGeneric, true},
		{"voip2", KindAsterisk, true},
		{"Voice", "", false}, // a call type is no service name
		{"nobody", "", false},
	} {
		if k, ok := c.ManagerKind(tc.service); k != tc.kind || ok != tc.ok {
			t.Errorf("ManagerKind(%q) = %q, %v, want %q, %v", tc.service, k, ok, tc.kind, tc.ok)
		}
	}
	if k, ok := DefaultConfig().ManagerKind("modem"); k != KindModem || !ok {
		t.Errorf("default ManagerKind(modem) = %q, %v", k, ok)
	}
	back, err := ParseConfig(c.Format())
	if err != nil || len(back.Managers) != 3 || back.Managers["voip2"] != KindAsterisk {
		t.Errorf("ParseConfig(Format()) managers = %v, %v", back.Managers, err)
	}
	for _, text := range []string{"[Managers]\nfoo = magic\n", "[Managers]\nfo/o = generic\n"} {
		if _, err := ParseConfig([]byte(text)); !errors.Is(err, ErrBadConfig) {
			t.Errorf("ParseConfig(%q) = %v, want ErrBadConfig", text, err)
		}
	}
}

// TestNewManagerNamesItsService: a mapped service's manager answers for
// that service, so the decision dials the right one.
func TestNewManagerNamesItsService(t *testing.T) {
	cfg := DefaultConfig()
	for _, k := range Kinds() {
		m, err := NewManager(k, "svc-"+string(k), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if m.Service() != "svc-"+string(k) {
			t.Errorf("NewManager(%s).Service() = %q", k, m.Service())
		}
	}
	if _, err := NewManager("magic", "x", cfg); !errors.Is(err, ErrBadConfig) {
		t.Errorf("NewManager(magic) = %v, want ErrBadConfig", err)
	}
}

// TestGenericManager: the generic rule places any non-URI, non-emergency
// number while registered, with the service's first call type.
func TestGenericManager(t *testing.T) {
	g := NewGenericManager("foo", GenericRule{Emergency: DefaultEmergencyNumbers()})
	if g.CallType() != "" {
		t.Errorf("CallType before the service published any = %q, want \"\"", g.CallType())
	}
	for _, tc := range []struct {
		st     telephony.RegistrationState
		number string
		want   Handling
	}{
		{telephony.RegistrationNone, "600", CannotHandle},
		{telephony.RegistrationHome, "600", CanHandle},
		{telephony.RegistrationRoaming, "600", CanHandle},
		{telephony.RegistrationHome, "112", CannotHandle},
		{telephony.RegistrationHome, "sip:a@b", CannotHandle},
	} {
		g.Update(Inputs{Registration: tc.st, CallTypes: []string{"Foo", "Bar"}})
		if got := g.Handling(tc.number); got != tc.want {
			t.Errorf("generic in %s: Handling(%q) = %v, want %v", tc.st, tc.number, got, tc.want)
		}
	}
	if g.CallType() != "Foo" || g.RegistrationMessage() != "" || g.RegistrationIcon() != "generic" {
		t.Errorf("registered generic: call type %q message %q icon %q", g.CallType(), g.RegistrationMessage(), g.RegistrationIcon())
	}
	g.Update(Inputs{Registration: telephony.RegistrationSearching})
	if got, want := g.RegistrationMessage(), "foo: not registered (Searching)"; got != want {
		t.Errorf("RegistrationMessage() = %q, want %q", got, want)
	}
}

// TestRefusalWords: every refusal names its cause in words a person at the
// console can act on, for each outcome and each manager's reason.
func TestRefusalWords(t *testing.T) {
	em := DefaultEmergencyNumbers()
	newAst := func(st telephony.RegistrationState, capable bool) Manager {
		m := NewAsteriskManager(AsteriskRule{Emergency: em})
		m.Update(Inputs{Registration: st, EmergencyCapable: capable})
		return m
	}
	newModem := func(st telephony.RegistrationState, flight bool) Manager {
		m := NewModemManager(ModemRule{Emergency: em})
		m.Update(Inputs{Registration: st, FlightMode: flight})
		return m
	}
	for _, tc := range []struct {
		name     string
		number   string
		managers []Manager
		outcome  Outcome
		want     string // the whole error text
	}{
		{"emergency on a plain Asterisk account", "112", []Manager{newAst(telephony.RegistrationHome, false)}, OutcomeNoNetwork,
			"policy: no network: asterisk: 112 is an emergency number, and this Asterisk account does not route emergency calls (Asterisk.conf [Registration] EmergencyCapable is false)"},
		{"a URI", "abc@x:y", []Manager{newAst(telephony.RegistrationHome, false)}, OutcomeNoNetwork,
			`policy: no network: asterisk: "abc@x:y" is an address, not a number: Asterisk calls take the digits of a number`},
		{"not registered", "600", []Manager{newAst(telephony.RegistrationSearching, false)}, OutcomeNoNetwork,
			"policy: no network: asterisk: not registered (Searching): Searching for Asterisk network"},
		{"wrong password", "600", []Manager{newAst(telephony.RegistrationDenied, false)}, OutcomeNoNetwork,
			"policy: no network: asterisk: not registered (Denied): Asterisk Authentication Failed; check UserId and Password with iaxsettings"},
		{"flight mode, emergency", "112", []Manager{newModem(telephony.RegistrationHome, true), newAst(telephony.RegistrationHome, true)}, OutcomeReject,
			"policy: call rejected by modem: Flight mode is on: emergency calls cannot be placed. Turn flight mode off to call 112."},
		{"flight mode, no VoIP", "600", []Manager{newModem(telephony.RegistrationHome, true), newAst(telephony.RegistrationNone, false)}, OutcomeNoNetwork,
			"policy: no network: modem: flight mode is on: the radio is off (turn flight mode off to use the cellular network); asterisk: not registered (None): No Asterisk network"},
		{"no modem network", "600", []Manager{newModem(telephony.RegistrationDenied, false)}, OutcomeNoNetwork,
			"policy: no network: modem: not registered (Denied): Cellular network registration denied"},
		{"nothing running", "600", nil, OutcomeNoNetwork,
			"policy: no network: no service can place calls (none is running)"},
	} {
		d := Decide(tc.number, tc.managers, DefaultConfig())
		if d.Outcome != tc.outcome || d.Err() == nil || d.Err().Error() != tc.want {
			t.Errorf("%s: Decide(%q) = %s, %v\nwant %s, %s", tc.name, tc.number, d.Outcome, d.Err(), tc.outcome, tc.want)
		}
		if strings.Count(d.Err().Error(), "policy:") != 1 {
			t.Errorf("%s: doubled prefix in %q", tc.name, d.Err())
		}
	}
	// Placeable calls give no reason.
	for _, m := range []Manager{newAst(telephony.RegistrationHome, true), newModem(telephony.RegistrationHome, false)} {
		if r := m.(Reasoner).Reason("112"); r != "" {
			t.Errorf("%s Reason(112) = %q, want none", m.Service(), r)
		}
	}
	if got := slices.Collect(func(yield func(string) bool) {
		for _, k := range Kinds() {
			yield(string(k))
		}
	}); !slices.Equal(got, []string{"asterisk", "modem", "generic"}) {
		t.Errorf("Kinds() = %v", got)
	}
}

// The SIM's emergency numbers are emergency numbers for every manager:
// MustHandle through the modem, even without registration; refused by an
// Asterisk account that is not emergency-capable.
func TestSIMEmergencyNumbers(t *testing.T) {
	em := DefaultEmergencyNumbers()
	m := NewModemManager(ModemRule{Emergency: em})
	a := NewAsteriskManager(AsteriskRule{Emergency: em})
	if h := m.Handling("4711"); h != CannotHandle {
		t.Fatalf("modem before the SIM's list: 4711 %v, want CannotHandle", h)
	}
	m.Update(Inputs{Registration: telephony.RegistrationNone, SIMEmergency: []string{"4711", "bad;"}})
	a.Update(Inputs{Registration: telephony.RegistrationHome, SIMEmergency: []string{"4711"}})
	if h := m.Handling("4711"); h != MustHandle {
		t.Errorf("modem with the SIM's list: 4711 %v, want MustHandle", h)
	}
	if h := a.Handling("4711"); h != CannotHandle {
		t.Errorf("Asterisk, not emergency-capable: 4711 %v, want CannotHandle", h)
	}
	if h := m.Handling("bad;"); h == MustHandle {
		t.Error("a malformed SIM entry became an emergency number")
	}
	if got := em.With("4711", "112", "1-12").List(); !slices.Equal(got, append(DefaultEmergencyNumbers().List(), "4711")) {
		t.Errorf("With = %q", got)
	}
}
