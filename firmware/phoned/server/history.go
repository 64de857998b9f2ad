package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// HistoryFile is the call history's file in the state directory.
const HistoryFile = "calls.json"

// historyVersion is the file format; a file of another version is not read.
const historyVersion = 1

// history is what phoned keeps of the call list across a restart and a
// reboot: the ended calls (at most -keep-ended), the missed-call count and
// the last sequence number handed out, so that seq carries on.
type history struct {
	Version int            `json:"version"`
	Seq     int64          `json:"seq"`
	Missed  int64          `json:"missed"`
	Calls   []historyEntry `json:"calls"`
}

type historyEntry struct {
	Seq       int64     `json:"seq"`
	ID        string    `json:"id"`
	Service   string    `json:"service"`
	CallType  string    `json:"callType"`
	Number    string    `json:"number"`
	Name      string    `json:"name,omitempty"`
	Direction string    `json:"direction"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"`
	Start     time.Time `json:"start"`
	Connected time.Time `json:"connected,omitzero"`
	End       time.Time `json:"end"`
}

// loadHistory reads dir/calls.json. A missing file is an empty history
// (nil, nil); a file that cannot be read or makes no sense is an error
// saying what is wrong with it, and the caller starts empty.
func loadHistory(dir string) (*history, error) {
	path := filepath.Join(dir, HistoryFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("call history %s: %w", path, err)
	}
	var h history
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("call history %s is corrupt (%w); it is set aside as %s.bad", path, err, HistoryFile)
	}
	if h.Version != historyVersion {
		return nil, fmt.Errorf("call history %s has format version %d, this phoned reads %d", path, h.Version, historyVersion)
	}
	for i, e := range h.Calls {
		st, err := telephony.ParseCallState(e.State)
		switch {
		case err != nil:
			return nil, fmt.Errorf("call history %s: call %d: %w", path, i, err)
		case !st.Final():
			return nil, fmt.Errorf("call history %s: call %d (%s) is in state %s, not an ended state", path, i, e.ID, e.State)
		case e.ID == "" || e.Seq <= 0 || e.Seq > h.Seq:
			return nil, fmt.Errorf("call history %s: call %d has id %q and seq %d (last seq %d)", path, i, e.ID, e.Seq, h.Seq)
		}
	}
	if h.Missed < 0 {
		return nil, fmt.Errorf("call history %s: missed count %d is negative", path, h.Missed)
	}
	return &h, nil
}

// setAside renames a history file phoned could not read, so that the next
// save does not destroy what a person may want to look at.
func setAside(dir string) error {
	p := filepath.Join(dir, HistoryFile)
	return os.Rename(p, p+".bad")
}

// saveHistory writes h to dir/calls.json atomically: a temporary file in
// the same directory, synced, then renamed over the old one. The file is
// 0600: it holds the numbers a person called.
func saveHistory(dir string, h *history) error {
	b, err := json.MarshalIndent(h, "", "\t")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("call history: state directory: %w", err)
	}
	f, err := os.CreateTemp(dir, HistoryFile+".*")
	if err != nil {
		return fmt.Errorf("call history: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, HistoryFile))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("call history: %w", err)
	}
	return nil
}

// snapshot is the list's history: its ended calls oldest first, the missed
// count and seq. It clears dirty.
func (l *callList) snapshot() *history {
	h := &history{Version: historyVersion, Seq: l.seq, Missed: l.missed, Calls: []historyEntry{}}
	for _, r := range l.sorted() {
		if !r.ended {
			continue
		}
		dir := "outgoing"
		if r.incoming {
			dir = "incoming"
		}
		h.Calls = append(h.Calls, historyEntry{
			Seq: r.seq, ID: r.info.ID, Service: r.info.Service, CallType: r.info.CallType,
			Number: r.info.Number, Name: r.info.Name, Direction: dir,
			State: r.info.State.String(), Reason: r.info.Reason,
			Start: r.start, Connected: r.connectedAt, End: r.endAt,
		})
	}
	l.dirty = false
	return h
}

// restore takes a loaded history into an empty list and returns the
// operations that publish it under /Communications/Calls, so the call
// screen shows the calls of before the restart.
func (l *callList) restore(h *history) []vs.Op {
	l.seq, l.missed = h.Seq, h.Missed
	var ops []vs.Op
	for _, e := range h.Calls {
		st, _ := telephony.ParseCallState(e.State) // checked by loadHistory
		r := &callRecord{
			info: telephony.CallInfo{ID: e.ID, Service: e.Service, CallType: e.CallType,
				Number: e.Number, Name: e.Name, State: st, Reason: e.Reason},
			seq: e.Seq, incoming: e.Direction == "incoming", connected: !e.Connected.IsZero(),
			ended: true, notified: true, start: e.Start, connectedAt: e.Connected, endAt: e.End,
		}
		l.calls[e.ID] = r
		ops = append(ops, l.recordOps(r)...)
	}
	return append(ops, l.pruneOps()...)
}

// recordOps publishes every key of an ended call.
func (l *callList) recordOps(r *callRecord) []vs.Op {
	p := telephony.CallPath(r.info.ID)
	dir := "outgoing"
	if r.incoming {
		dir = "incoming"
	}
	ops := []vs.Op{
		vs.SetOp(vs.Join(p, phoneapi.KeyCallSeq), vs.Int(r.seq)),
		vs.SetOp(vs.Join(p, phoneapi.KeyCallDirection), vs.String(dir)),
		vs.SetOp(vs.Join(p, telephony.KeyCallStartTime), vs.String(r.start.UTC().Format(StartTimeLayout))),
	}
	if r.connected {
		ops = append(ops, vs.SetOp(vs.Join(p, phoneapi.KeyCallConnectedTime), vs.String(r.connectedAt.UTC().Format(StartTimeLayout))))
	}
	ops = append(ops, telephony.CallOps([]telephony.CallInfo{r.info})...)
	return append(ops, vs.SetOp(vs.Join(p, phoneapi.KeyCallEndTime), vs.String(r.endAt.UTC().Format(StartTimeLayout))))
}

// resetMissed sets the missed-call count to 0 (the person has seen them).
func (l *callList) resetMissed() []vs.Op {
	if l.missed == 0 {
		return nil
	}
	l.missed = 0
	l.dirty = true
	return []vs.Op{vs.SetOp(telephony.MissedCallsPath, vs.Int(0))}
}

// loadHistory restores the history from the state directory at
// start. Without a state directory, or with a history it cannot read, phoned
// starts with an empty list and says why: a call history is never a reason
// not to run.
func (s *Server) loadHistory() []vs.Op {
	dir := s.opts.State
	if dir == "" {
		s.log.Warn("no state directory: the call history is not kept across a restart")
		return nil
	}
	h, err := loadHistory(dir)
	if err != nil {
		if aerr := setAside(dir); aerr != nil && !errors.Is(aerr, fs.ErrNotExist) {
			s.log.Error("call history unreadable; starting with an empty history", "err", err, "setAside", aerr)
		} else {
			s.log.Error("call history unreadable; starting with an empty history", "err", err)
		}
		return nil
	}
	if h == nil {
		return nil
	}
	s.log.Info("call history restored", "calls", len(h.Calls), "missed", h.Missed, "seq", h.Seq)
	return s.calls.restore(h)
}

// historyChangedLocked queues a save on the dispatch goroutine when the
// list's history changed: the file is written there, in order, without mu.
func (s *Server) historyChangedLocked() {
	if s.calls.dirty && s.opts.State != "" {
		s.events.post(s.writeHistory)
	}
}

func (s *Server) writeHistory() {
	s.mu.Lock()
	if !s.calls.dirty {
		s.mu.Unlock()
		return
	}
	h := s.calls.snapshot()
	s.mu.Unlock()
	if err := saveHistory(s.opts.State, h); err != nil {
		s.log.Error("call history not saved: it will be lost at the next restart", "err", err)
	}
}
