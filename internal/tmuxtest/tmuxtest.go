// Package tmuxtest runs a program in a tmux server of its own, the
// terminal emulator of the tests that look at a screen as a person would:
// phoneui's under TERM=vt100 on the host, and the serial console of a
// booted image in tools/hil. send-keys types, capture-pane reads the
// screen as text.
package tmuxtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/testenv"
)

// Term is one tmux server with one pane, running a command.
type Term struct {
	t    testing.TB
	dir  string
	sock string
}

// Target is the session (and its one pane) the methods' commands go to,
// for tmux commands run with Tmux.
const Target = "term"

// Dir is a private folder of the server's, with a short path, for the
// test's own sockets and pipes; it is removed when the test ends.
func (tm *Term) Dir() string { return tm.dir }

// Start runs command (a shell command line, run by tmux's shell in dir,
// or the test's directory when dir is "") in a new tmux server with a
// pane of width×height and no status line. The pane stays when the
// command exits, so that its last screen can be read; the server is
// killed when the test ends, and its last screen logged if the test
// failed. It skips (fails under RINGO_STRICT=1) without tmux.
func Start(t testing.TB, width, height int, dir, command string) *Term {
	t.Helper()
	testenv.RequireTool(t, "tmux")
	sdir, err := os.MkdirTemp("", "tmuxtest-") // a socket's path must stay short
	if err != nil {
		t.Fatal(err)
	}
	tm := &Term{t: t, dir: sdir, sock: filepath.Join(sdir, "s")}
	conf := filepath.Join(sdir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g status off\nset -g remain-on-exit on\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- the screen at the end:\n%s", tm.Capture())
		}
		exec.Command("tmux", "-S", tm.sock, "kill-server").Run()
		os.RemoveAll(sdir)
	})
	args := []string{"-f", conf, "new-session", "-d", "-s", Target, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}
	if dir != "" {
		args = append(args, "-c", dir)
	}
	tm.Tmux(append(args, command)...)
	return tm
}

// Tmux runs a tmux command on the server and returns its output; a
// failure fails the test.
func (tm *Term) Tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Capture is the screen as text, one line per row.
func (tm *Term) Capture() string {
	out, err := exec.Command("tmux", "-S", tm.sock, "capture-pane", "-p", "-t", Target).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(capture-pane: %v: %s)", err, out)
	}
	return string(out)
}

// Type types text as it is.
func (tm *Term) Type(text string) { tm.t.Helper(); tm.Tmux("send-keys", "-t", Target, "-l", text) }

// Keys presses keys by tmux's names (Enter, Escape, Tab, Down, C-c).
func (tm *Term) Keys(keys ...string) {
	tm.t.Helper()
	tm.Tmux(append([]string{"send-keys", "-t", Target}, keys...)...)
}

// Wait polls the screen every 50 ms until every pattern (a regular
// expression) matches it, and returns the screen; after limit it fails
// the test with the screen it saw last.
func (tm *Term) Wait(limit time.Duration, patterns ...string) string {
	tm.t.Helper()
	var rx []*regexp.Regexp
	for _, p := range patterns {
		rx = append(rx, regexp.MustCompile(p))
	}
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		s := tm.Capture()
		ok := true
		for _, r := range rx {
			if !r.MatchString(s) {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("after %v the screen does not show %q:\n%s", limit, patterns, s)
		}
		<-tick.C
	}
}

// Keep saves the screen as name.txt in the folder RINGO_CAPTURES names,
// when it names one (the captures docs/phoneui.md shows).
func (tm *Term) Keep(name string) {
	tm.t.Helper()
	dir := os.Getenv("RINGO_CAPTURES")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(tm.Capture()), 0o644); err != nil {
		tm.t.Fatal(err)
	}
}
