//go:build linux

package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// fixture runs a Server in this process on a fake clock, with one agent
// that is a shell script.
type fixture struct {
	t     *testing.T
	s     *Server
	clk   *clock.Fake
	batch chan vs.Batch
	log   *proctest.Buffer // phoned's log
}

func newFixture(t *testing.T, script string) *fixture {
	t.Helper()
	cfg := t.TempDir()
	exe := filepath.Join(t.TempDir(), "agent.sh")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sd := filepath.Join(cfg, ServicesDir)
	os.MkdirAll(sd, 0o755)
	if err := os.WriteFile(filepath.Join(sd, "agent"), []byte(fmt.Sprintf("[Standard]\nExec = %s\n", exe)), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, clk: clock.NewFake(time.Unix(1e9, 0)), batch: make(chan vs.Batch, 1024), log: &proctest.Buffer{}}
	var err error
	f.s, err = Start(context.Background(), Options{Config: cfg, Runtime: t.TempDir(), Clock: f.clk,
		Logger:         slog.New(slog.NewTextHandler(f.log, nil)),
		BackoffInitial: time.Second, BackoffMax: 4 * time.Second, InitTimeout: 10 * time.Second,
		Rand: func() float64 { return 0 }}) // no jitter: the delays are exact
	if err != nil {
		t.Fatal(err)
	}
	cancel, err := f.s.tree.Subscribe("/Telephony", func(b vs.Batch) { f.batch <- b })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		ctx, stop := context.WithCancel(context.Background())
		stop() // kill at once: the fake clock would never end the stop timeout
		f.s.Shutdown(ctx)
	})
	return f
}

// waitFor waits until path holds want.
func (f *fixture) waitFor(path string, want vs.Value) {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if v, ok := f.s.tree.Get(path); ok && v.Equal(want) {
			return
		}
		select {
		case <-f.batch:
		case <-deadline:
			v, _ := f.s.tree.Get(path)
			f.t.Fatalf("%s = %v, never %v", path, v, want)
		}
	}
}

func agentPath(key string) string { return vs.Join(phoneapi.AgentPath("agent"), key) }

// A crashing agent is restarted after a backoff that doubles, in fake time.
func TestSuperviseBackoff(t *testing.T) {
	f := newFixture(t, "exit 3")
	f.waitFor(agentPath(phoneapi.KeyAgentRestarts), vs.Int(1))
	f.waitFor(agentPath(phoneapi.KeyAgentState), vs.String(phoneapi.AgentBackoff))
	f.waitFor(agentPath(phoneapi.KeyAgentLastExit), vs.String("exit 3"))
	f.clk.Advance(time.Second) // first backoff: 1s
	f.waitFor(agentPath(phoneapi.KeyAgentRestarts), vs.Int(2))
	f.waitFor(agentPath(phoneapi.KeyAgentState), vs.String(phoneapi.AgentBackoff))
	f.clk.Advance(2*time.Second - time.Millisecond) // second backoff: 2s
	if v, _ := f.s.tree.Get(agentPath(phoneapi.KeyAgentRestarts)); !v.Equal(vs.Int(2)) {
		t.Fatalf("restarted before its 2s backoff ended: restarts = %v", v)
	}
	f.clk.Advance(time.Millisecond)
	f.waitFor(agentPath(phoneapi.KeyAgentRestarts), vs.Int(3))
}

// exit 0 right after start: reported as holding no running task, not
// restarted; exit 125: not restarted.
func TestSuperviseExits(t *testing.T) {
	f := newFixture(t, "exit 0")
	f.waitFor(agentPath(phoneapi.KeyAgentState), vs.String(phoneapi.AgentExited))
	f.waitFor(phoneapi.DiagnosticPath(phoneapi.CaseNoRunningTask, "agent"),
		vs.String("agent exits right after start: it holds no running task (register one when Telephony::start arrives and release it on Telephony::stop)"))
	if n := f.clk.Pending(); n != 2 { // the call check and the initialization check, no restart
		t.Errorf("pending timers = %d, want 2", n)
	}

	g := newFixture(t, "exit 125")
	g.waitFor(agentPath(phoneapi.KeyAgentState), vs.String(phoneapi.AgentFailed))
	g.waitFor(agentPath(phoneapi.KeyAgentLastExit), vs.String("exit 125"))
	g.waitFor(agentPath(phoneapi.KeyAgentRestarts), vs.Int(0))
}

// An agent that never publishes a service is reported once the
// initialization delay has passed in fake time.
func TestSuperviseNeverInitialized(t *testing.T) {
	f := newFixture(t, "exec sleep 60")
	f.waitFor(agentPath(phoneapi.KeyAgentState), vs.String(phoneapi.AgentRunning))
	p := phoneapi.DiagnosticPath(phoneapi.CaseNotInitialized, "agent")
	f.clk.Advance(10*time.Second - time.Millisecond)
	if v, ok := f.s.tree.Get(p); ok {
		t.Fatalf("diagnosed before the delay: %v", v)
	}
	f.clk.Advance(time.Millisecond)
	f.waitFor(p, vs.String("agent never initialized its service: 10s after Telephony::start there are still no "+
		"requestChannel/responseChannel entries under /Communications/<Interface>/<service> from it (call Initialize on the service)"))
}

// An agent that ignores Telephony::stop is killed when the stop timeout
// has passed in fake time.
func TestShutdownKillsStubbornAgent(t *testing.T) {
	f := newFixture(t, "exec sleep 60") // it never hears Telephony::stop
	f.waitFor(agentPath(phoneapi.KeyAgentState), vs.String(phoneapi.AgentRunning))
	done := make(chan struct{})
	go func() {
		f.s.Shutdown(context.Background())
		close(done)
	}()
	f.waitFor(agentPath(phoneapi.KeyAgentState), vs.String(phoneapi.AgentStopping))
	// The kill timer was set before the state said stopping.
	f.clk.Advance(5*time.Second - time.Millisecond)
	select {
	case <-done:
		t.Fatal("Shutdown returned before the stop timeout")
	default:
	}
	f.clk.Advance(time.Millisecond)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown never killed the agent")
	}
	if v, _ := f.s.tree.Get(agentPath(phoneapi.KeyAgentLastExit)); !v.Equal(vs.String("signal killed")) {
		t.Errorf("lastExit = %v, want \"signal killed\"", v)
	}
}

// An agent that prints a 200 KiB line keeps running, and its next line
// reaches phoned's log (a line over 64 KiB used to stop phoned reading, and
// the agent died of SIGPIPE on its next write).
func TestAgentLongLine(t *testing.T) {
	f := newFixture(t, `head -c 204800 /dev/zero | tr '\0' x; echo; echo after the long line; exec sleep 60`)
	f.log.WaitFor(t, `msg="after the long line" category=agent program=agent`, 10*time.Second)
	if !strings.Contains(f.log.String(), "[line cut: 65536 of 204800 bytes kept]") {
		t.Errorf("phoned's log lacks the cut long line")
	}
	f.waitFor(agentPath(phoneapi.KeyAgentState), vs.String(phoneapi.AgentRunning))
	if v, _ := f.s.tree.Get(agentPath(phoneapi.KeyAgentRestarts)); !v.Equal(vs.Int(0)) {
		t.Errorf("restarts = %v, want 0: the agent was disturbed", v)
	}
}

// An agent's slog record is one record in phoned's log: its category
// kept, program added, each once.
func TestAgentLogStructured(t *testing.T) {
	f := newFixture(t, `echo 'time=2026-01-02T03:04:05.000Z level=WARN msg="registration state" category=voip state=Denied'; exec sleep 60`)
	f.log.WaitFor(t, `msg="registration state"`, 10*time.Second)
	var line string
	for _, l := range strings.Split(f.log.String(), "\n") {
		if strings.Contains(l, `msg="registration state"`) {
			line = l
		}
	}
	_, rest, _ := strings.Cut(line, " ") // phoned's time
	if want := `level=WARN msg="registration state" category=voip state=Denied program=agent`; rest != want {
		t.Errorf("phoned logged %q, want %q after its time", line, want)
	}
}
