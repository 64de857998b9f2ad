package qcop

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

const waitLimit = 10 * time.Second

func setup(t *testing.T) (path string, ctx context.Context) {
	t.Helper()
	path = bus.SocketPath(t.TempDir())
	s, err := bus.Listen(path, bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return path, ctx
}

func dial(t *testing.T, ctx context.Context, path, name string) *bus.Client {
	t.Helper()
	c, err := bus.Dial(ctx, path, bus.ClientOptions{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestChannels(t *testing.T) {
	cases := []struct{ got, want string }{
		{ApplicationChannel("iaxagent"), "QPE/Application/iaxagent"},
		{RequestChannel("QNetworkRegistration", "asterisk"), "QPE/Communications/QNetworkRegistration/Request/asterisk"},
		{ResponseChannel("QPhoneCallProvider", "asterisk"), "QPE/Communications/QPhoneCallProvider/Response/asterisk"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("channel = %q, want %q", c.got, c.want)
		}
	}
}

func TestArgs(t *testing.T) {
	m := Message{Name: "dial", Args: []vs.Value{vs.String("600"), vs.Int(3), vs.Bool(true), vs.Strings("a")}}
	if s, err := m.Str(0); err != nil || s != "600" {
		t.Errorf("Str(0) = %q %v", s, err)
	}
	if n, err := m.Int(1); err != nil || n != 3 {
		t.Errorf("Int(1) = %d %v", n, err)
	}
	if b, err := m.Bool(2); err != nil || !b {
		t.Errorf("Bool(2) = %v %v", b, err)
	}
	if l, err := m.List(3); err != nil || !slices.Equal(l, []string{"a"}) {
		t.Errorf("List(3) = %q %v", l, err)
	}
	if _, err := m.Int(0); !errors.Is(err, ErrArg) {
		t.Errorf("Int(0) on a string = %v, want ErrArg", err)
	}
	if _, err := m.Str(4); !errors.Is(err, ErrArg) {
		t.Errorf("Str(4) past the end = %v, want ErrArg", err)
	}
	svc, msg, ok := Message{Name: TelephonyStart}.Service()
	if !ok || svc != "Telephony" || msg != "start()" {
		t.Errorf("Service() = %q %q %v", svc, msg, ok)
	}
}

func TestApplicationRunsUntilLastTaskReleased(t *testing.T) {
	path, ctx := setup(t)
	phoned := dial(t, ctx, path, "phoned")
	// phoned sends start before the agent runs: the bus holds it.
	if err := Send(ctx, phoned, Message{Channel: ApplicationChannel("iaxagent"), Name: TelephonyStart}); err != nil {
		t.Fatalf("Send(start) before the agent listens: %v", err)
	}
	agent := dial(t, ctx, path, "iaxagent")
	app := NewApplication(agent, "iaxagent", nil)
	var log []string
	started := make(chan struct{})
	app.HandleTelephony(func() {
		log = append(log, "start")
		app.RegisterRunningTask("IaxTelephonyService")
		close(started)
	}, func() {
		log = append(log, "stop")
		app.UnregisterRunningTask("IaxTelephonyService")
	})
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()
	<-started
	if got := app.RunningTasks(); !slices.Equal(got, []string{"IaxTelephonyService"}) {
		t.Errorf("RunningTasks = %q", got)
	}
	select {
	case err := <-ran:
		t.Fatalf("Run returned %v while a task is held", err)
	default:
	}
	if err := Send(ctx, phoned, Message{Channel: ApplicationChannel("iaxagent"), Name: TelephonyStop}); err != nil {
		t.Fatal(err)
	}
	if err := <-ran; err != nil {
		t.Errorf("Run = %v, want nil after the last task", err)
	}
	if !slices.Equal(log, []string{"start", "stop"}) {
		t.Errorf("handled %q, want start, stop", log)
	}
}

func TestApplicationWithoutTaskExitsAfterStart(t *testing.T) {
	path, ctx := setup(t)
	phoned := dial(t, ctx, path, "phoned")
	agent := dial(t, ctx, path, "lazy")
	app := NewApplication(agent, "lazy", nil)
	app.HandleTelephony(func() {}, func() {})
	Send(ctx, phoned, Message{Channel: ApplicationChannel("lazy"), Name: TelephonyStart})
	if err := app.Run(ctx); err != nil {
		t.Errorf("Run = %v, want nil (no running task)", err)
	}
}

func TestApplicationEndsWithBus(t *testing.T) {
	path, ctx := setup(t)
	agent := dial(t, ctx, path, "a")
	app := NewApplication(agent, "a", nil)
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()
	agent.CloseAsync()
	if err := <-ran; !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Run after the bus closed = %v, want bus.ErrClosed", err)
	}
}

func TestSendNoReceiver(t *testing.T) {
	path, ctx := setup(t)
	c := dial(t, ctx, path, "c")
	err := Send(ctx, c, Message{Channel: RequestChannel("QPhoneCallProvider", "nobody"), Name: "dial"})
	if !errors.Is(err, ErrNoReceiver) {
		t.Errorf("Send to nobody = %v, want ErrNoReceiver", err)
	}
}
