package main

// End to end under phoned, as on the handset but with modemsim as the
// modem: phoned starts modemagent from its service file, the agent talks
// AT to modemsim's pty, and the tests drive everything with phonectl, as
// a person on the serial console would, and with modemsim's control
// socket, as the network would.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	"github.com/ringo-phone/ringo/tools/modemsim/sim"
)

var bin string

func TestMain(m *testing.M) {
	var err error
	bin, err = proctest.Build(
		"github.com/ringo-phone/ringo/firmware/phoned",
		"github.com/ringo-phone/ringo/firmware/phonectl",
		"github.com/ringo-phone/ringo/firmware/modemagent",
		"github.com/ringo-phone/ringo/tools/modemsim",
		"github.com/ringo-phone/ringo/firmware/iaxagent",
		"github.com/ringo-phone/ringo/firmware/iaxsettings",
		"github.com/ringo-phone/ringo/tools/iaxpbx",
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

type stack struct {
	t               testing.TB
	dir             string
	config, runtime string
	link, control   string
	modem, phoned   *proctest.Proc
	pbx             *proctest.Proc
	pbxAddr         string
	console         *bufio.Reader // phoned's notices, with cfg.notices
	consoleFile     *os.File
}

// agentTiming is the agent's test timing: commands answered within
// 500 ms, calls listed every 100 ms, the modem asked every 300 ms.
const agentTiming = "-test-command-timeout 500ms -test-dial-timeout 5s -test-scan-timeout 5s -test-settle 50ms " +
	"-test-poll 100ms -test-keepalive 300ms -test-retry-min 100ms -test-retry-max 400ms"

// newStack starts modemsim (with simArgs), phoned, and through its
// service file modemagent on modemsim's pty. With asterisk, iaxpbx and
// iaxagent (registered as handset1) run too.
func newStack(t *testing.T, asterisk bool, simArgs ...string) *stack {
	t.Helper()
	return startStack(t, stackConfig{asterisk: asterisk}, simArgs...)
}

// stackConfig says what a stack runs beside phoned, modemagent and
// modemsim.
type stackConfig struct {
	asterisk bool // iaxpbx and iaxagent
	// emergency makes the Asterisk account emergency-capable.
	emergency bool
	// telephonyConf, when set, is Telephony.conf.
	telephonyConf string
	// notices gives phoned a console (a fifo) for its notices.
	notices bool
}

func startStack(t *testing.T, cfg stackConfig, simArgs ...string) *stack {
	t.Helper()
	asterisk := cfg.asterisk
	s := &stack{t: t, dir: t.TempDir()}
	s.config, s.runtime = filepath.Join(s.dir, "config"), filepath.Join(s.dir, "run")
	s.link, s.control = filepath.Join(s.dir, "modem"), filepath.Join(s.dir, "modem.ctl")
	svcDir := filepath.Join(s.config, "services/Telephony")
	if err := os.MkdirAll(svcDir, 0o755); err != nil {
		t.Fatal(err)
	}
	s.modem = proctest.Start(t, filepath.Join(bin, "modemsim"), nil, append([]string{"-link", s.link, "-control", s.control,
		"-register-delay", "50ms", "-alert-after", "50ms", "-answer-after", "100ms", "-ring-interval", "300ms"}, simArgs...)...)
	s.modem.WaitLine(`msg="modem on a pty"`, waitLimit)
	s.service("modemagent", fmt.Sprintf("exec %s -port %s %s \"$@\"", filepath.Join(bin, "modemagent"), s.link, agentTiming))
	if asterisk {
		s.pbx = proctest.Start(t, filepath.Join(bin, "iaxpbx"), nil, "-listen", "127.0.0.1:0", "-user", "handset1:s3cret:201",
			"-min-refresh", "2s", "-rtx-initial", "100ms", "-rtx-tries", "4")
		s.pbxAddr = s.pbx.WaitLine(`msg=listening category=pbx addr=(127\.0\.0\.1:\d+)`, waitLimit)[1]
		s.mustTool("s3cret\n", "iaxsettings", "set", "-server", s.pbxAddr, "-user", "handset1", "-password", "-", "-refresh", "10",
			"-emergency", strconv.FormatBool(cfg.emergency))
		s.service("iaxagent", fmt.Sprintf("exec %s -listen 127.0.0.1:0 -audio-source null -audio-sink null "+
			"-test-register-delay 10ms -test-retry-min 100ms -test-retry-max 400ms -test-retransmit-initial 100ms "+
			"-test-retransmit-tries 3 \"$@\"", filepath.Join(bin, "iaxagent")))
	}
	if cfg.telephonyConf != "" {
		if err := os.WriteFile(filepath.Join(s.config, "Telephony.conf"), []byte(cfg.telephonyConf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	phonedArgs := []string{"-config", s.config, "-runtime", s.runtime,
		"-state", filepath.Join(s.dir, "state"), "-board", "host",
		"-backoff", "100ms", "-backoff-max", "400ms", "-init-timeout", "5s", "-start-window", "1s"}
	if cfg.notices {
		fifo := filepath.Join(s.dir, "console")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		s.consoleFile, s.console = f, bufio.NewReader(f)
		phonedArgs = append(phonedArgs, "-notices", fifo)
	}
	s.phoned = proctest.Start(t, filepath.Join(bin, "phoned"), nil, phonedArgs...)
	s.phoned.WaitLine(`phoned started`, waitLimit)
	return s
}

// service writes a service file running script through a wrapper.
func (s *stack) service(program, script string) {
	s.t.Helper()
	wrapper := filepath.Join(s.dir, program+"-test")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		s.t.Fatal(err)
	}
	file := filepath.Join(s.config, "services/Telephony", program)
	if err := os.WriteFile(file, []byte("[Standard]\nVersion = 100\nExec = "+wrapper+"\n"), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// tool runs one of the programs with the stack's directories; code is
// its exit code.
func (s *stack) tool(stdin, name string, args ...string) (out string, code int, err error) {
	cmd := exec.Command(filepath.Join(bin, name), append([]string{"-config", s.config, "-runtime", s.runtime}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	if err != nil {
		err = fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(e.String()))
	}
	return o.String(), code, err
}

func (s *stack) mustTool(stdin, name string, args ...string) string {
	s.t.Helper()
	out, _, err := s.tool(stdin, name, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

func (s *stack) ctl(args ...string) string { s.t.Helper(); return s.mustTool("", "phonectl", args...) }

// sim sends a control command to modemsim.
func (s *stack) sim(cmd string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var out bytes.Buffer
	if err := sim.Send(ctx, s.control, cmd, &out); err != nil {
		s.t.Fatalf("modemsim %q: %v", cmd, err)
	}
}

func (s *stack) waitReg(service, state string) {
	s.t.Helper()
	s.ctl("wait", "-service", service, state, "-timeout", waitLimit.String())
}

func (s *stack) waitCall(id, state string) {
	s.t.Helper()
	args := []string{"wait", state, "-timeout", waitLimit.String()}
	if id != "" {
		args = append(args, "-call", id)
	}
	s.ctl(args...)
}

// sent waits until modemsim has received the command line cmd n times.
func (s *stack) sent(cmd string, n int) {
	s.t.Helper()
	s.modem.WaitCount(`msg=at cmd=`+regexp.QuoteMeta(quoted(cmd))+`$`, n, waitLimit)
}

// received lists the command lines modemsim received.
func (s *stack) received() []string {
	var out []string
	for _, l := range s.modem.Matching(`msg=at cmd=`) {
		out = append(out, l[strings.Index(l, "cmd=")+4:])
	}
	return out
}

// quoted is how slog's text handler writes a value.
func quoted(v string) string {
	if strings.ContainsAny(v, " =\"\\") || v == "" {
		b, _ := json.Marshal(v)
		return string(b)
	}
	return v
}

type callInfo struct {
	ID, State, Number, Name, Service, CallType, Reason string
}

func (s *stack) calls() []callInfo {
	s.t.Helper()
	var l struct {
		Calls []callInfo `json:"calls"`
	}
	if err := json.Unmarshal([]byte(s.ctl("-json", "calls")), &l); err != nil {
		s.t.Fatal(err)
	}
	return l.Calls
}

func (s *stack) call(id string) callInfo {
	s.t.Helper()
	for _, c := range s.calls() {
		if c.ID == id {
			return c
		}
	}
	s.t.Fatalf("no call %s in %+v", id, s.calls())
	return callInfo{}
}

// dial places a call and returns its id (phonectl prints id, service,
// call type).
func (s *stack) dial(args ...string) string {
	s.t.Helper()
	out := s.ctl(append([]string{"dial"}, args...)...)
	f := strings.Fields(out)
	if len(f) != 3 {
		s.t.Fatalf("phonectl dial %q printed %q, want ID SERVICE CALLTYPE", args, out)
	}
	return f[0]
}

func TestRegistrationStates(t *testing.T) {
	s := newStack(t, false)
	s.waitReg("modem", "Home")
	st := s.ctl("status")
	for _, w := range []string{"modem", "Home", "Voice"} {
		if !strings.Contains(st, w) {
			t.Errorf("status lacks %q:\n%s", w, st)
		}
	}
	s.sim("deregister")
	s.waitReg("modem", "None")
	s.sim("register roaming")
	s.waitReg("modem", "Roaming")
	s.sim("deny")
	s.waitReg("modem", "Denied")
	s.sim("register")
	s.waitReg("modem", "Home")
}

func TestCalls(t *testing.T) {
	s := newStack(t, false)
	s.waitReg("modem", "Home")

	// Dialled, answered by the far end, DTMF, hung up by us.
	id := s.dial("600")
	s.waitCall(id, "Connected")
	s.sent("ATD600;", 1)
	if c := s.call(id); c.Service != "modem" || c.CallType != "Voice" {
		t.Errorf("call %+v, want service modem, call type Voice", c)
	}
	s.ctl("tone", "19")
	s.sent("AT+VTS=9", 1)
	s.modem.WaitLine(`msg=dtmf .*digit=1`, waitLimit)
	s.ctl("hangup", id)
	s.waitCall(id, "HangupLocal")

	// Hung up by the far end.
	id = s.dial("600")
	s.waitCall(id, "Connected")
	s.sim("drop")
	s.waitCall(id, "HangupRemote")

	// Incoming, with the caller's number and name, answered, ended there.
	s.sim("ring 5551234 Alice Smith")
	s.waitCall("", "Incoming")
	var in callInfo
	for _, c := range s.calls() {
		if c.State == "Incoming" {
			in = c
		}
	}
	if in.Number != "5551234" || in.Name != "Alice Smith" {
		t.Errorf("incoming call %+v, want 5551234 Alice Smith", in)
	}
	s.ctl("answer")
	s.waitCall(in.ID, "Connected")
	s.sent("ATA", 1)
	s.sim("drop")
	s.waitCall(in.ID, "HangupRemote")

	// Two calls: the second holds the first; activate swaps them back.
	a := s.dial("600")
	s.waitCall(a, "Connected")
	b := s.dial("601")
	s.waitCall(b, "Connected")
	s.waitCall(a, "Hold")
	s.ctl("activate", a)
	s.waitCall(a, "Connected")
	s.waitCall(b, "Hold")
	s.ctl("hangup", b)
	s.waitCall(b, "HangupLocal")
	s.ctl("hangup", a)
	s.waitCall(a, "HangupLocal")
}

// The modem vanishes mid-call: the call ends in NetworkFailure, the
// registration is gone; it comes back and registers again.
func TestModemVanishes(t *testing.T) {
	s := newStack(t, false)
	s.waitReg("modem", "Home")
	id := s.dial("600")
	s.waitCall(id, "Connected")
	s.sim("vanish")
	s.waitCall(id, "NetworkFailure")
	s.waitReg("modem", "None")
	if st := s.ctl("status"); !strings.Contains(st, "vanished") {
		t.Errorf("status does not say the modem vanished:\n%s", st)
	}
	s.sim("return")
	s.waitReg("modem", "Home")
	id = s.dial("600")
	s.waitCall(id, "Connected")
}

// 112 goes to the modem with no SIM and with a locked SIM.
func TestEmergencyWithoutUsableSIM(t *testing.T) {
	for _, args := range [][]string{{"-sim", "absent"}, {"-pin", "1234"}} {
		t.Run(args[0], func(t *testing.T) {
			s := newStack(t, false, args...)
			s.modem.WaitLine(`msg=at cmd=AT\+CPIN\?`, waitLimit)
			id := s.dial("112")
			s.sent("ATD112;", 1)
			s.waitCall(id, "Connected")
			s.ctl("hangup", id)
		})
	}
}

// A number with a ';' or a CR never reaches the modem: no second
// command rides on a dial string.
func TestNumbersNeverInjectCommands(t *testing.T) {
	s := newStack(t, false)
	s.waitReg("modem", "Home")
	out, code, err := s.tool("", "phonectl", "dial", "600;+CFUN=0")
	if err == nil {
		id := strings.Fields(out)[0]
		s.waitCall(id, "OtherFailure")
		if c := s.call(id); !strings.Contains(c.Reason, "refused before it reached the modem") {
			t.Errorf("reason %q", c.Reason)
		}
	}
	if _, code2, err := s.tool("", "phonectl", "dial", "600\r+CFUN=0"); err == nil {
		t.Errorf("phonectl dial with a CR succeeded (first dial exit %d, this %d)", code, code2)
	}
	// A dial after both shows the modem still takes commands, and that
	// the log is up to date.
	id := s.dial("600")
	s.waitCall(id, "Connected")
	for _, l := range s.received() {
		if strings.Contains(l, "CFUN=0") || strings.HasPrefix(l, "ATD") && l != "ATD600;" {
			t.Errorf("the modem received %s", l)
		}
	}
}

// With both services Home, 600 needs a choice; -type Voice picks the modem.
func TestChoiceBetweenAsteriskAndVoice(t *testing.T) {
	s := newStack(t, true)
	s.waitReg("modem", "Home")
	s.waitReg("asterisk", "Home")
	out, code, err := s.tool("", "phonectl", "-json", "dial", "600")
	var choice struct {
		CallTypes []string `json:"callTypes"`
	}
	if jerr := json.Unmarshal([]byte(out), &choice); jerr != nil || code != phoneapi.ExitChoiceNeeded {
		t.Fatalf("phonectl -json dial 600 = exit %d, %q, %v; want %d and the choice", code, out, err, phoneapi.ExitChoiceNeeded)
	}
	// Listed in [Policy] Priority's order (modem first by default).
	if slices.Sort(choice.CallTypes); !slices.Equal(choice.CallTypes, []string{"Asterisk", "Voice"}) {
		t.Errorf("choice of %q, want Asterisk and Voice", choice.CallTypes)
	}
	if _, code, err := s.tool("", "phonectl", "dial", "600"); code != phoneapi.ExitChoiceNeeded ||
		!strings.Contains(err.Error(), "Asterisk") || !strings.Contains(err.Error(), "Voice") {
		t.Errorf("phonectl dial 600 = exit %d, %v; want %d naming Asterisk and Voice", code, err, phoneapi.ExitChoiceNeeded)
	}
	for _, l := range s.received() {
		if strings.HasPrefix(l, "ATD") {
			t.Errorf("the modem received %s before a choice was made", l)
		}
	}
	id := s.dial("600", "-type", "Voice")
	s.sent("ATD600;", 1)
	s.waitCall(id, "Connected")
	s.ctl("hangup", id)
	s.waitCall(id, "HangupLocal")
}

// kill -9 of the agent mid-call: phoned starts it again, and the new
// agent carries on the call the modem still has.
func TestAgentRestartKeepsTheCall(t *testing.T) {
	s := newStack(t, false)
	s.waitReg("modem", "Home")
	id := s.dial("600")
	s.waitCall(id, "Connected")
	out := s.ctl("-json", "status")
	m := regexp.MustCompile(`"program":\s*"modemagent"[^}]*"pid":\s*(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no modemagent pid in status:\n%s", out)
	}
	pid, _ := strconv.Atoi(m[1])
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.modem.WaitCount(`msg=at cmd=ATE0$`, 2, waitLimit) // the new agent sets the modem up
	s.waitCall("", "Connected")
	var again callInfo
	for _, c := range s.calls() {
		if c.State == "Connected" && c.ID != id {
			again = c
		}
	}
	if again.Number != "600" || again.Service != "modem" {
		t.Fatalf("after the restart the calls are %+v, want 600 Connected again", s.calls())
	}
	s.ctl("hangup", again.ID)
	s.waitCall(again.ID, "HangupLocal")
	if n := len(s.modem.Matching(`msg=at cmd=ATD600;$`)); n != 1 {
		t.Errorf("ATD600; sent %d times, want once: the call was carried on, not dialled again", n)
	}
}

// pbxCalls counts the calls iaxpbx received (a NEW from the handset).
func (s *stack) pbxCalls() int { return len(s.pbx.Matching(`msg=call category=pbx `)) }

// Flight mode on: the radio goes off (AT+CFUN=4), 112 is refused with
// the flight-mode words and reaches neither the modem nor the Asterisk
// account, emergency-capable as it is. Off again: AT+CFUN=1, and 112
// goes to the modem, not to Asterisk (MustHandle wins).
func TestFlightModeAndEmergency(t *testing.T) {
	s := startStack(t, stackConfig{asterisk: true, emergency: true})
	s.waitReg("modem", "Home")
	s.waitReg("asterisk", "Home")
	on := len(s.modem.Matching(`msg=at cmd=AT\+CFUN=1$`))

	s.ctl("flight", "on")
	s.sent("AT+CFUN=4", 1)
	_, code, err := s.tool("", "phonectl", "dial", "112")
	if err == nil || !strings.Contains(err.Error(), "Flight mode is on") {
		t.Errorf("phonectl dial 112 in flight mode = exit %d, %v; want refused with the flight-mode words", code, err)
	}
	// VoIP still calls in flight mode: a dial through the same stack
	// afterwards shows the logs are up to date.
	id := s.dial("600", "-type", "Asterisk")
	s.ctl("hangup", id)
	for _, l := range s.received() {
		if strings.HasPrefix(l, "ATD") {
			t.Errorf("the modem received %s in flight mode", l)
		}
	}
	if n := s.pbxCalls(); n != 1 {
		t.Errorf("iaxpbx received %d calls, want only the one to 600: 112 must not go to Asterisk", n)
	}

	s.ctl("flight", "off")
	s.sent("AT+CFUN=1", on+1)
	s.waitReg("modem", "Home")
	id = s.dial("112")
	s.sent("ATD112;", 1)
	if c := s.call(id); c.Service != "modem" {
		t.Errorf("112 went to %+v, want the modem", c)
	}
	s.waitCall(id, "Connected")
	s.ctl("hangup", id)
	s.waitCall(id, "HangupLocal")
	if n := s.pbxCalls(); n != 1 {
		t.Errorf("iaxpbx received %d calls, want 1: 112 went to Asterisk as well", n)
	}
}

// The SIM's EF_ECC (a USIM's records, a GSM SIM's transparent file): its
// numbers are emergency numbers, so 4711 goes to the modem at once
// (MustHandle) where, with Asterisk also Home, a plain number would need
// a choice.
func TestSIMEmergencyNumbers(t *testing.T) {
	for _, file := range []string{"usim", "gsm"} {
		t.Run(file, func(t *testing.T) {
			s := startStack(t, stackConfig{asterisk: true, emergency: true}, "-ecc", "4711,08", "-ecc-file", file)
			s.phoned.WaitLine(`msg="emergency numbers from the SIM" .*numbers=4711,08`, waitLimit)
			s.waitReg("modem", "Home")
			s.waitReg("asterisk", "Home")
			id := s.dial("4711")
			s.sent("ATD4711;", 1)
			if c := s.call(id); c.Service != "modem" {
				t.Errorf("4711 went to %+v, want the modem", c)
			}
			s.phoned.WaitLine(`msg=dial .*number=4711 .*emergency=true`, waitLimit)
			s.waitCall(id, "Connected")
			s.ctl("hangup", id)
			s.waitCall(id, "HangupLocal")
			if n := s.pbxCalls(); n != 0 {
				t.Errorf("iaxpbx received %d calls, want none", n)
			}
		})
	}
}

// The modem fails the emergency call (NO CARRIER at once): phoned says
// so and places it at once on the emergency-capable Asterisk account,
// and says that too; the call list has both calls.
func TestEmergencyFailsOverToAsterisk(t *testing.T) {
	s := startStack(t, stackConfig{asterisk: true, emergency: true, notices: true}, "-number", "112=fail")
	s.waitReg("modem", "Home")
	s.waitReg("asterisk", "Home")
	id := s.dial("112")
	s.sent("ATD112;", 1)
	s.phoned.WaitLine(`msg="emergency call failed on the modem" .*number=112`, waitLimit)
	m := s.phoned.WaitLine(`msg="emergency call placed on VoIP instead" .*call=(\w+) service=asterisk`, waitLimit)
	s.pbx.WaitLine(`msg=call category=pbx `, waitLimit)
	failed, voip := s.call(id), s.call(m[1])
	if failed.Service != "modem" || !strings.Contains(failed.State, "Failure") || !strings.Contains(failed.Reason, "NO CARRIER") {
		t.Errorf("the modem's call is %+v, want it ended in a failure, with NO CARRIER in its reason", failed)
	}
	if voip.Service != "asterisk" || voip.Number != "112" {
		t.Errorf("the new call is %+v, want 112 on asterisk", voip)
	}
	if n := len(s.modem.Matching(`msg=at cmd=ATD`)); n != 1 {
		t.Errorf("the modem was dialled %d times, want once", n)
	}
	notice := s.notice("placing it on")
	for _, w := range []string{"emergency call to 112 through modem failed", "placing it on asterisk (Asterisk) now", m[1]} {
		if !strings.Contains(notice, w) {
			t.Errorf("the console notice %q lacks %q", notice, w)
		}
	}
}

// notice reads phoned's console until a line holds want.
func (s *stack) notice(want string) string {
	s.t.Helper()
	s.consoleFile.SetReadDeadline(time.Now().Add(waitLimit))
	for {
		line, err := s.console.ReadString('\n')
		if strings.Contains(line, want) {
			return line
		}
		if err != nil {
			s.t.Fatalf("no notice with %q on the console: %v", want, err)
		}
	}
}
