package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

func TestBootStepsLine(t *testing.T) {
	var s bootSteps
	s.mark("kernel → uinit", 1.981)
	s.mark("modules", 2.3)
	s.mark("modules", 9) // a second mark does not move a step
	s.mark("phoned started", 2.35)
	want := "ringo: boot steps (uptime): kernel → uinit 1.98 s, modules 2.30 s, phoned started 2.35 s"
	if got := s.line(); got != want {
		t.Errorf("line() = %q, want %q", got, want)
	}
}

// fakeUptime counts up a tenth of a second each time it is read.
type fakeUptime struct {
	mu sync.Mutex
	t  float64
}

func (u *fakeUptime) read() float64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.t += 0.1
	return u.t
}

func TestWatchHome(t *testing.T) {
	dir := t.TempDir()
	sock := bus.SocketPath(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var steps bootSteps
	steps.mark("phoned started", 0)
	var up fakeUptime
	var out bytes.Buffer
	done := make(chan error, 1)
	// Started before the bus exists: it waits for phoned's socket.
	go func() { done <- watchHome(ctx, sock, up.read, &steps, &out) }()
	srv, err := bus.Listen(sock, bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	agent, err := bus.Dial(ctx, sock, bus.ClientOptions{Name: "iaxagent"})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Close()
	const reg = "/Communications/QNetworkRegistration/asterisk/"
	for _, kv := range [][2]string{
		{reg + "requestChannel", "QPE/Communications/QNetworkRegistration/asterisk"},
		{reg + "registrationState", "Searching"},
		{reg + "registrationState", "Home"},
	} {
		if err := agent.Set(ctx, kv[0], vs.String(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("watchHome = %v, want nil", err)
	}
	// The watch may subscribe before or after the agent's sets: the
	// service and Home come in one batch or in two.
	want := regexp.MustCompile(`^ringo: boot steps \(uptime\): phoned started 0\.00 s, service asterisk 0\.10 s, asterisk Home 0\.[12]0 s\n$`)
	if !want.MatchString(out.String()) {
		t.Errorf("watchHome wrote %q, want a match for %s", out.String(), want)
	}
}

func TestWatchHomeNeverHome(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var steps bootSteps
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- watchHome(ctx, bus.SocketPath(dir), (&fakeUptime{}).read, &steps, &out) }()
	cancel()
	if err := <-done; !errors.Is(err, errNoHome) {
		t.Errorf("watchHome after cancel = %v, want errNoHome", err)
	}
	if out.Len() != 0 {
		t.Errorf("watchHome wrote %q without Home", out.String())
	}
}
