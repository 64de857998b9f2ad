// Package ttytest runs a program on a pseudo-terminal in a test, as a
// person at a terminal would: it types keys (Enter is CR, ^C is 0x03, ^D
// is 0x04, as a terminal sends them), waits for what the program prints,
// and keeps the whole transcript for failure reports. A pipe never shows
// what a terminal does (echo, line editing, signals from keys), so console
// behaviour is tested only this way.
package ttytest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/tty"
)

// Keys a terminal sends.
const (
	Enter = "\r"
	CtrlA = "\x01"
	CtrlC = "\x03"
	CtrlD = "\x04"
)

// Term is a program running on a pseudo-terminal.
type Term struct {
	t      testing.TB
	Cmd    *exec.Cmd
	master *os.File
	slave  *os.File // kept open so the terminal outlives the program

	mu      sync.Mutex
	out     []byte
	cursor  int           // output already consumed by Expect
	changed chan struct{} // closed and replaced by every read
	eof     bool          // the reader has stopped
	exited  chan struct{}
	err     error // cmd.Wait's result, set before exited closes
	readEnd chan struct{}
}

// Start runs cmd with a new pseudo-terminal as its standard streams and
// controlling terminal, in a session of its own (so ^C reaches it and its
// children as it would at a console). The program is killed when the test
// ends, and a failing test logs the transcript.
func Start(t testing.TB, cmd *exec.Cmd) *Term {
	t.Helper()
	master, slave, err := tty.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid, cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, true, 0
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	tm := &Term{t: t, Cmd: cmd, master: master, slave: slave,
		changed: make(chan struct{}), exited: make(chan struct{}), readEnd: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		master.Close()
		slave.Close()
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	go tm.read()
	go func() {
		err := cmd.Wait()
		tm.mu.Lock()
		tm.err = err
		tm.mu.Unlock()
		close(tm.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-tm.exited:
		default:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Process.Kill()
			<-tm.exited
		}
		master.Close()
		slave.Close()
		<-tm.readEnd
		if t.Failed() {
			t.Logf("terminal transcript of %s:\n%s", strings.Join(cmd.Args, " "), Printable(tm.Transcript()))
		}
	})
	return tm
}

func (tm *Term) read() {
	defer close(tm.readEnd)
	buf := make([]byte, 4096)
	for {
		n, err := tm.master.Read(buf)
		tm.mu.Lock()
		tm.out = append(tm.out, buf[:n]...)
		if err != nil {
			// EIO once no process holds the slave; a closed master at
			// the end of the test.
			tm.eof = true
		}
		close(tm.changed)
		tm.changed = make(chan struct{})
		tm.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Type sends s as if typed.
func (tm *Term) Type(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.master, s); err != nil {
		tm.t.Fatalf("type %q: %v", s, err)
	}
}

// Expect waits until the output after what earlier calls consumed
// contains s, consumes it up to the end of s, and returns what came
// before s. It fails the test if s does not come within timeout.
func (tm *Term) Expect(s string, timeout time.Duration) string {
	tm.t.Helper()
	before, err := tm.expect(s, timeout)
	if err != nil {
		tm.t.Fatal(err)
	}
	return before
}

func (tm *Term) expect(s string, timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		rest := string(tm.out[tm.cursor:])
		i := strings.Index(rest, s)
		if i >= 0 {
			tm.cursor += i + len(s)
		}
		changed, eof := tm.changed, tm.eof
		tm.mu.Unlock()
		if i >= 0 {
			return rest[:i], nil
		}
		if eof {
			return "", fmt.Errorf("%w before the terminal showed %q; after the last match it showed %q", ErrClosed, s, Printable(rest))
		}
		select {
		case <-changed:
		case <-deadline.C:
			return "", fmt.Errorf("the terminal did not show %q within %v; after the last match it showed %q", s, timeout, Printable(rest))
		}
	}
}

// ErrClosed means the terminal closed (every program on it exited).
var ErrClosed = errors.New("ttytest: the terminal closed")

// Transcript is everything the terminal showed.
func (tm *Term) Transcript() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return string(tm.out)
}

// Slave is the terminal the program runs on (to read its mode).
func (tm *Term) Slave() *os.File { return tm.slave }

// Exited is closed when the program has exited.
func (tm *Term) Exited() <-chan struct{} { return tm.exited }

// Wait waits for the program to exit and returns cmd.Wait's error; it
// fails the test if the program still runs after timeout.
func (tm *Term) Wait(timeout time.Duration) error {
	tm.t.Helper()
	select {
	case <-tm.exited:
	case <-time.After(timeout):
		tm.t.Fatalf("%s still runs after %v", tm.Cmd.Path, timeout)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.err
}

// Printable shows control characters the way a terminal's echo does
// (^C, ^D) and drops carriage returns, so a transcript reads well in a
// log.
func Printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\r':
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString("^" + string(rune(r+'@')))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
