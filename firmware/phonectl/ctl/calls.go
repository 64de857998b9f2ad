package ctl

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Call is one entry of phoned's call list. The texts are as published
// (from the network or the user); print them through telephony.Printable.
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
	// call never connected.
	DurationSeconds *float64 `json:"durationSeconds,omitempty"`
}

// Duration is how long the call has been connected, up to its end or,
// while it is live, up to now; ok is false for a call never connected
// (or a time stamp phonectl cannot read).
func (c Call) Duration(now time.Time) (d time.Duration, ok bool) {
	from, err := time.Parse(time.RFC3339, c.ConnectedTime)
	if err != nil {
		return 0, false
	}
	to := now
	if c.EndTime != "" {
		if to, err = time.Parse(time.RFC3339, c.EndTime); err != nil {
			return 0, false
		}
	} else if c.Final() {
		return 0, false // ended, but phoned has not said when
	}
	return max(to.Sub(from), 0), true
}

// measured returns the calls with DurationSeconds filled in as of now.
func measured(calls []Call, now time.Time) []Call {
	for i := range calls {
		if d, ok := calls[i].Duration(now); ok {
			s := d.Round(time.Millisecond).Seconds()
			calls[i].DurationSeconds = &s
		}
	}
	return calls
}

// Final reports whether the call has ended.
func (c Call) Final() bool {
	st, err := telephony.ParseCallState(c.State)
	return err == nil && st.Final()
}

// callTable folds value-space entries below /Communications/Calls into
// calls; it is fed snapshots and change batches alike.
type callTable struct {
	calls  map[string]*Call
	missed int64
}

func newCallTable() *callTable { return &callTable{calls: make(map[string]*Call)} }

func (t *callTable) set(path string, v vs.Value, removed bool) {
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
	c := t.calls[id]
	if c == nil {
		if removed {
			return
		}
		c = &Call{ID: id}
		t.calls[id] = c
	}
	s, _ := v.Str()
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
	case phoneapi.KeyCallConnectedTime:
		c.ConnectedTime = s
	case phoneapi.KeyCallEndTime:
		c.EndTime = s
	case phoneapi.KeyCallDirection:
		c.Direction = s
	case phoneapi.KeyCallSeq:
		c.Seq, _ = v.Int()
	}
}

// list returns the calls with a state, oldest first.
func (t *callTable) list() []Call {
	out := make([]Call, 0, len(t.calls))
	for _, c := range t.calls {
		if c.State != "" {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// newest returns the newest call that satisfies keep.
func (t *callTable) newest(keep func(Call) bool) (Call, bool) {
	l := t.list()
	for i := len(l) - 1; i >= 0; i-- {
		if keep == nil || keep(l[i]) {
			return l[i], true
		}
	}
	return Call{}, false
}

func readCalls(ctx context.Context, c *bus.Client) (*callTable, error) {
	entries, err := c.Snapshot(ctx, telephony.CallsPath)
	if err != nil {
		return nil, err
	}
	t := newCallTable()
	for _, e := range entries {
		t.set(e.Path, e.Value, false)
	}
	return t, nil
}
