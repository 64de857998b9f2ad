package main

// End to end under phoned, as on the handset but on loopback: phoned
// starts iaxagent from its service file, iaxpbx is the server, and the
// tests drive everything with phonectl and iaxsettings, as a person on the
// serial console would.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
)

var bin string

func TestMain(m *testing.M) {
	var err error
	bin, err = proctest.Build(
		"github.com/ringo-phone/ringo/firmware/phoned",
		"github.com/ringo-phone/ringo/firmware/phonectl",
		"github.com/ringo-phone/ringo/firmware/iaxagent",
		"github.com/ringo-phone/ringo/firmware/iaxsettings",
		"github.com/ringo-phone/ringo/tools/iaxpbx",
		"github.com/ringo-phone/ringo/tools/iaxcli",
		"github.com/ringo-phone/ringo/firmware/vsexplorer",
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(bin)
	os.Exit(code)
}

const waitLimit = 30 * time.Second

const pbxConf = `[pbx]
listen = %s

[user handset1]
secret = s3cret
number = 201
name = Handset One

[user handset2]
secret = other
number = 202
name = Handset Two
`

type stack struct {
	t                testing.TB
	dir              string
	config, runtime  string
	pbx, phoned      *proctest.Proc
	pbxAddr, pbxConf string
}

// startPBX starts iaxpbx on listen ("127.0.0.1:0" for any port).
func (s *stack) startPBX(listen string) {
	s.t.Helper()
	s.pbxConf = filepath.Join(s.dir, "iaxpbx.conf")
	if err := os.WriteFile(s.pbxConf, []byte(fmt.Sprintf(pbxConf, listen)), 0o600); err != nil {
		s.t.Fatal(err)
	}
	s.pbx = proctest.Start(s.t, filepath.Join(bin, "iaxpbx"), nil, "-config", s.pbxConf,
		"-record-dir", s.dir, "-min-refresh", "2s", "-rtx-initial", "100ms", "-rtx-tries", "4")
	s.pbxAddr = s.pbx.WaitLine(`msg=listening category=pbx addr=(127\.0\.0\.1:\d+)`, waitLimit)[1]
}

func newStack(t testing.TB, secret string) *stack {
	t.Helper()
	return newStackWith(t, secret, nil, "-audio-source", "null", "-audio-sink", "null")
}

// newStackWith starts the stack with env added to phoned's (and so the
// agent's) environment and agentArgs added to the agent's command line.
func newStackWith(t testing.TB, secret string, env []string, agentArgs ...string) *stack {
	t.Helper()
	s := &stack{t: t, dir: t.TempDir()}
	s.config, s.runtime = filepath.Join(s.dir, "config"), filepath.Join(s.dir, "run")
	svcDir := filepath.Join(s.config, "services/Telephony")
	if err := os.MkdirAll(svcDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The agent with test timing, through a wrapper the service file names.
	wrapper := filepath.Join(s.dir, "iaxagent-test")
	script := fmt.Sprintf("#!/bin/sh\nexec %s -listen 127.0.0.1:0 -test-register-delay 10ms -test-retry-min 100ms -test-retry-max 400ms -test-retransmit-initial 100ms -test-retransmit-tries 3 %s \"$@\"\n",
		filepath.Join(bin, "iaxagent"), strings.Join(agentArgs, " "))
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(svcDir, "iaxagent"), []byte("[Standard]\nVersion = 100\nExec = "+wrapper+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.startPBX("127.0.0.1:0")
	s.mustTool(secret+"\n", "iaxsettings", "set", "-server", s.pbxAddr, "-user", "handset1", "-password", "-",
		"-refresh", "10", "-callerid-name", "Handset One", "-callerid-number", "201")
	// The state directory too is the test's own: phoned keeps the call
	// history there, which another test must not see.
	s.phoned = proctest.Start(t, filepath.Join(bin, "phoned"), env, "-config", s.config, "-runtime", s.runtime,
		"-state", filepath.Join(s.dir, "state"),
		"-backoff", "100ms", "-backoff-max", "400ms", "-init-timeout", "5s", "-start-window", "1s", "-log", "debug")
	s.phoned.WaitLine(`phoned started`, waitLimit)
	return s
}

// tool runs one of the programs with the stack's directories.
func (s *stack) tool(stdin, name string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(bin, name), append([]string{"-config", s.config, "-runtime", s.runtime}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

func (s *stack) mustTool(stdin, name string, args ...string) string {
	s.t.Helper()
	out, err := s.tool(stdin, name, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

func (s *stack) ctl(args ...string) string { s.t.Helper(); return s.mustTool("", "phonectl", args...) }

func (s *stack) waitReg(state string) {
	s.t.Helper()
	s.ctl("wait", "-service", "asterisk", state, "-timeout", waitLimit.String())
}

func (s *stack) waitCall(id, state string) {
	s.t.Helper()
	args := []string{"wait", state, "-timeout", waitLimit.String()}
	if id != "" {
		args = append(args, "-call", id)
	}
	s.ctl(args...)
}

type callList struct {
	Calls []struct {
		ID, State, Number, Direction string
	} `json:"calls"`
	Missed int64 `json:"missedCalls"`
}

func (s *stack) calls() callList {
	s.t.Helper()
	var l callList
	if err := json.Unmarshal([]byte(s.ctl("-json", "calls")), &l); err != nil {
		s.t.Fatal(err)
	}
	return l
}

// dial places a call and returns its id.
func (s *stack) dial(number string) string {
	s.t.Helper()
	before := map[string]bool{}
	for _, c := range s.calls().Calls {
		before[c.ID] = true
	}
	s.ctl("dial", number)
	for _, c := range s.calls().Calls {
		if !before[c.ID] && c.Number == number {
			return c.ID
		}
	}
	s.t.Fatalf("dial %s: no new call in the list", number)
	return ""
}

func (s *stack) state(id string) string {
	for _, c := range s.calls().Calls {
		if c.ID == id {
			return c.State
		}
	}
	return ""
}

func TestStackCalls(t *testing.T) {
	s := newStack(t, "s3cret")
	s.waitReg("Home")
	st := s.ctl("status")
	for _, w := range []string{"asterisk", "Home", "Asterisk"} {
		if !strings.Contains(st, w) {
			t.Errorf("status lacks %q:\n%s", w, st)
		}
	}

	// Echo, with DTMF that the server logs digit by digit; we hang up.
	id := s.dial("600")
	s.waitCall(id, "Connected")
	s.ctl("tone", "123")
	s.pbx.WaitCount(`msg=dtmf .*digit=[123]`, 3, waitLimit)
	if got := s.pbx.Matching(`msg=dtmf `); !strings.Contains(got[0], "digit=1") || !strings.Contains(got[1], "digit=2") || !strings.Contains(got[2], "digit=3") {
		t.Errorf("server logged DTMF %q, want 1 2 3 in order", got)
	}
	s.ctl("hangup", id)
	s.waitCall(id, "HangupLocal")

	// The server hangs up: extension 100 answers, sends DTMF, hangs up.
	id = s.dial("100")
	s.waitCall(id, "HangupRemote")

	// Two calls: the second holds the first; activate swaps them back.
	a := s.dial("600")
	s.waitCall(a, "Connected")
	b := s.dial("600")
	s.waitCall(b, "Connected")
	if st := s.state(a); st != "Hold" {
		t.Errorf("first call is %s after dialing a second, want Hold", st)
	}
	s.ctl("activate", a)
	s.waitCall(a, "Connected")
	if st := s.state(b); st != "Hold" {
		t.Errorf("second call is %s after activating the first, want Hold", st)
	}
	s.pbx.WaitLine(`msg=hold `, waitLimit)

	// Blind transfer of the connected call: the server logs it.
	s.ctl("transfer", "601")
	s.pbx.WaitLine(`msg=transfer .*to=601`, waitLimit)
	for _, id := range []string{a, b} {
		s.tool("", "phonectl", "hangup", id)
	}
}

func TestStackIncomingAndMissed(t *testing.T) {
	s := newStack(t, "s3cret")
	s.waitReg("Home")

	// handset2 calls handset1's number: Incoming, answered, then the
	// caller hangs up after its duration.
	caller := proctest.Start(t, filepath.Join(bin, "iaxcli"), []string{"IAX_SECRET=other"}, "call", "-server", s.pbxAddr,
		"-user", "handset2", "-dial", "201", "-duration", "1s", "-local", "127.0.0.1:0")
	s.waitCall("", "Incoming")
	s.ctl("answer")
	s.waitCall("", "Connected")
	s.waitCall("", "HangupRemote")
	caller.Wait(waitLimit)

	// A caller who gives up: a missed call, counted.
	before := s.calls().Missed
	caller = proctest.Start(t, filepath.Join(bin, "iaxcli"), []string{"IAX_SECRET=other"}, "call", "-server", s.pbxAddr,
		"-user", "handset2", "-dial", "201", "-ring-timeout", "1s", "-local", "127.0.0.1:0")
	s.waitCall("", "Incoming")
	caller.Wait(waitLimit)
	s.waitCall("", "Missed")
	if got := s.calls().Missed; got != before+1 {
		t.Errorf("missed calls = %d, want %d", got, before+1)
	}
}

func TestStackRegistrationTroubles(t *testing.T) {
	s := newStack(t, "wrong")
	s.waitReg("Denied")
	if st := s.ctl("status"); !strings.Contains(st, "Asterisk Authentication Failed") {
		t.Errorf("status after a wrong password lacks the message:\n%s", st)
	}
	// The right password, through the settings program: Home.
	s.mustTool("s3cret\n", "iaxsettings", "set", "-password", "-")
	s.waitReg("Home")

	// The server stops: the agent finds nobody at its next refresh and
	// keeps trying; the server returns on the same port: Home again.
	s.pbx.Cmd.Process.Kill()
	s.pbx.Wait(waitLimit)
	s.waitReg("None")
	if st := s.ctl("status"); !strings.Contains(st, "No Asterisk network") && !strings.Contains(st, "Searching for Asterisk network") {
		t.Errorf("status with the server gone lacks its message:\n%s", st)
	}
	s.startPBX(s.pbxAddr)
	s.waitReg("Home")

	// A new server through iaxsettings: the agent registers there.
	old := s.pbx
	s.startPBX("127.0.0.1:0")
	s.mustTool("", "iaxsettings", "set", "-server", s.pbxAddr)
	s.pbx.WaitLine(`msg=registered .*user=handset1`, waitLimit)
	s.waitReg("Home")
	old.WaitLine(`msg=unregistered .*user=handset1`, waitLimit)

	// kill -9 of the agent: phoned starts it again and it registers.
	pid := agentPID(t, s)
	syscall.Kill(pid, syscall.SIGKILL)
	s.pbx.WaitCount(`msg=registered .*user=handset1`, 2, waitLimit)
	s.waitReg("Home")
	if again := agentPID(t, s); again == pid {
		t.Errorf("the agent's pid is still %d after kill -9", pid)
	}
}

// agentPID finds the running iaxagent's pid in phonectl's JSON status.
func agentPID(t testing.TB, s *stack) int {
	t.Helper()
	out := s.ctl("-json", "status")
	m := regexp.MustCompile(`"program":\s*"iaxagent"[^}]*"pid":\s*(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no iaxagent pid in status:\n%s", out)
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}
