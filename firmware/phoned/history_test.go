//go:build linux

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// historyFile is the part of phoned's calls.json the tests look at.
type historyFile struct {
	Version int   `json:"version"`
	Seq     int64 `json:"seq"`
	Missed  int64 `json:"missed"`
	Calls   []struct {
		Seq       int64  `json:"seq"`
		ID        string `json:"id"`
		Number    string `json:"number"`
		Direction string `json:"direction"`
		State     string `json:"state"`
	} `json:"calls"`
}

func readHistory(t *testing.T, dir string) historyFile {
	t.Helper()
	path := filepath.Join(dir, "calls.json")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no call history: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("calls.json is %04o, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h historyFile
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("calls.json: %v\n%s", err, b)
	}
	return h
}

func historyConfig(t *testing.T) *config {
	cfg := newConfig(t)
	cfg.agent(t, "fakevoip", "Service = testsvc", "CallTypes = Test")
	cfg.manager.WriteString("[Managers]\ntestsvc = generic\n")
	cfg.write(t)
	return cfg
}

// missedCall rings from number and hangs up unanswered.
func missedCall(t *testing.T, p *phone, number string, missedAfter int64) {
	t.Helper()
	ctx := context.Background()
	if err := p.m.UpdateConfiguration(ctx, "testsvc", "incoming", number); err != nil {
		t.Fatal(err)
	}
	p.log.wait(t, "number="+number)
	if err := p.m.UpdateConfiguration(ctx, "testsvc", "remote", "hangup"); err != nil {
		t.Fatal(err)
	}
	p.waitValue(telephony.MissedCallsPath, equals(vs.Int(missedAfter)))
}

// TestCallHistorySurvivesRestart: the ended calls and the missed count are
// written to the state directory, and a new phoned publishes them again
// with seq carrying on; the missed count reset is kept too.
func TestCallHistorySurvivesRestart(t *testing.T) {
	ctx := context.Background()
	cfg := historyConfig(t)
	state := t.TempDir()
	p := startPhoned(t, cfg.dir, t.TempDir(), "-state", state)
	p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentServices), equals(vs.Strings("testsvc")))
	missedCall(t, p, "5551234", 1)
	p.log.wait(t, "state=HangupRemote")
	if code := p.term(); code != 0 {
		t.Fatalf("phoned exited %d", code)
	}
	h := readHistory(t, state)
	if h.Version != 1 || h.Seq != 1 || h.Missed != 1 || len(h.Calls) != 1 ||
		h.Calls[0].Number != "5551234" || h.Calls[0].Direction != "incoming" || h.Calls[0].Seq != 1 {
		t.Fatalf("history after one missed call = %+v", h)
	}
	id := h.Calls[0].ID

	p = startPhoned(t, cfg.dir, t.TempDir(), "-state", state)
	p.log.wait(t, "call history restored")
	p.waitValue(telephony.MissedCallsPath, equals(vs.Int(1)))
	p.waitValue(vs.Join(telephony.CallPath(id), telephony.KeyCallNumber), equals(vs.String("5551234")))
	p.waitValue(vs.Join(telephony.CallPath(id), phoneapi.KeyCallSeq), equals(vs.Int(1)))
	p.waitValue(vs.Join(telephony.CallPath(id), phoneapi.KeyCallEndTime), func(v vs.Value, ok bool) bool { return ok })

	if err := phoneapi.ResetMissed(ctx, p.c); err != nil {
		t.Fatal(err)
	}
	p.waitValue(telephony.MissedCallsPath, equals(vs.Int(0)))
	p.waitValue(agentKey("fakevoip", phoneapi.KeyAgentServices), equals(vs.Strings("testsvc")))
	missedCall(t, p, "5559876", 1)
	if code := p.term(); code != 0 {
		t.Fatalf("phoned exited %d", code)
	}
	h = readHistory(t, state)
	if h.Seq != 2 || h.Missed != 1 || len(h.Calls) != 2 || h.Calls[0].ID != id || h.Calls[1].Seq != 2 || h.Calls[1].Number != "5559876" {
		t.Fatalf("history after a restart and a second call = %+v", h)
	}
}

// TestCorruptCallHistory: phoned says the history is unreadable, sets it
// aside and starts with an empty one.
func TestCorruptCallHistory(t *testing.T) {
	cfg := historyConfig(t)
	state := t.TempDir()
	if err := os.WriteFile(filepath.Join(state, "calls.json"), []byte(`{"version":1,"calls":[{`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startPhoned(t, cfg.dir, t.TempDir(), "-state", state)
	p.log.wait(t, "call history unreadable; starting with an empty history")
	if !strings.Contains(p.log.String(), "calls.json is corrupt") {
		t.Errorf("log does not say the file is corrupt:\n%s", p.log.String())
	}
	p.waitValue(telephony.MissedCallsPath, equals(vs.Int(0)))
	if _, err := os.Stat(filepath.Join(state, "calls.json.bad")); err != nil {
		t.Errorf("the corrupt history was not set aside: %v", err)
	}
	if code := p.term(); code != 0 {
		t.Fatalf("phoned exited %d", code)
	}
}
