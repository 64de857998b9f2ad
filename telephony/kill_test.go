package telephony

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
)

// TestHelperAgent is not a test: TestKilledAgentVanishes runs the test
// binary as the agent process, serving the bus socket in RINGO_AGENT_BUS.
func TestHelperAgent(t *testing.T) {
	path := os.Getenv("RINGO_AGENT_BUS")
	if path == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	c, err := bus.Dial(ctx, path, bus.ClientOptions{Name: "testagent"})
	if err != nil {
		os.Exit(2)
	}
	a := &testAgent{asked: make(chan string, 1000), created: make(chan *Call, 1000)}
	a.app = qcop.NewApplication(c, "testagent", nil)
	a.app.HandleTelephony(func() { a.start(c) }, a.stop)
	if err := a.app.Run(ctx); err != nil {
		os.Exit(3)
	}
	os.Exit(0)
}

func TestKilledAgentVanishes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	path := bus.SocketPath(t.TempDir())
	srv, err := bus.Listen(path, bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	phoned, err := bus.Dial(ctx, path, bus.ClientOptions{Name: "phoned"})
	if err != nil {
		t.Fatal(err)
	}
	defer phoned.Close()
	mgr := NewManager(phoned)
	lists := make(chan string, 10)
	if _, err := mgr.WatchServices(ctx, func(s []string) { lists <- strings.Join(s, ",") }); err != nil {
		t.Fatal(err)
	}
	expectOn(t, ctx, lists, "")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAgent$")
	cmd.Env = append(os.Environ(), "RINGO_AGENT_BUS="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	// phoned launches, then starts the agent; the bus holds the message
	// until the agent listens.
	if err := qcop.Send(ctx, phoned, qcop.Message{Channel: qcop.ApplicationChannel("testagent"), Name: qcop.TelephonyStart}); err != nil {
		t.Fatal(err)
	}
	expectOn(t, ctx, lists, "asterisk")
	events := make(chan CallEvent, 10)
	mgr.WatchCalls(ctx, "asterisk", func(e CallEvent) { events <- e })
	if _, err := mgr.Dial(ctx, "asterisk", "Asterisk", "600"); err != nil {
		t.Fatal(err)
	}
	if e := <-events; len(e.Calls) != 1 || e.Calls[0].State != CallDialing {
		t.Fatalf("call event = %+v, want Dialing", e)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	expectOn(t, ctx, lists, "")
	if snap, _ := phoned.Snapshot(ctx, CommunicationsPath); len(snap) != 0 {
		t.Errorf("left after kill -9: %v", snap)
	}
	if err := mgr.Hangup(ctx, "asterisk", "x", ScopeCallOnly); err == nil {
		t.Errorf("request to a killed agent succeeded")
	}
}
