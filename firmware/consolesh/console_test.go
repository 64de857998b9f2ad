//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/internal/testenv"
	"github.com/ringo-phone/ringo/internal/tty/ttytest"
)

var bin string

// helperEnv makes this test binary a program the shell runs: one that
// handles ^C itself, as vsexplorer's shell does.
const helperEnv = "CONSOLESH_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "catch-interrupt" {
		catchInterrupt()
		return
	}
	dir, err := proctest.Build("github.com/ringo-phone/ringo/firmware/consolesh")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "consolesh")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// catchInterrupt says "caught" on SIGINT, then echoes one line and exits 0.
func catchInterrupt() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	fmt.Println("ready")
	<-sigs
	fmt.Println("caught")
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	fmt.Printf("got %s", line)
	os.Exit(0)
}

const wait = 20 * time.Second

// startShell starts consolesh on a new terminal and waits for its prompt.
func startShell(t *testing.T) *ttytest.Term {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), helperEnv+"=")
	tm := ttytest.Start(t, cmd)
	tm.Expect("# ", wait)
	return tm
}

// run types cmdline, Enter, and returns what the command printed before
// the next prompt (the prompt itself is consumed up to "# ").
func run(tm *ttytest.Term, cmdline string) string {
	tm.Type(cmdline + ttytest.Enter)
	tm.Expect(cmdline+"\r\n", wait) // the kernel's echo
	return tm.Expect("# ", wait)
}

func shellPID(t *testing.T, tm *ttytest.Term) string {
	t.Helper()
	out := run(tm, "echo pid=$$")
	m := regexp.MustCompile(`pid=(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("echo pid=$$ printed %q", out)
	}
	return m[1]
}

func TestTypedLineRunsOnEnter(t *testing.T) {
	tm := startShell(t)
	if got := run(tm, "echo hello"); got != "hello\r\n" {
		t.Errorf("echo hello printed %q before the prompt, want \"hello\\r\\n\"", got)
	}
}

// A command that leaves the terminal raw does not leave it raw for the
// next one.
func TestEveryCommandRunsCooked(t *testing.T) {
	stty := testenv.RequireTool(t, "stty")
	tm := startShell(t)
	for _, cmd := range []string{stty + " -a", stty + " raw -echo", stty + " -a"} {
		out := run(tm, cmd)
		if !strings.Contains(cmd, "-a") {
			continue
		}
		for _, flag := range []string{"icanon", "echo", "icrnl", "isig", "onlcr"} {
			if !regexp.MustCompile(`(^|\s)` + flag + `(\s|$)`).MatchString(out) {
				t.Errorf("%s after earlier commands lacks %q:\n%s", cmd, flag, out)
			}
		}
	}
}

func TestCatEndsOnCtrlD(t *testing.T) {
	tm := startShell(t)
	tm.Type("cat" + ttytest.Enter)
	tm.Expect("cat\r\n", wait)
	tm.Type("abc" + ttytest.Enter)
	tm.Expect("abc\r\nabc\r\n", wait) // the echo, then cat's copy
	tm.Type(ttytest.CtrlD)
	if got := tm.Expect("# ", wait); got != "" {
		t.Errorf("after ^D ended cat the terminal showed %q before the prompt", got)
	}
}

// ^C ends the running command; the shell stays (same pid) and says the
// command was interrupted.
func TestCtrlCStopsTheCommandNotTheShell(t *testing.T) {
	tm := startShell(t)
	pid := shellPID(t, tm)
	// ^C typed before the shell has read the line discards the line,
	// and one typed while the shell starts the program can reach the
	// shell alone: wait until the program runs.
	tm.Type("sh -c 'echo started; exec sleep 60'; echo not after ^C" + ttytest.Enter)
	tm.Expect("started\r\n", wait)
	tm.Type(ttytest.CtrlC)
	if got := tm.Expect("[exit 130] # ", wait); got != "^C\r\n" {
		t.Errorf("after ^C the terminal showed %q before the prompt, want \"^C\\r\\n\": the rest of the line must not run", got)
	}
	if got := shellPID(t, tm); got != pid {
		t.Errorf("after ^C the shell is pid %s, want %s: the shell itself was interrupted", got, pid)
	}
}

// ^C in a loop stops the loop, not only its current round.
func TestCtrlCStopsALoop(t *testing.T) {
	tm := startShell(t)
	for range 3 {
		tm.Type("while true; do sh -c 'echo tick; exec sleep 1'; done" + ttytest.Enter)
		tm.Expect("tick\r\n", wait)
		tm.Type(ttytest.CtrlC)
		tm.Expect("^C\r\n[exit 130] # ", wait)
	}
	if got := run(tm, "echo still here"); got != "still here\r\n" {
		t.Errorf("after the loops echo printed %q", got)
	}
}

// A program that handles ^C itself decides what happens: the shell does
// not kill it, and it goes on reading the terminal.
func TestProgramThatHandlesCtrlC(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tm := startShell(t)
	cmdline := helperEnv + "=catch-interrupt " + self + "; echo after"
	tm.Type(cmdline + ttytest.Enter)
	tm.Expect("ready\r\n", wait)
	tm.Type(ttytest.CtrlC)
	tm.Expect("caught\r\n", wait)
	tm.Type("line" + ttytest.Enter)
	tm.Expect("got line\r\n", wait)
	if got := tm.Expect("# ", wait); got != "after\r\n\r\n" {
		t.Errorf("after the program the terminal showed %q before the prompt, want the statement's \"after\" and the line end after ^C", got)
	}
}

// ^C at the prompt drops the line being typed and shows the prompt again.
func TestCtrlCAtThePrompt(t *testing.T) {
	tm := startShell(t)
	tm.Type("echo never")
	tm.Expect("echo never", wait)
	tm.Type(ttytest.CtrlC)
	tm.Expect("^C\r\n# ", wait)
	if got := run(tm, "echo ok"); got != "ok\r\n" {
		t.Errorf("after ^C at the prompt echo ok printed %q", got)
	}
}

// A failing command's code shows in the prompt, with no extra line.
func TestFailureShowsInThePrompt(t *testing.T) {
	tm := startShell(t)
	tm.Type("false" + ttytest.Enter)
	if got := tm.Expect("[exit 1] # ", wait); got != "false\r\n" {
		t.Errorf("false showed %q before the prompt, want only its echo", got)
	}
	if got := run(tm, "true"); got != "" {
		t.Errorf("true printed %q", got)
	}
	if strings.Contains(tm.Transcript(), "error") {
		t.Errorf("the transcript has an error line:\n%s", ttytest.Printable(tm.Transcript()))
	}
}

// A line the shell cannot parse is reported, and the shell goes on.
func TestSyntaxErrorKeepsTheShell(t *testing.T) {
	tm := startShell(t)
	pid := shellPID(t, tm)
	tm.Type(") oops" + ttytest.Enter)
	tm.Expect("consolesh: syntax error: ) can only be used to close a subshell\r\n[exit 2] # ", wait)
	if got := shellPID(t, tm); got != pid {
		t.Errorf("after a syntax error the shell is pid %s, want %s", got, pid)
	}
}

// ^D at the prompt ends the shell (uinit starts it again).
func TestCtrlDAtThePromptEndsTheShell(t *testing.T) {
	tm := startShell(t)
	tm.Type(ttytest.CtrlD)
	if err := tm.Wait(wait); err != nil {
		t.Errorf("consolesh after ^D: %v, want exit 0", err)
	}
}
