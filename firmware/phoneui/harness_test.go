//go:build linux

package main

// The call screen tested as a person uses it: phoned, the agents and
// iaxpbx run as processes on loopback, phoneui runs inside tmux at 80×24
// with TERM=vt100 (tmux is the terminal emulator, as it is for the
// console in QEMU), send-keys types and capture-pane reads the screen.
// Every wait polls the screen for the text it needs, within waitLimit.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/internal/tmuxtest"
)

const waitLimit = 30 * time.Second

var bin string

func TestMain(m *testing.M) {
	var err error
	bin, err = proctest.Build(
		"github.com/ringo-phone/ringo/firmware/phoneui",
		"github.com/ringo-phone/ringo/firmware/phoned",
		"github.com/ringo-phone/ringo/firmware/phonectl",
		"github.com/ringo-phone/ringo/firmware/vsexplorer",
		"github.com/ringo-phone/ringo/firmware/iaxagent",
		"github.com/ringo-phone/ringo/firmware/iaxsettings",
		"github.com/ringo-phone/ringo/firmware/phoned/internal/testagent",
		"github.com/ringo-phone/ringo/tools/iaxpbx",
		"github.com/ringo-phone/ringo/tools/iaxcli",
		"github.com/ringo-phone/ringo/firmware/phoneui/internal/idle",
		"github.com/ringo-phone/ringo/firmware/modemagent",
		"github.com/ringo-phone/ringo/tools/modemsim",
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(bin)
	os.Exit(code)
}

const pbxConf = `[pbx]
listen = 127.0.0.1:0

[user handset1]
secret = s3cret
number = 201
name = Handset One

[user handset2]
secret = other
number = 202
name = Handset Two
`

// stack is phoned with its agents, on the test's own directories.
type stack struct {
	t               *testing.T
	dir             string
	config, runtime string
	phoned          *proctest.Proc
	pbx             *proctest.Proc
	pbxAddr         string
	telephonyConf   string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{t: t, dir: t.TempDir()}
	s.config, s.runtime = filepath.Join(s.dir, "config"), filepath.Join(s.dir, "run")
	if err := os.MkdirAll(filepath.Join(s.config, "services/Telephony"), 0o755); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *stack) write(name, text string, mode os.FileMode) string {
	s.t.Helper()
	p := filepath.Join(s.config, name)
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// withAsterisk adds iaxpbx and the asterisk service (iaxagent with test
// timing) registered as handset1.
func (s *stack) withAsterisk() {
	s.t.Helper()
	conf := s.write("iaxpbx.conf", pbxConf, 0o600)
	s.pbx = proctest.Start(s.t, filepath.Join(bin, "iaxpbx"), nil, "-config", conf, "-record-dir", s.dir,
		"-min-refresh", "2s", "-rtx-initial", "100ms", "-rtx-tries", "4")
	s.pbxAddr = s.pbx.WaitLine(`msg=listening category=pbx addr=(127\.0\.0\.1:\d+)`, waitLimit)[1]
	wrapper := filepath.Join(s.dir, "iaxagent-test")
	script := fmt.Sprintf("#!/bin/sh\nexec %s -listen 127.0.0.1:0 -audio-source null -audio-sink null -test-register-delay 10ms "+
		"-test-retry-min 100ms -test-retry-max 400ms -test-retransmit-initial 100ms -test-retransmit-tries 3 \"$@\"\n",
		filepath.Join(bin, "iaxagent"))
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		s.t.Fatal(err)
	}
	s.write("services/Telephony/iaxagent", "[Standard]\nVersion = 100\nExec = "+wrapper+"\n", 0o644)
	s.tool("s3cret\n", "iaxsettings", "set", "-server", s.pbxAddr, "-user", "handset1", "-password", "-",
		"-refresh", "10", "-callerid-name", "Handset One", "-callerid-number", "201")
}

// withModem adds modemsim (registered Home, answering after 100 ms) and
// the modem service: the image's modemagent on modemsim's pty, with test
// timing.
func (s *stack) withModem() {
	s.t.Helper()
	link := filepath.Join(s.dir, "modem")
	sim := proctest.Start(s.t, filepath.Join(bin, "modemsim"), nil, "-link", link, "-control", filepath.Join(s.dir, "modem.ctl"),
		"-register-delay", "50ms", "-alert-after", "50ms", "-answer-after", "100ms")
	sim.WaitLine(`msg="modem on a pty"`, waitLimit)
	wrapper := filepath.Join(s.dir, "modemagent-test")
	script := fmt.Sprintf("#!/bin/sh\nexec %s -port %s -test-command-timeout 500ms -test-dial-timeout 5s -test-scan-timeout 5s "+
		"-test-settle 50ms -test-poll 100ms -test-keepalive 300ms -test-retry-min 100ms -test-retry-max 400ms \"$@\"\n",
		filepath.Join(bin, "modemagent"), link)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		s.t.Fatal(err)
	}
	s.write("services/Telephony/modemagent", "[Standard]\nVersion = 100\nExec = "+wrapper+"\n", 0o644)
}

// withTestAgent adds a service played by phoned's test agent, with the
// generic policy manager.
func (s *stack) withTestAgent(program, service, callType string) {
	s.write("services/Telephony/"+program, "[Standard]\nVersion = 100\nExec = "+filepath.Join(bin, "testagent")+"\n", 0o644)
	f, err := os.OpenFile(filepath.Join(s.config, "testagent.conf"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	fmt.Fprintf(f, "[%s]\nService = %s\nCallTypes = %s\n", program, service, callType)
	f.Close()
	s.telephonyConf += service + " = generic\n"
}

// start starts phoned.
func (s *stack) start() {
	s.t.Helper()
	if s.telephonyConf != "" {
		s.write("Telephony.conf", "[Managers]\n"+s.telephonyConf, 0o644)
	}
	s.phoned = proctest.Start(s.t, filepath.Join(bin, "phoned"), nil, "-config", s.config, "-runtime", s.runtime,
		"-state", filepath.Join(s.dir, "state"), "-backoff", "100ms", "-backoff-max", "400ms", "-init-timeout", "5s", "-start-window", "1s", "-log", "debug")
	s.phoned.WaitLine(`phoned started`, waitLimit)
}

// tool runs one of the programs with the stack's directories.
func (s *stack) tool(stdin, name string, args ...string) string {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(bin, name), append([]string{"-config", s.config, "-runtime", s.runtime}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String()
}

// caller calls handset1 (number 201) from handset2 through iaxpbx.
func (s *stack) caller(args ...string) *proctest.Proc {
	return proctest.Start(s.t, filepath.Join(bin, "iaxcli"), []string{"IAX_SECRET=other"},
		append([]string{"call", "-server", s.pbxAddr, "-user", "handset2", "-dial", "201", "-local", "127.0.0.1:0"}, args...)...)
}

// term is phoneui running in a tmux of its own, 80×24, TERM=vt100.
type term struct {
	*tmuxtest.Term
	t *testing.T
}

// startUI runs phoneui on the stack in a new tmux server, TERM=vt100.
func startUI(t *testing.T, s *stack) *term { return startUITerm(t, s, "vt100") }

// startUITerm runs phoneui on the stack in a new tmux server with TERM.
func startUITerm(t *testing.T, s *stack, termType string) *term {
	t.Helper()
	return &term{t: t, Term: tmuxtest.Start(t, 80, 24, "",
		fmt.Sprintf("exec env TERM=%s %s -config %s -runtime %s", termType, filepath.Join(bin, "phoneui"), s.config, s.runtime))}
}

func (tm *term) tmux(args ...string) string { tm.t.Helper(); return tm.Tmux(args...) }

// capture is the screen as text.
func (tm *term) capture() string { return tm.Capture() }

// keep saves the screen as docs' capture name when RINGO_CAPTURES names a
// folder (docs/phoneui.md shows them).
func (tm *term) keep(name string) { tm.t.Helper(); tm.Keep(name) }

// typ types text; keys presses named keys (Enter, Escape, Tab, Down, C-c).
func (tm *term) typ(text string) { tm.t.Helper(); tm.Type(text) }
func (tm *term) keys(keys ...string) {
	tm.t.Helper()
	tm.Keys(keys...)
}

// wait polls the screen until every pattern (a regular expression)
// matches it, and returns the screen.
func (tm *term) wait(patterns ...string) string {
	tm.t.Helper()
	return tm.Wait(waitLimit, patterns...)
}
