package ctl

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/firmware/phoned/server"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
)

func TestParseInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	typ := fs.String("type", "", "")
	js := fs.Bool("json", false, "")
	pos, err := parseInterspersed(fs, []string{"dial", "600", "-type", "Asterisk", "-json"})
	if err != nil || !slices.Equal(pos, []string{"dial", "600"}) || *typ != "Asterisk" || !*js {
		t.Errorf("parseInterspersed = %v, %v, type %q json %v", pos, err, *typ, *js)
	}
}

func TestNotRunning(t *testing.T) {
	err := run(context.Background(), []string{"-runtime", t.TempDir(), "status"}, testEnv(&bytes.Buffer{}))
	if !errors.Is(err, runenv.ErrNoBus) || !strings.HasPrefix(err.Error(), "phoned is not running: no bus at ") {
		t.Errorf("status without phoned = %v", err)
	}
	err = run(context.Background(), []string{"-runtime", t.TempDir(), "bogus"}, testEnv(&bytes.Buffer{}))
	if !errors.Is(err, runenv.ErrNoBus) && !errors.Is(err, ErrUsage) {
		t.Errorf("bogus = %v", err)
	}
	err = run(context.Background(), nil, testEnv(&bytes.Buffer{}))
	if !errors.Is(err, ErrUsage) {
		t.Errorf("no command = %v, want ErrUsage", err)
	}
}

func noEnv(string) string { return "" }

func testEnv(out *bytes.Buffer) command.Env {
	return command.Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: &bytes.Buffer{}, Getenv: noEnv}
}

// asterisk is an in-process agent for the "asterisk" service, on the
// public library.
type asterisk struct {
	calls *telephony.CallProvider
}

func (a *asterisk) SetCurrentOperator(telephony.OperatorMode, string, string) {}
func (a *asterisk) RequestAvailableOperators()                                {}
func (a *asterisk) Create(c *telephony.Call) telephony.CallImpl               { return &ringing{c: c} }

type ringing struct{ c *telephony.Call }

func (r *ringing) Dial(telephony.DialOptions) { r.c.SetState(telephony.CallDialing) }
func (r *ringing) Hangup(telephony.Scope)     { r.c.SetState(telephony.CallHangupLocal) }
func (r *ringing) Accept()                    {}
func (r *ringing) Hold()                      {}
func (r *ringing) Activate(telephony.Scope)   {}
func (r *ringing) Tone(string)                {}
func (r *ringing) Transfer(string)            {}

func TestAgainstPhoned(t *testing.T) {
	ctx := context.Background()
	rt := t.TempDir()
	s, err := server.Start(ctx, server.Options{Config: t.TempDir(), Runtime: rt})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(ctx)
	ctl := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"-runtime", rt, "-timeout", "5s"}, args...), testEnv(&out))
		return out.String(), err
	}
	c, err := bus.Dial(ctx, bus.SocketPath(rt), bus.ClientOptions{Name: "iaxagent"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	svc := telephony.NewService(c, "asterisk")
	a := &asterisk{}
	reg := svc.AddNetworkRegistration(a)
	a.calls = svc.SetCallProvider(a, "Asterisk")
	if err := svc.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err := ctl("wait", "-service", "asterisk", "None"); err != nil || out != "asterisk None\n" {
		t.Fatalf("wait -service asterisk None = %q, %v", out, err)
	}
	// Not registered: the Asterisk manager cannot place the call, and says
	// so with its registration message.
	if _, err := ctl("dial", "600"); err == nil || !strings.HasPrefix(err.Error(), "dial refused: policy: no network: ") ||
		!strings.Contains(err.Error(), "No Asterisk network") {
		t.Errorf("dial while unregistered = %v", err)
	}
	// An empty number is refused, said once.
	if _, err := ctl("dial", ""); err == nil || strings.Count(err.Error(), "dial refused") != 1 {
		t.Errorf("dial '' = %v, want one 'dial refused' with the reason", err)
	}
	reg.UpdateRegistrationState(telephony.RegistrationHome)
	if _, err := ctl("wait", "-service", "asterisk", "Home"); err != nil {
		t.Fatal(err)
	}
	// Emergency numbers are not Asterisk's unless configured capable; with
	// no modem either, the refusal says so (never "no network").
	if _, err := ctl("dial", "112"); err == nil || !strings.Contains(err.Error(),
		"No service can place emergency calls: no cellular modem, and the Asterisk account is not emergency-capable") {
		t.Errorf("dial 112 = %v, want the emergency refusal's words", err)
	}
	out, err := ctl("dial", "600")
	if err != nil {
		t.Fatal(err)
	}
	id, rest, _ := strings.Cut(strings.TrimSpace(out), "\t")
	if rest != "asterisk\tAsterisk" {
		t.Fatalf("dial 600 = %q", out)
	}
	if out, err := ctl("wait", "Dialing"); err != nil || out != id+" Dialing\n" {
		t.Fatalf("wait Dialing = %q, %v", out, err)
	}
	if _, err := ctl("answer"); !errors.Is(err, ErrNoCall) || err.Error() != "no such call: there is no incoming call" {
		t.Errorf("answer without an incoming call = %v", err)
	}
	status, err := ctl("status")
	if err != nil {
		t.Fatal(err)
	}
	want := `SERVICE   REGISTRATION  READY  CALL TYPES  MESSAGE  PROBLEM
asterisk  Home          true   Asterisk    -        -

AGENT  STATE  PID  RESTARTS  SERVICES  LAST EXIT

calls: 1 live, 0 missed
  ID                                STATE    NUMBER  NAME  DURATION  SERVICE
  ` + id + `  Dialing  600     -     -         asterisk
problems:
  - service not started: there are no service files in %s; add one named after the agent program (containing [Standard] Version = 100)
`
	// The config directory is a temp dir; compare around it.
	if !strings.HasPrefix(status, want[:strings.Index(want, "%s")]) || !strings.HasSuffix(status, "(containing [Standard] Version = 100)\n") {
		t.Errorf("status =\n%s\nwant\n%s", status, want)
	}
	start := time.Now()
	_, err = ctl("wait", "Connected", "-timeout", "200ms")
	if !errors.Is(err, ErrTimeout) || err.Error() != fmt.Sprintf("timed out after 200ms waiting for call %s to be Connected (it is Dialing)", id) {
		t.Errorf("wait Connected = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("wait -timeout 200ms took %v", d)
	}
	// A Dialing call can no longer be Incoming: the wait fails at once.
	start = time.Now()
	_, err = ctl("wait", "Incoming", "-call", id)
	if !errors.Is(err, ErrPassed) || err.Error() != fmt.Sprintf("too late: call %s is Dialing and can no longer be Incoming", id) {
		t.Errorf("wait Incoming on a Dialing call = %v, want ErrPassed", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("wait Incoming on a Dialing call took %v, want at once", d)
	}
	if _, err := ctl("hangup"); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl("wait", "HangupLocal", "-call", id); err != nil {
		t.Fatal(err)
	}
	// The call has ended: waiting on it for another state fails at once
	// with the state it ended in (the -timeout would fail the test).
	_, err = ctl("wait", "Connected", "-call", id, "-timeout", "1m")
	if !errors.Is(err, ErrEnded) || err.Error() != fmt.Sprintf("call ended: call %s ended in HangupLocal, not Connected", id) {
		t.Errorf("wait Connected -call on an ended call = %v, want ErrEnded", err)
	}
	// ... and for the state it is in, succeeds at once.
	if out, err := ctl("wait", "HangupLocal", "-timeout", "1m"); err != nil || out != id+" HangupLocal\n" {
		t.Errorf("wait HangupLocal on the ended call = %q, %v", out, err)
	}
	// Without -call, a call over before the wait began is skipped: the wait
	// is for a newer call (one just dialled may not be announced yet).
	_, err = ctl("wait", "Connected", "-timeout", "200ms")
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "waiting for a new call to be Connected: the newest, "+id+", was already HangupLocal") {
		t.Errorf("wait Connected without -call after the call ended = %v, want ErrTimeout", err)
	}
	js, err := ctl("-json", "calls")
	if err != nil || !strings.Contains(js, `"state": "HangupLocal"`) || !strings.Contains(js, `"missedCalls": 0`) {
		t.Errorf("-json calls = %s, %v", js, err)
	}
}
