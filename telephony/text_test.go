package telephony

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestJSONNames(t *testing.T) {
	in := CallInfo{ID: "1", Service: "asterisk", CallType: "Asterisk", Number: "600", State: CallHangupRemote, Actions: ActionAccept | ActionTransfer}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ID":"1","Service":"asterisk","CallType":"Asterisk","Number":"600","State":"HangupRemote","Actions":"accept|transfer"}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var out CallInfo
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("round trip = %+v %v, want %+v", out, err, in)
	}
	r := Registration{State: RegistrationRoaming, Mode: OperatorModeManualAutomatic}
	b, _ = json.Marshal(r)
	var r2 Registration
	if err := json.Unmarshal(b, &r2); err != nil || r2 != r {
		t.Errorf("registration round trip %s = %+v %v", b, r2, err)
	}
	if err := json.Unmarshal([]byte(`{"State":"Ringing"}`), &out); err == nil {
		t.Errorf("unknown state accepted")
	}
	if _, err := ParseActions("accept|fly"); err == nil {
		t.Errorf("ParseActions accepted fly")
	}
}

// TestParseRegistrationState: the value-space strings of the one
// RegistrationState type the library has (the policy package uses it too).
func TestParseRegistrationState(t *testing.T) {
	for _, s := range []string{"None", "Home", "Searching", "Denied", "Unknown", "Roaming"} {
		if got, err := ParseRegistrationState(s); err != nil || got.String() != s {
			t.Errorf("ParseRegistrationState(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "Registered"} {
		if _, err := ParseRegistrationState(s); !errors.Is(err, ErrBadState) {
			t.Errorf("ParseRegistrationState(%q) error = %v, want ErrBadState", s, err)
		}
	}
	for st, want := range map[RegistrationState]bool{RegistrationHome: true, RegistrationRoaming: true,
		RegistrationNone: false, RegistrationSearching: false, RegistrationDenied: false, RegistrationUnknown: false} {
		if st.Registered() != want {
			t.Errorf("%s.Registered() = %v, want %v", st, !want, want)
		}
	}
}
