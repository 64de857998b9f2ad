package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/firmware/phoned/server"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// waitLimit bounds every wait on phoned here; the waits end on the event.
const waitLimit = 10 * time.Second

// phone is an in-process phoned with an "asterisk" service on the public
// library, as a third-party agent would write it.
type phone struct {
	t   *testing.T
	rt  string
	c   *bus.Client
	reg *telephony.NetworkRegistration
	a   *asterisk
}

// startPhone starts phoned with telephonyConf as its Telephony.conf ("":
// none) and the asterisk service, registered Home.
func startPhone(t *testing.T, telephonyConf string) *phone {
	t.Helper()
	ctx := context.Background()
	cfg, rt := t.TempDir(), t.TempDir()
	if telephonyConf != "" {
		if err := os.WriteFile(filepath.Join(cfg, "Telephony.conf"), []byte(telephonyConf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := server.Start(ctx, server.Options{Config: cfg, Runtime: rt})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	c, err := bus.Dial(ctx, bus.SocketPath(rt), bus.ClientOptions{Name: "iaxagent"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	svc := telephony.NewService(c, "asterisk")
	p := &phone{t: t, rt: rt, c: c, a: &asterisk{}}
	p.reg = svc.AddNetworkRegistration(p.a)
	p.a.calls = svc.SetCallProvider(p.a, "Asterisk")
	if err := svc.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	p.reg.UpdateRegistrationState(telephony.RegistrationHome)
	// The Asterisk manager has seen Home once its message is cleared.
	p.waitValue(vs.Join(telephony.ServiceStatusPath("asterisk"), telephony.KeyRegistrationMsg), vs.String(""))
	return p
}

// waitValue waits until path holds want.
func (p *phone) waitValue(path string, want vs.Value) {
	p.t.Helper()
	ok := make(chan struct{})
	var once sync.Once
	sub, err := p.c.Subscribe(context.Background(), path, func(b vs.Batch) {
		for _, ch := range b.Changes {
			if ch.Path == path && !ch.Removed && ch.Value.Equal(want) {
				once.Do(func() { close(ok) })
			}
		}
	})
	if err != nil {
		p.t.Fatal(err)
	}
	defer sub.Close()
	select {
	case <-ok:
	case <-time.After(waitLimit):
		p.t.Fatalf("%s never became %s", path, want)
	}
}

// ctl runs phonectl's Main with the clock at now (nil: the wall clock).
func (p *phone) ctl(now func() time.Time, args ...string) (stdout, stderr string, code int) {
	if now == nil {
		now = time.Now
	}
	var out, errb bytes.Buffer
	env := testEnv(&out)
	env.Stderr = &errb
	code = mainAt(context.Background(), append([]string{"-runtime", p.rt, "-timeout", "5s"}, args...), env, now)
	return out.String(), errb.String(), code
}

// mustCtl runs phonectl and fails the test unless it exits 0.
func (p *phone) mustCtl(args ...string) string {
	p.t.Helper()
	out, errOut, code := p.ctl(nil, args...)
	if code != 0 {
		p.t.Fatalf("phonectl %q exits %d: %s", args, code, errOut)
	}
	return out
}

// incoming announces an incoming call from number with a caller name.
func (p *phone) incoming(number, name string) *telephony.Call {
	p.t.Helper()
	r := &ringing{}
	c := p.a.calls.NewCall("", "Asterisk", r)
	r.c = c
	p.a.calls.BeginStateTransaction()
	c.SetNumber(number)
	c.SetName(name)
	c.SetActions(telephony.ActionAccept)
	c.SetState(telephony.CallIncoming)
	p.a.calls.EndStateTransaction()
	p.mustCtl("wait", "Incoming", "-call", c.ID())
	return c
}

// A dial that several services can place exits 3, names their call types
// and how to pick one; -type picks one.
func TestDialChoiceExitCode(t *testing.T) {
	p := startPhone(t, "[Managers]\nsipsvc = generic\n")
	sip := telephony.NewService(p.c, "sipsvc")
	sip.SetCallProvider(&asterisk{}, "SIP")
	if err := sip.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.waitValue(vs.Join(telephony.ServiceStatusPath("sipsvc"), telephony.KeyIcon), vs.String("generic"))

	out, errOut, code := p.ctl(nil, "dial", "600")
	if code != phoneapi.ExitChoiceNeeded {
		t.Errorf("dial 600 with two services exits %d, want 3 (stderr %q)", code, errOut)
	}
	types := regexp.MustCompile(`^phonectl: several services can place 600: (.*); dial again with -type TYPE\n$`).FindStringSubmatch(errOut)
	if types == nil {
		t.Fatalf("dial 600 stderr = %q, want the choice", errOut)
	}
	got := strings.Split(types[1], ", ")
	slices.Sort(got)
	if !slices.Equal(got, []string{"Asterisk", "SIP"}) {
		t.Errorf("call types offered = %q, want Asterisk and SIP", types[1])
	}
	if out != "" {
		t.Errorf("dial 600 printed %q on stdout, want nothing", out)
	}

	// -json prints the choice for scripts, still with exit 3.
	out, _, code = p.ctl(nil, "-json", "dial", "600")
	var ch struct {
		Number    string   `json:"number"`
		CallTypes []string `json:"callTypes"`
	}
	if err := json.Unmarshal([]byte(out), &ch); err != nil || code != 3 || ch.Number != "600" || len(ch.CallTypes) != 2 {
		t.Errorf("-json dial 600 = %q (exit %d, %v), want the number and two call types", out, code, err)
	}

	out, errOut, code = p.ctl(nil, "dial", "600", "-type", "SIP")
	if code != 0 || !strings.HasSuffix(out, "\tsipsvc\tSIP\n") {
		t.Errorf("dial 600 -type SIP = %q, exit %d (%s), want the call on sipsvc", out, code, errOut)
	}
}

// The call list shows the caller's name, the time connected and why an
// ended call ended; text from the network is shown escaped, plain text
// unchanged; -json keeps the texts as they are.
func TestCallsShowWhatHappened(t *testing.T) {
	p := startPhone(t, "")
	const hostile = "\x1b]0;PWNED\a\x1b[2J"
	const hostileShown = `\x1b]0;PWNED\a\x1b[2J`
	evil := p.incoming(hostile, "Mallory\x1b[31m")
	plain := p.incoming("5551234", "Alice Example")
	// A third call is answered, then ended by the far end with a reason.
	ended := p.incoming("600", "Echo")
	ended.SetState(telephony.CallConnected)
	p.mustCtl("wait", "Connected", "-call", ended.ID())
	p.a.calls.BeginStateTransaction()
	ended.SetReason("no such extension (cause 1)")
	ended.SetState(telephony.CallHangupRemote)
	p.a.calls.EndStateTransaction()
	p.mustCtl("wait", "HangupRemote", "-call", ended.ID())
	// The plain call is answered and stays connected.
	plain.SetState(telephony.CallConnected)
	p.mustCtl("wait", "Connected", "-call", plain.ID())

	var l struct {
		Calls []Call `json:"calls"`
	}
	if err := json.Unmarshal([]byte(p.mustCtl("-json", "calls")), &l); err != nil {
		t.Fatal(err)
	}
	byID := map[string]Call{}
	for _, c := range l.Calls {
		byID[c.ID] = c
	}
	if c := byID[evil.ID()]; c.Number != hostile || c.Name != "Mallory\x1b[31m" {
		t.Errorf("-json calls: hostile call's number %q name %q, want them as published", c.Number, c.Name)
	}
	if c := byID[ended.ID()]; c.Reason != "no such extension (cause 1)" || c.DurationSeconds == nil || c.EndTime == "" {
		t.Errorf("-json calls: ended call = %+v, want its reason, end time and duration", c)
	}
	if c := byID[evil.ID()]; c.DurationSeconds != nil {
		t.Errorf("-json calls: a call never connected has duration %v, want none", *c.DurationSeconds)
	}
	connected, err := time.Parse(time.RFC3339, byID[plain.ID()].ConnectedTime)
	if err != nil {
		t.Fatalf("connected call's connectedTime: %v", err)
	}
	// The connected call has run 65 s when phonectl's clock says so.
	at := func() time.Time { return connected.Add(65 * time.Second) }

	out, errOut, code := p.ctl(at, "calls")
	if code != 0 {
		t.Fatalf("calls exits %d: %s", code, errOut)
	}
	if strings.ContainsAny(out, "\x1b\a") {
		t.Errorf("calls printed raw control characters:\n%q", out)
	}
	lines := strings.Split(out, "\n")
	line := func(id string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, id+" ") {
				return l
			}
		}
		t.Errorf("calls lacks call %s:\n%s", id, out)
		return ""
	}
	if !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[0], " NAME ") ||
		!strings.Contains(lines[0], " DURATION ") || !strings.HasSuffix(lines[0], " REASON") {
		t.Errorf("calls header = %q, want ID ... NAME ... DURATION REASON", lines[0])
	}
	for _, tc := range []struct {
		id   string
		want []*regexp.Regexp
	}{
		{evil.ID(), []*regexp.Regexp{
			regexp.MustCompile(` Incoming +` + regexp.QuoteMeta(hostileShown) + ` +` + regexp.QuoteMeta(`Mallory\x1b[31m`) + ` +asterisk `),
			regexp.MustCompile(` incoming +\S+ +- +-$`)}},
		{plain.ID(), []*regexp.Regexp{
			regexp.MustCompile(` Connected +5551234 +Alice Example +asterisk +Asterisk +incoming +\S+ +1:05 +-$`)}},
		{ended.ID(), []*regexp.Regexp{
			regexp.MustCompile(` HangupRemote +600 +Echo +asterisk .* 0:0\d +no such extension \(cause 1\)$`)}},
	} {
		l := line(tc.id)
		for _, re := range tc.want {
			if !re.MatchString(l) {
				t.Errorf("calls line of %s =\n%q\nwant it to match %s", tc.id, l, re)
			}
		}
	}

	// status lists the live calls, escaped the same way, with the time
	// connected so far.
	out, errOut, code = p.ctl(at, "status")
	if code != 0 {
		t.Fatalf("status exits %d: %s", code, errOut)
	}
	if strings.ContainsAny(out, "\x1b\a") {
		t.Errorf("status printed raw control characters:\n%q", out)
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^calls: 2 live, 0 missed\n  ID +STATE +NUMBER +NAME +DURATION +SERVICE\n`),
		regexp.MustCompile(`(?m)^  ` + evil.ID() + ` +Incoming +` + regexp.QuoteMeta(hostileShown) + ` +` + regexp.QuoteMeta(`Mallory\x1b[31m`) + ` +- +asterisk$`),
		regexp.MustCompile(`(?m)^  ` + plain.ID() + ` +Connected +5551234 +Alice Example +1:05 +asterisk$`),
	} {
		if !re.MatchString(out) {
			t.Errorf("status =\n%s\nwant it to match %s", out, re)
		}
	}
	if strings.Contains(out, ended.ID()) {
		t.Errorf("status lists the ended call %s among the live ones:\n%s", ended.ID(), out)
	}
}

// A registration problem shows beside its service and among the problems.
func TestStatusRegistrationProblem(t *testing.T) {
	p := startPhone(t, "")
	p.reg.UpdateRegistrationState(telephony.RegistrationSearching)
	p.reg.UpdateRegistrationProblem("no answer from 10.0.2.2:4570 since 12:00:03\x1b[2J")
	p.waitValue(phoneapi.DiagnosticPath(phoneapi.CaseRegistration, "asterisk"),
		vs.String("service asterisk is not registered: no answer from 10.0.2.2:4570 since 12:00:03\x1b[2J"))
	out := p.mustCtl("status")
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^SERVICE +REGISTRATION +READY +CALL TYPES +MESSAGE +PROBLEM$`),
		regexp.MustCompile(`(?m)^asterisk +Searching +true +Asterisk +.+ +` + regexp.QuoteMeta(`no answer from 10.0.2.2:4570 since 12:00:03\x1b[2J`) + `$`),
		regexp.MustCompile(`(?m)^  - service asterisk is not registered: ` + regexp.QuoteMeta(`no answer from 10.0.2.2:4570 since 12:00:03\x1b[2J`) + `$`),
	} {
		if !re.MatchString(out) {
			t.Errorf("status =\n%s\nwant it to match %s", out, re)
		}
	}
	var st Status
	if err := json.Unmarshal([]byte(p.mustCtl("-json", "status")), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Services) != 1 || st.Services[0].RegistrationProblem != "no answer from 10.0.2.2:4570 since 12:00:03\x1b[2J" {
		t.Errorf("-json status services = %+v, want asterisk's registration problem", st.Services)
	}
}

// status -json never has null where a list (or a map) belongs: with
// nothing to list, and with something in every list.
func TestStatusJSONHasNoNulls(t *testing.T) {
	t.Run("empty phoned", func(t *testing.T) {
		rt := t.TempDir()
		s, err := server.Start(context.Background(), server.Options{Config: t.TempDir(), Runtime: rt})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Shutdown(context.Background())
		var out bytes.Buffer
		if err := run(context.Background(), []string{"-runtime", rt, "-json", "status"}, testEnv(&out)); err != nil {
			t.Fatal(err)
		}
		m := checkNoNulls(t, out.String())
		for _, k := range []string{"services", "agents", "calls"} {
			if l, ok := m[k].([]any); !ok || len(l) != 0 {
				t.Errorf("status -json %s = %v, want []", k, m[k])
			}
		}
		out.Reset()
		if err := run(context.Background(), []string{"-runtime", rt, "-json", "calls"}, testEnv(&out)); err != nil {
			t.Fatal(err)
		}
		if l, ok := checkNoNulls(t, out.String())["calls"].([]any); !ok || len(l) != 0 {
			t.Errorf("calls -json with no calls = %s, want calls []", out.String())
		}
	})
	t.Run("busy phoned", func(t *testing.T) {
		p := startPhone(t, "")
		p.incoming("5551234", "")
		// One phonectl has come and gone: its totals are among the clients.
		js := p.mustCtl("-json", "status")
		m := checkNoNulls(t, js)
		for _, k := range []string{"services", "agents", "problems", "calls", "clients", "missedCalls", "liveCalls"} {
			if _, ok := m[k]; !ok {
				t.Errorf("status -json lacks %q:\n%s", k, js)
			}
		}
		var st Status
		if err := json.Unmarshal([]byte(js), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Calls) != 1 || st.Calls[0].Number != "5551234" || st.LiveCalls != 1 {
			t.Errorf("status -json calls = %+v (live %d), want the incoming call", st.Calls, st.LiveCalls)
		}
		var agent, self, closed *ClientStatus
		for i, c := range st.Clients {
			switch {
			case c.Name == "iaxagent" && c.Ended == 0:
				agent = &st.Clients[i]
			case c.Name == "phonectl" && c.Ended == 0:
				self = &st.Clients[i]
			case c.Name == "phonectl" && c.Ended > 0:
				closed = &st.Clients[i]
			}
		}
		if agent == nil || agent.ID == 0 || agent.FramesIn == 0 || agent.Sent[telephony.MsgStateChanged] == 0 {
			t.Errorf("status -json clients: agent = %+v, want it connected with its stateChanged messages counted (%+v)", agent, st.Clients)
		}
		if self == nil || closed == nil || closed.ID != 0 || closed.FramesOut == 0 {
			t.Errorf("status -json clients: this phonectl %+v, the closed ones %+v, want both", self, closed)
		}
	})
}

// checkNoNulls decodes js and fails on any null in it.
func checkNoNulls(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("%v in %s", err, js)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case nil:
			t.Errorf("-json has null at %s:\n%s", path, js)
		case map[string]any:
			for k, e := range v {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range v {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		}
	}
	walk("", m)
	return m
}

// The bus's three errors reach the console as runenv says them, once
// prefixed with the program's name, exit 1.
func TestBusErrors(t *testing.T) {
	rt := t.TempDir()
	d := runenv.Dirs{Runtime: rt}
	srv, err := bus.Listen(d.Socket(), bus.ServerOptions{MaxClients: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	holder, err := runenv.Dial(ctx, d, "iaxagent")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	// A client that listens is in use, and is not closed to make room.
	if _, err := holder.Listen(ctx, "QPE/Application/iaxagent", func(bus.Delivery) {}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ rt, want string }{
		{rt, "phonectl: phoned is at its client limit ("},
		{t.TempDir(), "phonectl: phoned is not running: no bus at "},
	} {
		var out, errb bytes.Buffer
		env := testEnv(&out)
		env.Stderr = &errb
		code := Main(ctx, []string{"-runtime", tc.rt, "status"}, env)
		if code != 1 || !strings.HasPrefix(errb.String(), tc.want) || strings.Count(errb.String(), "phonectl:") != 1 ||
			strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("status = exit %d, %q, want exit 1 and one line starting %q", code, errb.String(), tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ts := func(d time.Duration) string { return now.Add(d).Format("2006-01-02T15:04:05.000Z07:00") }
	for _, tc := range []struct {
		c    Call
		want string
	}{
		{Call{State: "Connected", ConnectedTime: ts(-65 * time.Second)}, "1:05"},
		{Call{State: "Hold", ConnectedTime: ts(-time.Hour - 5*time.Second)}, "1:00:05"},
		{Call{State: "HangupLocal", ConnectedTime: ts(-time.Hour), EndTime: ts(-time.Hour + 2500*time.Millisecond)}, "0:02"},
		{Call{State: "Incoming"}, "-"},
		{Call{State: "Missed", EndTime: ts(0)}, "-"},
		{Call{State: "HangupRemote", ConnectedTime: ts(-time.Minute)}, "-"}, // ended, end unknown
		{Call{State: "Connected", ConnectedTime: "yesterday"}, "-"},
		{Call{State: "Connected", ConnectedTime: ts(time.Second)}, "0:00"}, // a clock behind phoned's
	} {
		if got := duration(tc.c, now); got != tc.want {
			t.Errorf("duration(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
	secs := measured([]Call{{State: "HangupLocal", ConnectedTime: ts(0), EndTime: ts(2500 * time.Millisecond)}, {State: "Dialing"}}, now)
	if secs[0].DurationSeconds == nil || *secs[0].DurationSeconds != 2.5 || secs[1].DurationSeconds != nil {
		t.Errorf("measured durations = %v, %v, want 2.5 and none", secs[0].DurationSeconds, secs[1].DurationSeconds)
	}
}

// -json escapes DEL and the C1 controls too (encoding/json leaves them),
// and means the same.
func TestWriteJSONEscapesControls(t *testing.T) {
	in := map[string]string{"number": "a\u009b2Jb\x7fc\x1bd", "plain": "Zoë 600"}
	var b bytes.Buffer
	if err := writeJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\u009b\x7f\x1b") {
		t.Errorf("writeJSON = %q, want no raw control characters", b.String())
	}
	if !strings.Contains(b.String(), `"Zoë 600"`) {
		t.Errorf("writeJSON = %q, want plain text unchanged", b.String())
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back["number"] != in["number"] || back["plain"] != in["plain"] {
		t.Errorf("writeJSON = %q decodes to %q, %v, want %q", b.String(), back, err, in)
	}
}
