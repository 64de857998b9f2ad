package ctl

import (
	"context"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Call is one entry of phoned's call list (phoneapi's reader, shared with
// the call screen).
type Call = phoneapi.Call

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

// callTable folds value-space entries below /Communications/Calls into
// calls; it is fed snapshots and change batches alike.
type callTable struct{ phoneapi.CallList }

func newCallTable() *callTable { return &callTable{} }

func (t *callTable) set(path string, v vs.Value, removed bool) { t.Apply(path, v, removed) }

// list returns the calls with a state, oldest first.
func (t *callTable) list() []Call { return t.Calls() }

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
