package server

import (
	"sort"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// StartTimeLayout is the format of /Communications/Calls/<id>/startTime.
const StartTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// callList is phoned's call list: every call a service announced, kept
// after it ended (up to keep ended calls), and the missed-call count. It
// turns announcements into value-space operations; it does no I/O and is
// guarded by its owner.
type callList struct {
	keep   int
	seq    int64
	missed int64
	calls  map[string]*callRecord
	dirty  bool // the history (ended calls, missed, seq) changed since it was saved
}

type callRecord struct {
	info      telephony.CallInfo
	seq       int64
	incoming  bool
	connected bool
	ended     bool
	notified  bool // the console was told it rings

	start, connectedAt, endAt time.Time
}

func newCallList(keep int) *callList {
	return &callList{keep: keep, calls: make(map[string]*callRecord)}
}

// initOps publishes the empty list's missed-call count.
func (l *callList) initOps() []vs.Op {
	return []vs.Op{vs.SetOp(telephony.MissedCallsPath, vs.Int(l.missed))}
}

// update records one announced transaction and returns the operations
// that show it (one atomic batch), the calls that changed, and the calls
// announced in state Idle, which the list does not take: an announced call
// has a state.
func (l *callList) update(calls []telephony.CallInfo, now time.Time) (ops []vs.Op, changed, idle []telephony.CallInfo) {
	for _, c := range calls {
		if c.State == telephony.CallIdle {
			idle = append(idle, c)
			continue
		}
		r := l.calls[c.ID]
		if r == nil {
			l.seq++
			r = &callRecord{seq: l.seq, incoming: c.State == telephony.CallIncoming, start: now}
			l.calls[c.ID] = r
			dir := "outgoing"
			if r.incoming {
				dir = "incoming"
			}
			p := telephony.CallPath(c.ID)
			ops = append(ops,
				vs.SetOp(vs.Join(p, phoneapi.KeyCallSeq), vs.Int(r.seq)),
				vs.SetOp(vs.Join(p, phoneapi.KeyCallDirection), vs.String(dir)),
				vs.SetOp(vs.Join(p, telephony.KeyCallStartTime), vs.String(now.UTC().Format(StartTimeLayout))))
		} else if r.ended || r.info == c {
			continue
		}
		r.info = c
		changed = append(changed, c)
		p := telephony.CallPath(c.ID)
		if (c.State == telephony.CallConnected || c.State == telephony.CallHold) && !r.connected {
			r.connected = true
			r.connectedAt = now
			ops = append(ops, vs.SetOp(vs.Join(p, phoneapi.KeyCallConnectedTime), vs.String(now.UTC().Format(StartTimeLayout))))
		}
		ops = append(ops, telephony.CallOps([]telephony.CallInfo{c})...)
		if c.State.Final() {
			r.ended = true
			r.endAt = now
			l.dirty = true
			ops = append(ops, vs.SetOp(vs.Join(p, phoneapi.KeyCallEndTime), vs.String(now.UTC().Format(StartTimeLayout))))
			if c.State == telephony.CallMissed || (r.incoming && !r.connected) {
				l.missed++
				ops = append(ops, vs.SetOp(telephony.MissedCallsPath, vs.Int(l.missed)))
			}
		}
	}
	return append(ops, l.pruneOps()...), changed, idle
}

// endService ends every live call of service in ServiceHangup: its agent is
// gone and cannot announce them any more.
func (l *callList) endService(service string, now time.Time) []vs.Op {
	var gone []telephony.CallInfo
	for _, r := range l.sorted() {
		if r.info.Service == service && !r.ended {
			c := r.info
			c.State = telephony.CallServiceHangup
			c.Actions = 0
			c.Reason = "the " + service + " service went away (its agent stopped or crashed)"
			gone = append(gone, c)
		}
	}
	ops, _, _ := l.update(gone, now)
	return ops
}

// pruneOps removes the oldest ended calls beyond keep.
func (l *callList) pruneOps() []vs.Op {
	var ended []*callRecord
	for _, r := range l.sorted() {
		if r.ended {
			ended = append(ended, r)
		}
	}
	var ops []vs.Op
	for len(ended) > l.keep {
		r := ended[0]
		ended = ended[1:]
		delete(l.calls, r.info.ID)
		l.dirty = true
		ops = append(ops, vs.RemoveOp(telephony.CallPath(r.info.ID)))
	}
	return ops
}

// sorted returns the records oldest first.
func (l *callList) sorted() []*callRecord {
	out := make([]*callRecord, 0, len(l.calls))
	for _, r := range l.calls {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// ringing reports, once per call, that an incoming call id is ringing:
// the first time it is asked while the call is Incoming.
func (l *callList) ringing(id string) bool {
	r := l.calls[id]
	if r == nil || r.notified || r.info.State != telephony.CallIncoming {
		return false
	}
	r.notified = true
	return true
}

// live returns the calls that have not ended, oldest first.
func (l *callList) live() []telephony.CallInfo {
	var out []telephony.CallInfo
	for _, r := range l.sorted() {
		if !r.ended {
			out = append(out, r.info)
		}
	}
	return out
}
