package policy

import (
	"github.com/ringo-phone/ringo/telephony"

	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// fakeManager answers a fixed Handling for every number.
type fakeManager struct {
	service, callType string
	h                 Handling
	msg               string
}

func (f fakeManager) Service() string      { return f.service }
func (f fakeManager) CallType() string     { return f.callType }
func (f fakeManager) DisplayName() string  { return f.callType }
func (f fakeManager) CallTypeIcon() string { return "" }
func (f fakeManager) RegistrationState() telephony.RegistrationState {
	return telephony.RegistrationHome
}
func (f fakeManager) RegistrationMessage() string { return f.msg }
func (f fakeManager) RegistrationIcon() string    { return "" }
func (f fakeManager) Handling(string) Handling    { return f.h }
func (f fakeManager) IsAvailable(string) bool     { return available(f.h) }

// summary renders a decision compactly: "Dial modem", "Choose modem,asterisk",
// "Reject asterisk [msg]", "NoNetwork [a; b]".
func summary(d Decision) string {
	switch d.Outcome {
	case OutcomeDial:
		return "Dial " + d.Manager.Service()
	case OutcomeChoose:
		var s []string
		for _, m := range d.Candidates {
			s = append(s, m.Service())
		}
		return "Choose " + strings.Join(s, ",")
	case OutcomeReject:
		return fmt.Sprintf("Reject %s [%s]", d.Manager.Service(), strings.Join(d.Messages, "; "))
	}
	return fmt.Sprintf("NoNetwork [%s]", strings.Join(d.Messages, "; "))
}

// TestDecideEveryPairCombination covers all 16 answer combinations of two
// managers, modem ranked before asterisk, given in both orders.
func TestDecideEveryPairCombination(t *testing.T) {
	C, A, M, N := CannotHandle, CanHandle, MustHandle, NeverHandle
	tests := []struct {
		modem, asterisk Handling
		want            string
	}{
		{C, C, "NoNetwork [m-msg; a-msg]"},
		{C, A, "Dial asterisk"},
		{C, M, "Dial asterisk"},
		{C, N, "Reject asterisk [a-msg]"},
		{A, C, "Dial modem"},
		{A, A, "Choose modem,asterisk"},
		{A, M, "Dial asterisk"},
		{A, N, "Reject asterisk [a-msg]"},
		{M, C, "Dial modem"},
		{M, A, "Dial modem"},
		{M, M, "Dial modem"},
		{M, N, "Dial modem"},
		{N, C, "Reject modem [m-msg]"},
		{N, A, "Reject modem [m-msg]"},
		{N, M, "Dial asterisk"},
		{N, N, "Reject modem [m-msg]"},
	}
	cfg := DefaultConfig()
	for _, tt := range tests {
		m := fakeManager{"modem", "Voice", tt.modem, "m-msg"}
		a := fakeManager{"asterisk", "Asterisk", tt.asterisk, "a-msg"}
		for _, order := range [][]Manager{{m, a}, {a, m}} {
			if got := summary(Decide("1234", order, cfg)); got != tt.want {
				t.Errorf("Decide(modem=%v, asterisk=%v, order %s first) = %q, want %q",
					tt.modem, tt.asterisk, order[0].Service(), got, tt.want)
			}
		}
	}
}

// TestDecideOrderIndependent checks every combination of three managers'
// answers in every order gives the same decision, and that the decision
// follows the rules checked one by one here.
func TestDecideOrderIndependent(t *testing.T) {
	all := []Handling{CannotHandle, CanHandle, MustHandle, NeverHandle}
	perms := [][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	// Priority lists "b" first and "a" second; "z" is unlisted.
	cfg := Config{Priority: []string{"b", "a"}, Emergency: DefaultEmergencyNumbers()}
	for _, ha := range all {
		for _, hb := range all {
			for _, hz := range all {
				ms := []Manager{
					fakeManager{"a", "A", ha, "msg-a"},
					fakeManager{"b", "B", hb, "msg-b"},
					fakeManager{"z", "Z", hz, "msg-z"},
				}
				ranked := []fakeManager{ms[1].(fakeManager), ms[0].(fakeManager), ms[2].(fakeManager)}
				want := ""
				for _, f := range ranked {
					if want == "" && f.h == MustHandle {
						want = "Dial " + f.service
					}
				}
				for _, f := range ranked {
					if want == "" && f.h == NeverHandle {
						want = "Reject " + f.service + " [msg-" + f.service + "]"
					}
				}
				if want == "" {
					var can []string
					for _, f := range ranked {
						if f.h == CanHandle {
							can = append(can, f.service)
						}
					}
					switch len(can) {
					case 0:
						want = "NoNetwork [msg-b; msg-a; msg-z]"
					case 1:
						want = "Dial " + can[0]
					default:
						want = "Choose " + strings.Join(can, ",")
					}
				}
				for _, p := range perms {
					in := []Manager{ms[p[0]], ms[p[1]], ms[p[2]]}
					if got := summary(Decide("5", in, cfg)); got != want {
						t.Errorf("Decide(a=%v b=%v z=%v, order %v) = %q, want %q", ha, hb, hz, p, got, want)
					}
				}
			}
		}
	}
}

func TestDecideRanksUnlistedByName(t *testing.T) {
	cfg := Config{Priority: []string{"modem"}, Emergency: DefaultEmergencyNumbers()}
	ms := []Manager{
		fakeManager{"voip", "VoIP", MustHandle, ""},
		fakeManager{"asterisk", "Asterisk", MustHandle, ""},
	}
	if got, want := summary(Decide("1", ms, cfg)), "Dial asterisk"; got != want {
		t.Errorf("two unlisted MustHandle: got %q, want %q", got, want)
	}
	ms = append(ms, fakeManager{"modem", "Voice", MustHandle, ""})
	if got, want := summary(Decide("1", ms, cfg)), "Dial modem"; got != want {
		t.Errorf("listed MustHandle among unlisted: got %q, want %q", got, want)
	}
	// Same service name twice (two call types): ranked by call type.
	ms = []Manager{fakeManager{"x", "Video", CanHandle, ""}, fakeManager{"x", "Audio", CanHandle, ""}}
	d := Decide("1", ms, cfg)
	if d.Outcome != OutcomeChoose || d.Candidates[0].CallType() != "Audio" || d.Candidates[1].CallType() != "Video" {
		t.Errorf("same service, two call types: got %s %v, want Choose Audio, Video", d.Outcome, d.Candidates)
	}
}

func TestDecideNoManagers(t *testing.T) {
	d := Decide("1234", nil, DefaultConfig())
	want := ErrNoNetwork.Error() + ": no service can place calls (none is running)"
	if d.Outcome != OutcomeNoNetwork || !errors.Is(d.Err(), ErrNoNetwork) || d.Err().Error() != want {
		t.Errorf("Decide with no managers = %s, %v; want NoNetwork, %v", d.Outcome, d.Err(), want)
	}
}

// world is the seed's two services with real rules.
type world struct {
	modemState, asteriskState telephony.RegistrationState
	flight, emergencyCapable  bool
}

func (w world) managers() (*ModemManager, *AsteriskManager) {
	em := DefaultEmergencyNumbers()
	m := NewModemManager(ModemRule{Emergency: em})
	m.SetRegistrationState(w.modemState)
	m.SetFlightMode(w.flight)
	a := NewAsteriskManager(AsteriskRule{Emergency: em, EmergencyCapable: w.emergencyCapable})
	a.SetRegistrationState(w.asteriskState)
	return m, a
}

// TestDecideSeedCases are the situations the VoIP integration guide names,
// plus flight mode.
func TestDecideSeedCases(t *testing.T) {
	H, N, S, D, R := telephony.RegistrationHome, telephony.RegistrationNone, telephony.RegistrationSearching, telephony.RegistrationDenied, telephony.RegistrationRoaming
	tests := []struct {
		name   string
		w      world
		number string
		want   string
		emerg  bool
	}{
		{"uri with @: neither service takes it", world{H, H, false, false}, "100@pbx", "NoNetwork []", false},
		{"uri with : and modem offline", world{N, H, false, false}, "sip:100", "NoNetwork [" + MsgNoCellularNetwork + "]", false},
		{"both registered: user chooses", world{H, H, false, false}, "100", "Choose modem,asterisk", false},
		{"modem roaming and asterisk home", world{R, H, false, false}, "100", "Choose modem,asterisk", false},
		{"asterisk only", world{N, H, false, false}, "100", "Dial asterisk", false},
		{"modem only", world{H, S, false, false}, "100", "Dial modem", false},
		{"asterisk roaming cannot", world{N, R, false, false}, "100", "NoNetwork [" + MsgNoCellularNetwork + "; " + MsgNoAsteriskNetwork + "]", false},
		{"nothing registered", world{S, D, false, false}, "100", "NoNetwork [" + MsgSearchingCellular + "; " + MsgAsteriskAuthFailed + "]", false},
		{"emergency: modem must handle", world{H, H, false, false}, "112", "Dial modem", true},
		{"emergency: modem must handle unregistered", world{N, H, false, true}, "911", "Dial modem", true},
		{"emergency with separators", world{N, H, false, false}, "1 1-2", "Dial modem", true},
		{"flight mode rejects emergency", world{H, H, true, true}, "112", "Reject modem [" + MsgFlightMode + "]", true},
		{"flight mode: asterisk still dials", world{H, H, true, false}, "100", "Dial asterisk", false},
		{"flight mode: no asterisk", world{H, S, true, false}, "100", "NoNetwork [" + MsgFlightMode + "; " + MsgSearchingAsteriskNetwork + "]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, a := tt.w.managers()
			d := Decide(tt.number, []Manager{a, m}, DefaultConfig())
			if got := summary(d); got != tt.want {
				t.Errorf("Decide(%q) = %q, want %q", tt.number, got, tt.want)
			}
			if d.Emergency != tt.emerg {
				t.Errorf("Decide(%q).Emergency = %v, want %v", tt.number, d.Emergency, tt.emerg)
			}
		})
	}
}

// TestDecideEmergencyWithoutModem: an emergency-capable Asterisk places
// emergency calls when there is no modem service.
func TestDecideEmergencyWithoutModem(t *testing.T) {
	for _, capable := range []bool{false, true} {
		_, a := world{asteriskState: telephony.RegistrationHome, emergencyCapable: capable}.managers()
		got := summary(Decide("999", []Manager{a}, DefaultConfig()))
		want := "NoNetwork []"
		if capable {
			want = "Dial asterisk"
		}
		if got != want {
			t.Errorf("EmergencyCapable=%v: Decide(999) = %q, want %q", capable, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	m, a := world{telephony.RegistrationHome, telephony.RegistrationHome, false, false}.managers()
	choose := Decide("100", []Manager{m, a}, DefaultConfig())
	dial := Decide("112", []Manager{m, a}, DefaultConfig())
	m2, a2 := world{telephony.RegistrationNone, telephony.RegistrationNone, true, false}.managers()
	reject := Decide("112", []Manager{m2, a2}, DefaultConfig())
	nonet := Decide("100", []Manager{m2, a2}, DefaultConfig())
	tests := []struct {
		d        Decision
		callType string
		want     string // service, or the error
		wantErr  error
	}{
		{choose, "Asterisk", "asterisk", nil},
		{choose, "Voice", "modem", nil},
		{choose, "", "", ErrChoiceNeeded},
		{choose, "Fax", "", ErrNotCandidate},
		{dial, "", "modem", nil},
		{dial, "Voice", "modem", nil},
		{dial, "Asterisk", "", ErrNotCandidate},
		{reject, "Voice", "", ErrRejected},
		{nonet, "", "", ErrNoNetwork},
	}
	for _, tt := range tests {
		got, err := tt.d.Resolve(tt.callType)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s.Resolve(%q) error = %v, want %v", tt.d.Outcome, tt.callType, err, tt.wantErr)
			continue
		}
		if err == nil && got.Service() != tt.want {
			t.Errorf("%s.Resolve(%q) = %s, want %s", tt.d.Outcome, tt.callType, got.Service(), tt.want)
		}
	}
	if _, err := choose.Resolve(""); err.Error() != ErrChoiceNeeded.Error()+": Voice, Asterisk" {
		t.Errorf("choice error = %q, want the candidates listed", err)
	}
	if err := reject.Err(); err.Error() != ErrRejected.Error()+" by modem: "+FlightModeEmergencyRefusal("112") {
		t.Errorf("reject error = %q", err)
	}
}

func TestAsteriskRule(t *testing.T) {
	em := DefaultEmergencyNumbers()
	states := []telephony.RegistrationState{telephony.RegistrationNone, telephony.RegistrationHome, telephony.RegistrationSearching, telephony.RegistrationDenied, telephony.RegistrationUnknown, telephony.RegistrationRoaming}
	for _, st := range states {
		for _, capable := range []bool{false, true} {
			r := AsteriskRule{Emergency: em, EmergencyCapable: capable}
			for _, number := range []string{"100", "a@b", "sip:1", "112", "08", "+44 20 7946 0000"} {
				want := CanHandle
				switch {
				case strings.ContainsAny(number, "@:"), st != telephony.RegistrationHome:
					want = CannotHandle
				case slices.Contains(em.List(), number) && !capable:
					want = CannotHandle
				}
				if got := r.Handling(number, st); got != want {
					t.Errorf("AsteriskRule{capable=%v}.Handling(%q, %s) = %v, want %v", capable, number, st, got, want)
				}
			}
		}
	}
	msgs := map[telephony.RegistrationState]string{
		telephony.RegistrationNone: MsgNoAsteriskNetwork, telephony.RegistrationHome: "", telephony.RegistrationSearching: MsgSearchingAsteriskNetwork,
		telephony.RegistrationDenied: MsgAsteriskAuthFailed, telephony.RegistrationUnknown: MsgNoAsteriskNetwork, telephony.RegistrationRoaming: MsgNoAsteriskNetwork,
	}
	for st, want := range msgs {
		if got := (AsteriskRule{}).RegistrationMessage(st); got != want {
			t.Errorf("AsteriskRule.RegistrationMessage(%s) = %q, want %q", st, got, want)
		}
	}
	if MsgNoAsteriskNetwork != "No Asterisk network" || MsgSearchingAsteriskNetwork != "Searching for Asterisk network" || MsgAsteriskAuthFailed != "Asterisk Authentication Failed" {
		t.Error("Asterisk messages differ from the seed's wording")
	}
}

func TestModemRule(t *testing.T) {
	r := ModemRule{Emergency: DefaultEmergencyNumbers()}
	tests := []struct {
		number string
		st     telephony.RegistrationState
		flight bool
		want   Handling
	}{
		{"112", telephony.RegistrationNone, false, MustHandle},
		{"112", telephony.RegistrationHome, false, MustHandle},
		{"112", telephony.RegistrationHome, true, NeverHandle},
		{"000", telephony.RegistrationDenied, true, NeverHandle},
		{"100", telephony.RegistrationHome, true, CannotHandle},
		{"100", telephony.RegistrationHome, false, CanHandle},
		{"100", telephony.RegistrationRoaming, false, CanHandle},
		{"100", telephony.RegistrationSearching, false, CannotHandle},
		{"100", telephony.RegistrationDenied, false, CannotHandle},
		{"100", telephony.RegistrationUnknown, false, CannotHandle},
		{"100", telephony.RegistrationNone, false, CannotHandle},
		{"x@y", telephony.RegistrationHome, false, CannotHandle},
		{"tel:1", telephony.RegistrationHome, false, CannotHandle},
	}
	for _, tt := range tests {
		if got := r.Handling(tt.number, tt.st, tt.flight); got != tt.want {
			t.Errorf("ModemRule.Handling(%q, %s, flight=%v) = %v, want %v", tt.number, tt.st, tt.flight, got, tt.want)
		}
	}
}

func TestManagersReportState(t *testing.T) {
	m, a := world{telephony.RegistrationRoaming, telephony.RegistrationDenied, false, false}.managers()
	if got := []string{m.Service(), m.CallType(), m.DisplayName(), m.CallTypeIcon(), m.RegistrationState().String(), m.RegistrationMessage(), m.RegistrationIcon()}; !slices.Equal(got, []string{"modem", "Voice", "Cellular", "cellular", "Roaming", "Roaming", "cellular-roaming"}) {
		t.Errorf("modem manager reports %q", got)
	}
	if got := []string{a.Service(), a.CallType(), a.DisplayName(), a.CallTypeIcon(), a.RegistrationState().String(), a.RegistrationMessage(), a.RegistrationIcon()}; !slices.Equal(got, []string{"asterisk", "Asterisk", "Asterisk", "asterisk", "Denied", MsgAsteriskAuthFailed, "asterisk-offline"}) {
		t.Errorf("asterisk manager reports %q", got)
	}
	m.SetFlightMode(true)
	if !m.FlightMode() || m.RegistrationMessage() != MsgFlightMode || m.RegistrationIcon() != "flightmode" || m.IsAvailable("112") || m.IsAvailable("100") {
		t.Errorf("flight mode: message %q icon %q available(112)=%v", m.RegistrationMessage(), m.RegistrationIcon(), m.IsAvailable("112"))
	}
	m.SetFlightMode(false)
	if !m.IsAvailable("112") || !m.IsAvailable("100") {
		t.Error("modem roaming, flight off: IsAvailable(112) and IsAvailable(100) should be true")
	}
	a.SetRegistrationState(telephony.RegistrationHome)
	if !a.IsAvailable("100") || a.IsAvailable("112") || a.RegistrationIcon() != "asterisk" || a.RegistrationMessage() != "" {
		t.Errorf("asterisk Home: available(100)=%v available(112)=%v icon %q msg %q", a.IsAvailable("100"), a.IsAvailable("112"), a.RegistrationIcon(), a.RegistrationMessage())
	}
}

func TestStrings(t *testing.T) {
	if got := fmt.Sprint(CannotHandle, CanHandle, MustHandle, NeverHandle, Handling(9)); got != "CannotHandle CanHandle MustHandle NeverHandle Handling(9)" {
		t.Errorf("Handling strings = %q", got)
	}
	if got := fmt.Sprint(OutcomeNoNetwork, OutcomeDial, OutcomeChoose, OutcomeReject, Outcome(7)); got != "NoNetwork Dial Choose Reject Outcome(7)" {
		t.Errorf("Outcome strings = %q", got)
	}
}

// TestManagersConcurrent: phoned updates state from the bus while the dialer
// decides (for -race).
func TestManagersConcurrent(t *testing.T) {
	m, a := world{telephony.RegistrationHome, telephony.RegistrationHome, false, false}.managers()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			m.SetFlightMode(i%2 == 0)
			a.SetRegistrationState([]telephony.RegistrationState{telephony.RegistrationHome, telephony.RegistrationSearching}[i%2])
		}
	}()
	for range 200 {
		d := Decide("112", []Manager{m, a}, DefaultConfig())
		if d.Outcome != OutcomeDial && d.Outcome != OutcomeReject {
			t.Fatalf("Decide(112) = %v, want Dial or Reject", d.Outcome)
		}
	}
	<-done
}
