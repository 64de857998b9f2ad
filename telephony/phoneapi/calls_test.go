package phoneapi

import (
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

func TestCallList(t *testing.T) {
	var l CallList
	set := func(id, key string, v vs.Value) { l.Apply(vs.Join(telephony.CallPath(id), key), v, false) }
	set("b", KeyCallSeq, vs.Int(2))
	set("b", telephony.KeyCallState, vs.String("Incoming"))
	set("a", KeyCallSeq, vs.Int(1))
	set("a", telephony.KeyCallState, vs.String("HangupRemote"))
	set("a", telephony.KeyCallName, vs.String("Desk"))
	set("a", telephony.KeyCallReason, vs.String("busy (cause 17)"))
	set("a", KeyCallConnectedTime, vs.String("2026-12-02T10:00:00.000Z"))
	set("a", KeyCallEndTime, vs.String("2026-12-02T10:01:05.500Z"))
	set("c", telephony.KeyCallNumber, vs.String("no state yet"))
	l.Apply(telephony.MissedCallsPath, vs.Int(3), false)
	calls := l.Calls()
	if len(calls) != 2 || calls[0].ID != "a" || calls[1].ID != "b" || l.Missed() != 3 {
		t.Fatalf("Calls() = %+v, missed %d; want a then b (the call without a state left out), 3 missed", calls, l.Missed())
	}
	if d, ok := calls[0].Duration(time.Time{}); !ok || d != 65500*time.Millisecond || !calls[0].Final() {
		t.Errorf("ended call duration = %v, %v, want 1m5.5s", d, ok)
	}
	if _, ok := calls[1].Duration(time.Now()); ok {
		t.Errorf("a call never connected has a duration")
	}
	l.Apply(telephony.CallPath("a"), vs.Value{}, true)
	if got := l.Calls(); len(got) != 1 || got[0].ID != "b" {
		t.Errorf("after removing a: %+v", got)
	}
}
