package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/asteriskconf"
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
	err := run(context.Background(), all, strings.NewReader(stdin), &out, func(string) string { return "" })
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
