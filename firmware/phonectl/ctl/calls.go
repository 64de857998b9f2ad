package ctl

import (
	"context"
	"sort"
	"strings"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Call is one entry of phoned's call list.
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
