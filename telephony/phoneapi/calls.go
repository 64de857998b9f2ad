package phoneapi

import (
	"sort"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Call is one entry of phoned's call list, /Communications/Calls/<id>/, as
// a console program or a call screen reads it. The texts are as published
// (from the network or the user): print them through telephony.Printable.
type Call struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	Number    string `json:"number"`
	Service   string `json:"service"`
	CallType  string `json:"callType"`
	Actions   string `json:"actions"`
	Direction string `json:"direction"`
	StartTime string `json:"startTime"`
	Seq       int64  `json:"seq"`
	// Name is the remote party's name, when the network gave one.
	Name string `json:"name,omitempty"`
	// Reason says why an ended call ended, when the service said more than
	// its final state.
	Reason string `json:"reason,omitempty"`
	// ConnectedTime and EndTime are when phoned saw the call first
	// connected and when it ended (phoned's time stamps, like StartTime).
	ConnectedTime string `json:"connectedTime,omitempty"`
	EndTime       string `json:"endTime,omitempty"`
	// DurationSeconds is how long the call has been connected: from
	// ConnectedTime to EndTime, or to now for a live call. Absent for a
	// call never connected. Filled by the reader that knows "now".
	DurationSeconds *float64 `json:"durationSeconds,omitempty"`
}

// Final reports whether the call has ended.
func (c Call) Final() bool {
	st, err := telephony.ParseCallState(c.State)
	return err == nil && st.Final()
}

// Time parses one of the call's time stamps (StartTime, ConnectedTime,
// EndTime); the zero time when it is absent or unreadable.
func Time(stamp string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Duration is how long the call has been connected, up to its end or,
// while it is live, up to now; ok is false for a call never connected
// (or a time stamp that does not parse).
func (c Call) Duration(now time.Time) (d time.Duration, ok bool) {
	from := Time(c.ConnectedTime)
	if from.IsZero() {
		return 0, false
	}
	to := now
	if c.EndTime != "" {
		if to = Time(c.EndTime); to.IsZero() {
			return 0, false
		}
	} else if c.Final() {
		return 0, false // ended, but phoned has not said when
	}
	return max(to.Sub(from), 0), true
}

// CallList folds value-space entries below /Communications/Calls (and the
// missed-call count) into calls; feed it snapshot entries and change
// batches alike. The zero value is ready.
type CallList struct {
	calls  map[string]*Call
	missed int64
}

// Apply folds in one entry: path and value as in a vs.Change.
func (t *CallList) Apply(path string, v vs.Value, removed bool) {
	if path == telephony.MissedCallsPath {
		t.missed, _ = v.Int()
		return
	}
	rest, ok := strings.CutPrefix(path, telephony.CallsPath+"/")
	if !ok {
		return
	}
	id, key, _ := strings.Cut(rest, "/")
	if removed && key == "" {
		delete(t.calls, id)
		return
	}
	if t.calls == nil {
		t.calls = make(map[string]*Call)
	}
	c := t.calls[id]
	if c == nil {
		if removed {
			return
		}
		c = &Call{ID: id}
		t.calls[id] = c
	}
	s, _ := v.Str()
	if removed {
		s = ""
	}
	switch key {
	case telephony.KeyCallState:
		c.State = s
	case telephony.KeyCallNumber:
		c.Number = s
	case telephony.KeyCallService:
		c.Service = s
	case telephony.KeyCallType:
		c.CallType = s
	case telephony.KeyCallActions:
		c.Actions = s
	case telephony.KeyCallStartTime:
		c.StartTime = s
	case telephony.KeyCallName:
		c.Name = s
	case telephony.KeyCallReason:
		c.Reason = s
	case KeyCallConnectedTime:
		c.ConnectedTime = s
	case KeyCallEndTime:
		c.EndTime = s
	case KeyCallDirection:
		c.Direction = s
	case KeyCallSeq:
		c.Seq, _ = v.Int()
	}
}

// Calls returns the calls that have a state, oldest first.
func (t *CallList) Calls() []Call {
	out := make([]Call, 0, len(t.calls))
	for _, c := range t.calls {
		if c.State != "" {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Get returns call id as far as it is known (it may have no state yet).
func (t *CallList) Get(id string) (Call, bool) {
	c, ok := t.calls[id]
	if !ok {
		return Call{}, false
	}
	return *c, true
}

// Missed is the missed-call count.
func (t *CallList) Missed() int64 { return t.missed }
