package server

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/policy"
)

// [Policy] EmergencyNumbers replaces the default rest of the list, never
// 112 and 911.
func TestEmergencyListKeeps112And911(t *testing.T) {
	dir := t.TempDir()
	c, err := loadPolicyConfig(dir)
	if err != nil || !slices.Equal(c.Emergency.List(), policy.DefaultEmergencyNumbers().List()) {
		t.Errorf("defaults: %q, %v; want %q", c.Emergency.List(), err, policy.DefaultEmergencyNumbers().List())
	}
	if err := os.WriteFile(filepath.Join(dir, policy.ConfigFile), []byte("[Policy]\nEmergencyNumbers = 999, 911\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = loadPolicyConfig(dir)
	if want := []string{"112", "911", "999"}; err != nil || !slices.Equal(c.Emergency.List(), want) {
		t.Errorf("EmergencyNumbers = 999, 911: %q, %v; want %q", c.Emergency.List(), err, want)
	}
}

// Only a tracked emergency call that ends before it connected, and not by
// a hang-up here, fails over; a call that connected is forgotten.
func TestEmergencyFailedBeforeConnecting(t *testing.T) {
	s := &Server{}
	call := func(id string, st telephony.CallState) telephony.CallInfo {
		return telephony.CallInfo{ID: id, Service: "modem", Number: "112", State: st}
	}
	for _, tc := range []struct {
		states []telephony.CallState
		want   bool
	}{
		{[]telephony.CallState{telephony.CallDialing, telephony.CallNetworkFailure}, true},
		{[]telephony.CallState{telephony.CallDialing, telephony.CallAlerting, telephony.CallHangupRemote}, true},
		{[]telephony.CallState{telephony.CallOtherFailure}, true},
		{[]telephony.CallState{telephony.CallDialing, telephony.CallHangupLocal}, false},
		{[]telephony.CallState{telephony.CallDialing, telephony.CallConnected, telephony.CallNetworkFailure}, false},
	} {
		s.trackEmergencyLocked("a", "112")
		got := false
		for _, st := range tc.states {
			got = s.emergencyFailedLocked(call("a", st)) || got
		}
		if got != tc.want {
			t.Errorf("%v: failed over %t, want %t", tc.states, got, tc.want)
		}
		if _, left := s.emergencyDials["a"]; left {
			t.Errorf("%v: the call is still tracked", tc.states)
		}
	}
	if s.emergencyFailedLocked(call("b", telephony.CallNetworkFailure)) {
		t.Error("an untracked call failed over")
	}
}
