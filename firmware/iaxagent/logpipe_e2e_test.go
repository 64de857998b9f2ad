package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/firmware/iaxagent/agent"
	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
)

// Issue 11, item 3 (the agent's side): the reader of the agent's log pipe
// goes away. The agent keeps serving (a dial connects), its log goes on in
// <runtime>/iaxagent.log, and Telephony::stop still ends it with 0. The
// test is phoned's part itself: it hosts the bus and holds the pipe, so
// that it can close it.
func TestAgentSurvivesBrokenLogPipe(t *testing.T) {
	s := &stack{t: t, dir: t.TempDir()}
	s.config, s.runtime = filepath.Join(s.dir, "config"), filepath.Join(s.dir, "run")
	for _, d := range []string{s.config, s.runtime} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.startPBX("127.0.0.1:0")
	host, port, err := asteriskconf.ParseServer(s.pbxAddr)
	if err != nil {
		t.Fatal(err)
	}
	conf := asteriskconf.Default()
	conf.Server, conf.Port, conf.UserID, conf.Password = host, port, "handset1", "s3cret"
	if err := asteriskconf.Save(s.config, conf); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	srv, err := bus.Listen(bus.SocketPath(s.runtime), bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client, err := bus.Dial(ctx, bus.SocketPath(s.runtime), bus.ClientOptions{Name: "phonectl"})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	mgr := telephony.NewManager(client)
	regs := make(chan telephony.RegistrationState, 16)
	if _, err := mgr.WatchRegistration(ctx, agent.ServiceName, func(r telephony.Registration, ok bool) {
		if ok {
			regs <- r.State
		}
	}); err != nil {
		t.Fatal(err)
	}
	calls := make(chan telephony.CallInfo, 64)
	if _, err := mgr.WatchCalls(ctx, agent.ServiceName, func(e telephony.CallEvent) {
		for _, c := range e.Calls {
			calls <- c
		}
	}); err != nil {
		t.Fatal(err)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "iaxagent"), "-config", s.config, "-runtime", s.runtime,
		"-listen", "127.0.0.1:0", "-test-register-delay", "10ms", "-audio-source", "null", "-audio-sink", "null")
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// exited closes when the agent has ended, with waitErr.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	}()
	lines := make(chan string, 256)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	srv.Publish(qcop.ApplicationChannel(agent.Program), qcop.TelephonyStart)

	fail := func(what string) {
		t.Helper()
		select {
		case <-exited:
			t.Fatalf("the agent exited (%v, %s) while waiting for %s", waitErr, cmd.ProcessState, what)
		default:
			t.Fatalf("no %s", what)
		}
	}

	// While phoned reads, the log comes down the pipe.
	for registered := false; !registered; {
		select {
		case l, ok := <-lines:
			if !ok {
				fail("log line msg=registered on the pipe")
			}
			registered = strings.Contains(l, "msg=registered ")
		case <-exited:
			fail("log line msg=registered on the pipe")
		case <-ctx.Done():
			fail("log line msg=registered on the pipe")
		}
	}
	for st := telephony.RegistrationNone; st != telephony.RegistrationHome; {
		select {
		case st = <-regs:
		case <-exited:
			fail("registration Home")
		case <-ctx.Done():
			fail("registration Home")
		}
	}

	// phoned stops reading: every later write to the pipe fails.
	r.Close()
	id, err := mgr.Dial(ctx, agent.ServiceName, agent.CallType, "600")
	if err != nil {
		t.Fatal(err)
	}
	for connected := false; !connected; {
		select {
		case c := <-calls:
			connected = c.ID == id && c.State == telephony.CallConnected
		case <-exited:
			fail("call Connected after the log pipe closed")
		case <-ctx.Done():
			fail("call Connected after the log pipe closed")
		}
	}

	// Telephony::stop ends it as it would have: 0.
	srv.Publish(qcop.ApplicationChannel(agent.Program), qcop.TelephonyStop)
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("after Telephony::stop the agent ended with %v (%s), want exit 0", waitErr, cmd.ProcessState)
		}
	case <-ctx.Done():
		t.Fatal("the agent did not exit after Telephony::stop")
	}
	// What it logged after the pipe closed is in the file.
	logFile := filepath.Join(s.runtime, agent.LogFileName)
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"standard error failed: the log goes on in this file", "broken pipe",
		`msg="call transition"`, "to=Connected", `msg="service stopped"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q:\n%s", logFile, want, b)
		}
	}
	if fi, err := os.Stat(logFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("log file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
}
