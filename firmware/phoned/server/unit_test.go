package server

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	"github.com/ringo-phone/ringo/telephony/policy"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

func TestClassify(t *testing.T) {
	w := 5 * time.Second
	for _, tc := range []struct {
		code   int
		ranFor time.Duration
		want   exitKind
	}{
		{0, time.Second, exitQuick},
		{0, 6 * time.Second, exitClean},
		{125, time.Second, exitNoRestart},
		{125, time.Hour, exitNoRestart},
		{1, time.Second, exitCrash},
		{-1, time.Hour, exitCrash},
	} {
		if got := classify(tc.code, tc.ranFor, w); got != tc.want {
			t.Errorf("classify(%d, %v) = %d, want %d", tc.code, tc.ranFor, got, tc.want)
		}
	}
}

func call(id string, st telephony.CallState, num string) telephony.CallInfo {
	return telephony.CallInfo{ID: id, Service: "svc", CallType: "T", Number: num, State: st}
}

func opsText(ops []vs.Op) []string {
	var out []string
	for _, o := range ops {
		if o.Remove {
			out = append(out, "rm "+o.Path)
		} else {
			out = append(out, o.Path+"="+o.Value.String())
		}
	}
	return out
}

func TestCallListMissedAndPrune(t *testing.T) {
	l := newCallList(1)
	now := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	ops, changed, idle := l.update([]telephony.CallInfo{call("a", telephony.CallIncoming, "1")}, now)
	if len(changed) != 1 || len(idle) != 0 {
		t.Fatalf("update(new incoming) changed %v idle %v", changed, idle)
	}
	want := []string{
		"/Communications/Calls/a/seq=1",
		`/Communications/Calls/a/direction="incoming"`,
		`/Communications/Calls/a/startTime="2026-01-02T03:04:05.006Z"`,
		`/Communications/Calls/a/state="Incoming"`,
		`/Communications/Calls/a/number="1"`,
		`/Communications/Calls/a/service="svc"`,
		`/Communications/Calls/a/callType="T"`,
		`/Communications/Calls/a/actions="none"`,
	}
	if got := opsText(ops); !slices.Equal(got, want) {
		t.Errorf("ops =\n%q\nwant\n%q", got, want)
	}
	// The same announcement again changes nothing.
	if ops, changed, _ := l.update([]telephony.CallInfo{call("a", telephony.CallIncoming, "1")}, now); len(ops) != 0 || len(changed) != 0 {
		t.Errorf("repeated announcement gives ops %v changed %v", ops, changed)
	}
	// Rang out unanswered: missed.
	ops, _, _ = l.update([]telephony.CallInfo{call("a", telephony.CallHangupRemote, "1")}, now)
	if got := opsText(ops); !slices.Contains(got, "/Communications/Calls/MissedCalls=1") {
		t.Errorf("ended unanswered call ops = %q, want the missed count 1", got)
	}
	// An answered incoming call is not missed; the older ended call is
	// pruned (keep 1).
	l.update([]telephony.CallInfo{call("b", telephony.CallIncoming, "2")}, now)
	l.update([]telephony.CallInfo{call("b", telephony.CallConnected, "2")}, now)
	ops, _, _ = l.update([]telephony.CallInfo{call("b", telephony.CallHangupLocal, "2")}, now)
	got := opsText(ops)
	if slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "MissedCalls") }) {
		t.Errorf("answered call counted missed: %q", got)
	}
	if !slices.Contains(got, "rm /Communications/Calls/a") {
		t.Errorf("ops = %q, want the oldest ended call removed", got)
	}
	// Idle announcements are not taken.
	_, _, idle = l.update([]telephony.CallInfo{call("c", telephony.CallIdle, "3")}, now)
	if len(idle) != 1 || l.calls["c"] != nil {
		t.Errorf("Idle call: idle %v, listed %v", idle, l.calls["c"] != nil)
	}
	// A service that vanishes ends its live calls.
	l.update([]telephony.CallInfo{call("d", telephony.CallDialing, "4")}, now)
	ops = l.endService("svc", now)
	if got := opsText(ops); !slices.Contains(got, `/Communications/Calls/d/state="ServiceHangup"`) {
		t.Errorf("endService ops = %q", got)
	}
	if live := l.live(); len(live) != 0 {
		t.Errorf("live calls after endService = %v", live)
	}
}

func TestDiagnose(t *testing.T) {
	now := time.Unix(1000, 0)
	agents := []agentView{
		{Program: "bad", StartErr: errors.New("program \"bad\" not found")},
		{Program: "quick", State: phoneapi.AgentExited, Quick: true},
		{Program: "slow", State: phoneapi.AgentRunning, Started: now.Add(-10 * time.Second)},
		{Program: "young", State: phoneapi.AgentRunning, Started: now.Add(-time.Second)},
		{Program: "good", State: phoneapi.AgentRunning, Started: now.Add(-time.Hour), Services: []string{"ok"}},
	}
	services := []serviceView{
		{Name: "ok", CallTypes: []string{"T"}, HasManager: true},
		{Name: "notypes", HasCallTypes: true},
		{Name: "nomgr", CallTypes: []string{"X", "Y"}},
		{Name: "hider", CallTypes: []string{"H"}, HasManager: true, Unannounced: []string{"c1"}},
		{Name: "denied", CallTypes: []string{"A"}, HasManager: true, Registration: telephony.RegistrationDenied,
			RegistrationMessage: "Asterisk Authentication Failed"},
		{Name: "silent", CallTypes: []string{"A"}, HasManager: true, Registration: telephony.RegistrationSearching,
			Problem: "no answer from 10.0.2.2:4570 since 12:00:03"},
	}
	got := diagnose("/cfg/services/Telephony", true, agents, services, now, 5*time.Second)
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{
		"/Telephony/Diagnostics/call-not-announced/hider",
		"/Telephony/Diagnostics/no-call-types/notypes",
		"/Telephony/Diagnostics/no-policy-manager/nomgr",
		"/Telephony/Diagnostics/no-running-task/quick",
		"/Telephony/Diagnostics/not-initialized/slow",
		"/Telephony/Diagnostics/registration/denied",
		"/Telephony/Diagnostics/registration/silent",
		"/Telephony/Diagnostics/service-not-started/bad",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("diagnose paths =\n%q\nwant\n%q", keys, want)
	}
	if s := got["/Telephony/Diagnostics/no-policy-manager/nomgr"]; !strings.Contains(s, "has call types (X, Y) but no call policy manager: its calls cannot be placed") {
		t.Errorf("no-policy-manager text = %q", s)
	}
	for path, want := range map[string]string{
		"/Telephony/Diagnostics/registration/denied": "service denied is denied registration: Asterisk Authentication Failed",
		"/Telephony/Diagnostics/registration/silent": "service silent is not registered: no answer from 10.0.2.2:4570 since 12:00:03",
	} {
		if got[path] != want {
			t.Errorf("%s = %q, want %q", path, got[path], want)
		}
	}
	none := diagnose("/cfg/services/Telephony", false, nil, nil, now, time.Second)
	if s := none["/Telephony/Diagnostics/service-not-started/phoned"]; !strings.HasPrefix(s, "service not started: there are no service files in /cfg/services/Telephony") {
		t.Errorf("no files: %v", none)
	}
}

// TestPolicyConfigAndManagers: phoned takes the managers' kinds from
// Telephony.conf and Asterisk.conf's emergency capability from the disk
// (the rules themselves are tested in telephony/policy).
func TestPolicyConfigAndManagers(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Telephony.conf"), []byte("[Policy]\nPriority = asterisk, modem\n[Managers]\nfoo = generic\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Asterisk.conf"), []byte("[Registration]\nEmergencyCapable = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pc, err := loadPolicyConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pc.Priority, []string{"asterisk", "modem"}) || pc.Managers["foo"] != policy.KindGeneric {
		t.Errorf("config = %+v", pc)
	}
	if !emergencyCapable(dir) {
		t.Errorf("emergencyCapable(EmergencyCapable = true) = false")
	}
	s := &Server{policy: pc}
	ast := s.newManager("asterisk")
	ast.Update(policy.Inputs{Registration: telephony.RegistrationHome, EmergencyCapable: emergencyCapable(dir)})
	if h := ast.Handling("112"); h != policy.CanHandle {
		t.Errorf("emergency-capable asterisk Handling(112) = %v, want CanHandle", h)
	}
	if m := s.newManager("nobody"); m != nil {
		t.Errorf("manager for an unmapped service = %v, want none", m)
	}
	g := s.newManager("foo")
	g.Update(policy.Inputs{Registration: telephony.RegistrationHome, CallTypes: []string{"Foo"}})
	if g.CallType() != "Foo" || g.Handling("600") != policy.CanHandle || g.Handling("112") != policy.CannotHandle {
		t.Errorf("generic manager of foo: call type %q, Handling(600) = %v, Handling(112) = %v", g.CallType(), g.Handling("600"), g.Handling("112"))
	}

	if err := os.WriteFile(filepath.Join(dir, "Telephony.conf"), []byte("[Managers]\nfoo = magic\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPolicyConfig(dir); !errors.Is(err, ErrConfig) {
		t.Errorf("loadPolicyConfig(foo = magic) = %v, want ErrConfig", err)
	}
}

func TestReadServiceFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("iaxagent", "[Extensions]\n[Standard]\nVersion = 100\n")
	write("custom", "[Standard]\nVersion = 100\nExec = /opt/custom/bin/agent\n")
	write("relative", "[Standard]\nExec = bin/agent\n")
	write("missing", "[Standard]\nVersion = 100\n")
	write(".hidden", "")
	look := func(name string) (string, error) {
		if name == "iaxagent" {
			return "/usr/bin/iaxagent", nil
		}
		return "", errors.New("not found")
	}
	files, err := readServiceFiles(dir, look)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		s := f.Program + " " + f.Exec
		if f.Err != nil {
			s += " error"
		}
		got = append(got, s)
	}
	want := []string{"custom /opt/custom/bin/agent", "iaxagent /usr/bin/iaxagent", "missing  error", "relative  error"}
	if !slices.Equal(got, want) {
		t.Errorf("service files = %q, want %q", got, want)
	}
	if files, err := readServiceFiles(filepath.Join(dir, "none"), look); err != nil || files != nil {
		t.Errorf("missing directory = %v, %v; want none", files, err)
	}
}

// Any service file either names an absolute executable or is refused with
// ErrServiceFile; nothing panics.
func FuzzServiceFile(f *testing.F) {
	for _, s := range []string{"[Extensions]\n[Standard]\nVersion = 100\n", "[Standard]\nExec = /bin/agent\n",
		"[Standard]\nExec = rel\n", "garbage [[[", "", "[Standard]\nExec\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "agent")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		exe, err := resolveServiceFile(p, "agent", func(string) (string, error) { return "/usr/bin/agent", nil })
		if err != nil {
			if !errors.Is(err, ErrServiceFile) {
				t.Fatalf("error %v does not wrap ErrServiceFile", err)
			}
			return
		}
		if !filepath.IsAbs(exe) {
			t.Fatalf("resolved %q, not absolute", exe)
		}
	})
}
