package settings

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
)

type env struct{ config, runtime string }

func newEnv(t *testing.T) env {
	return env{config: t.TempDir(), runtime: t.TempDir()}
}

func (e env) run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	all := append([]string{"-config", e.config, "-runtime", e.runtime}, args...)
	err := run(context.Background(), all, command.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: io.Discard,
		Getenv: func(string) string { return "" }})
	return out.String(), err
}

func TestSetThenShowWithoutPhoned(t *testing.T) {
	e := newEnv(t)
	out, err := e.run(t, "s3cret\n", "set", "-server", "127.0.0.1:4570", "-user", "handset1", "-password", "-",
		"-manual", "-refresh", "120", "-emergency=true", "-callerid-name", "Handset One", "-callerid-number", "201")
	if err != nil {
		t.Fatalf("set: %v\n%s", err, out)
	}
	if !strings.Contains(out, "phoned is not running") {
		t.Errorf("set without phoned printed %q", out)
	}
	s, err := asteriskconf.Load(e.config)
	want := asteriskconf.Settings{Server: "127.0.0.1", Port: 4570, UserID: "handset1", Password: "s3cret",
		AutoRegister: false, Refresh: 120, EmergencyCapable: true, CallerIDName: "Handset One", CallerIDNumber: "201"}
	if err != nil || s != want {
		t.Fatalf("file = %+v, %v\nwant %+v", s, err, want)
	}
	out, err = e.run(t, "", "show")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"server:            127.0.0.1:4570", "user:              handset1", "password:          (set)",
		"registration:      manual, refresh 120 s", "emergency capable: true", `caller id:         "Handset One" <201>`,
		"state:             (phoned not running)"} {
		if !strings.Contains(out, w) {
			t.Errorf("show lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("show prints the password:\n%s", out)
	}
	// A partial set keeps the rest.
	if _, err := e.run(t, "", "set", "-auto"); err != nil {
		t.Fatal(err)
	}
	if s, _ := asteriskconf.Load(e.config); !s.AutoRegister || s.Password != "s3cret" || s.Port != 4570 {
		t.Errorf("after set -auto: %+v", s)
	}
}

func TestSetRejectsBadInput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"set", "-password", "hunter2"}, "never on the command line"},
		{"", []string{"set", "-password", "-"}, "found no password"},
		{"", []string{"set", "-server", "pbx:99999", "-user", "u"}, "not between 1 and 65535"},
		{"", []string{"set", "-server", "bad host", "-user", "u"}, "is not a host name"},
		{"", []string{"set", "-server", "pbx"}, "UserId is empty"},
		{"", []string{"set", "-auto", "-manual"}, "exclude each other"},
		{"", []string{"set", "-callerid-name", "a\x07b"}, "control character"},
		{"", []string{"set", "-emergency", "maybe"}, "true or false"},
		{"", []string{"set"}, "nothing to change"},
		{"", []string{"frobnicate"}, "unknown command"},
		{"", []string{"set", "-port", "0"}, "-port 0 is not between 1 and 65535"},
		{"", []string{"set", "-port", "65536"}, "-port 65536 is not between 1 and 65535"},
		{"", []string{"set", "-port", "x"}, `invalid value "x" for flag -port`},
		{"", []string{"set", "-server", "pbx:4570", "-port", "4571", "-user", "u"}, "name two ports; give the port once"},
	} {
		out, err := e.run(t, tc.stdin, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q (out %q)", tc.args, err, tc.want, out)
		}
		if strings.Contains(out+errString(err), "hunter2") {
			t.Errorf("%q: the password shows in the output", tc.args)
		}
	}
	if _, err := os.Stat(asteriskconf.Path(e.config)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a rejected set wrote the file: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// recorder is a minimal asterisk service that records what it is told.
type recorder struct {
	mu      sync.Mutex
	updates []string
	modes   []telephony.OperatorMode
	changed chan struct{}
}

func (r *recorder) Update(name, value string) {
	r.mu.Lock()
	r.updates = append(r.updates, name)
	r.mu.Unlock()
	r.changed <- struct{}{}
}
func (r *recorder) Request(string) {}
func (r *recorder) SetCurrentOperator(m telephony.OperatorMode, id, tech string) {
	r.mu.Lock()
	r.modes = append(r.modes, m)
	r.mu.Unlock()
	r.changed <- struct{}{}
}
func (r *recorder) RequestAvailableOperators() {}

func TestSetNotifiesTheAgent(t *testing.T) {
	e := newEnv(t)
	srv, err := bus.Listen(bus.SocketPath(e.runtime), bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := bus.Dial(ctx, bus.SocketPath(e.runtime), bus.ClientOptions{Name: "fakeagent"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := &recorder{changed: make(chan struct{}, 8)}
	svc := telephony.NewService(c, Service)
	svc.AddConfiguration(rec)
	svc.AddNetworkRegistration(rec)
	if err := svc.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	wait := func(n int) {
		for i := 0; i < n; i++ {
			select {
			case <-rec.changed:
			case <-ctx.Done():
				t.Fatal("the agent was not told")
			}
		}
	}

	out, err := e.run(t, "pw\n", "set", "-server", "pbx.example.org", "-user", "u", "-password", "-", "-callerid-number", "202")
	if err != nil {
		t.Fatalf("set: %v\n%s", err, out)
	}
	wait(2)
	if _, err := e.run(t, "", "set", "-callerid-name", "Two"); err != nil {
		t.Fatal(err)
	}
	wait(1)
	if _, err := e.run(t, "", "deregister"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.run(t, "", "register"); err != nil {
		t.Fatal(err)
	}
	wait(2)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if got := strings.Join(rec.updates, ","); got != "registration,callerid,callerid" {
		t.Errorf("updates = %q, want registration,callerid,callerid", got)
	}
	if len(rec.modes) != 2 || rec.modes[0] != telephony.OperatorModeDeregister || rec.modes[1] != telephony.OperatorModeAutomatic {
		t.Errorf("operator modes = %v", rec.modes)
	}
}

// -port sets the server's port, alone or with -server HOST; a later
// -server without a port goes back to the default.
func TestSetPort(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		args []string
		host string
		port int
	}{
		{[]string{"set", "-server", "pbx.example.org", "-user", "u", "-port", "4570"}, "pbx.example.org", 4570},
		{[]string{"set", "-port", "65535"}, "pbx.example.org", 65535},
		{[]string{"set", "-port", "1"}, "pbx.example.org", 1},
		{[]string{"set", "-server", "[::1]:4571", "-port", "4571"}, "::1", 4571},
		{[]string{"set", "-server", "10.0.2.2"}, "10.0.2.2", asteriskconf.DefaultPort},
	} {
		if out, err := e.run(t, "", tc.args...); err != nil {
			t.Fatalf("%q: %v\n%s", tc.args, err, out)
		}
		s, err := asteriskconf.Load(e.config)
		if err != nil || s.Server != tc.host || s.Port != tc.port {
			t.Errorf("after %q: server %q port %d (%v), want %q %d", tc.args, s.Server, s.Port, err, tc.host, tc.port)
		}
	}
	out, err := e.run(t, "", "show")
	if err != nil || !strings.Contains(out, "server:            10.0.2.2:4569\n") {
		t.Errorf("show = %q, %v", out, err)
	}
}

// Help goes to standard output with exit 0; a usage mistake exits 2 with
// the reason and a hint, a failure 1, each said once.
func TestExitCodes(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"-h"}, 0, "iaxsettings [-config DIR] [-runtime DIR] show", ""},
		{[]string{"help"}, 0, "exit status: 0 done, 1 failed, 2 usage error.", ""},
		{[]string{"set", "-h"}, 0, "-port N", ""},
		{nil, 2, "", "iaxsettings: usage: no command given\n" + hint + "\n"},
		{[]string{"-no-such-flag"}, 2, "", "iaxsettings: usage: flag provided but not defined: -no-such-flag\n" + hint + "\n"},
		{[]string{"show", "extra"}, 2, "", `iaxsettings: usage: show takes no arguments, got ["extra"]` + "\n" + hint + "\n"},
		{[]string{"set", "-port", "0"}, 2, "", "iaxsettings: usage: set: -port 0 is not between 1 and 65535\n" + hint + "\n"},
		{[]string{"set", "-server", "pbx"}, 1, "", "iaxsettings: asteriskconf: invalid: UserId is empty but a server is set\n"},
		{[]string{"register"}, 1, "", "iaxsettings: phoned is not running: no bus at "},
	} {
		var out, errb bytes.Buffer
		all := append([]string{"-config", e.config, "-runtime", e.runtime}, tc.args...)
		code := Main(context.Background(), all, command.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
			Getenv: func(string) string { return "" }})
		if code != tc.code {
			t.Errorf("iaxsettings %q exits %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		if !strings.Contains(out.String(), tc.stdout) || (tc.stdout == "" && out.Len() > 0) {
			t.Errorf("iaxsettings %q stdout = %q, want %q", tc.args, out.String(), tc.stdout)
		}
		if !strings.HasPrefix(errb.String(), tc.stderr) || (tc.stderr == "" && errb.Len() > 0) {
			t.Errorf("iaxsettings %q stderr = %q, want %q", tc.args, errb.String(), tc.stderr)
		}
	}
}
