package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/clock"
)

func TestChooseConsole(t *testing.T) {
	off, on := board.Board{Name: "qemu-virt"}, board.Board{Name: "handset", UI: true}
	for _, c := range []struct {
		b       board.Board
		cmdline string
		on      bool
		term    string
		bad     string // in the error, "" for none
	}{
		{off, "console=ttyAMA0", false, "vt100", ""},
		{on, "console=ttyAMA0", true, "vt100", ""},
		{off, "ringo.ui=1", true, "vt100", ""},
		{on, "ringo.ui=0", false, "vt100", ""},
		{off, "ringo.ui=0 ringo.ui=1", true, "vt100", ""},
		{off, "ringo.ui=1 ringo.term=linux", true, "linux", ""},
		{off, "ringo.ui=yes", false, "vt100", "ringo.ui=yes is neither 1"},
		{on, "ringo.ui=on", true, "vt100", "going by the board handset"},
		{off, "ringo.ui=1 ringo.term=vt100;rm", true, "vt100", `ringo.term="vt100;rm" is not a terminal type`},
	} {
		ui, err := chooseConsole(c.b, c.cmdline)
		if ui.on != c.on || ui.term != c.term {
			t.Errorf("chooseConsole(%s, %q) = on %v term %q, want on %v term %q", c.b.Name, c.cmdline, ui.on, ui.term, c.on, c.term)
		}
		switch {
		case c.bad == "" && err != nil:
			t.Errorf("chooseConsole(%s, %q): %v, want no error", c.b.Name, c.cmdline, err)
		case c.bad != "" && (!errors.Is(err, errConsoleParam) || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("chooseConsole(%s, %q) error = %v, want errConsoleParam saying %q", c.b.Name, c.cmdline, err, c.bad)
		}
	}
	if ui, _ := chooseConsole(off, "ringo.ui=1"); ui.why != "ringo.ui=1 on the kernel command line" {
		t.Errorf("chooseConsole(ringo.ui=1).why = %q", ui.why)
	}
}

func TestUITurns(t *testing.T) {
	screen, sh := uiTurns(consoleUI{on: true, term: "linux"}, "/bbin/phoneui", "/bbin/consolesh")
	if !slices.Equal(screen.argv, []string{"/bbin/phoneui", "-console"}) || !slices.Equal(screen.env, []string{"TERM=linux"}) {
		t.Errorf("phoneui's turn = %q env %q, want /bbin/phoneui -console with TERM=linux", screen.argv, screen.env)
	}
	if !slices.Equal(sh.argv, []string{"/bbin/consolesh"}) || !strings.Contains(sh.notice, "`exit` (or ^D) gives the console back") ||
		!strings.Contains(sh.notice, consoleLog) {
		t.Errorf("the shell's turn = %q, notice %q", sh.argv, sh.notice)
	}
	// uinit's messages go to the log while phoneui owns the screen, and
	// to the console while the shell has it.
	if !screen.own || sh.own {
		t.Errorf("phoneui's turn owns the screen: %v, the shell's: %v; want true, false", screen.own, sh.own)
	}
}

func TestWithoutNotices(t *testing.T) {
	got := withoutNotices([]string{"/bbin/phoned", "-notices", "/dev/console", "-log", "info"})
	if want := []string{"/bbin/phoned", "-log", "info"}; !slices.Equal(got, want) {
		t.Errorf("withoutNotices = %q, want %q", got, want)
	}
}

func TestFindShell(t *testing.T) {
	have := func(names ...string) func(string) bool {
		return func(p string) bool { return slices.Contains(names, p) }
	}
	cands := []string{"/bbin/consolesh", "/bin/sh"}
	if got, err := findShell("", cands, have("/bin/sh")); got != "/bin/sh" || err != nil {
		t.Errorf("findShell with only /bin/sh = %q, %v", got, err)
	}
	if got, err := findShell("/x/sh", cands, have()); got != "/x/sh" || err != nil {
		t.Errorf("findShell(/x/sh) = %q, %v", got, err)
	}
	if _, err := findShell("", cands, have()); err == nil || !strings.Contains(err.Error(), "/bbin/consolesh, /bin/sh") {
		t.Errorf("findShell with none = %v, want an error naming the shells looked for", err)
	}
}

// console plays the console's programs for alternate: each turn blocks
// until the test ends it, and says which program started.
type console struct {
	started chan string
	mu      sync.Mutex
	end     chan error // the running turn's end
}

func newConsole() *console { return &console{started: make(chan string)} }

func (c *console) run(ctx context.Context, t turn) error {
	end := make(chan error)
	c.mu.Lock()
	c.end = end
	c.mu.Unlock()
	select {
	case c.started <- t.name:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-end:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next waits for the next program to start and checks which it is.
func (c *console) next(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-c.started:
		if got != want {
			t.Fatalf("the console went to %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no program started on the console; want %s", want)
	}
}

// exit ends the running program with err.
func (c *console) exit(err error) {
	c.mu.Lock()
	end := c.end
	c.mu.Unlock()
	end <- err
}

func TestAlternate(t *testing.T) {
	clk := clock.NewFake(time.Unix(1e9, 0))
	c := newConsole()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	screen, sh := uiTurns(consoleUI{on: true, term: "vt100"}, "/bbin/phoneui", "/bbin/consolesh")
	go func() {
		done <- alternate(ctx, c.run, screen, sh, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()

	// The call screen first; ^C (exit 0) gives the shell; `exit` gives
	// the call screen back. A person takes longer than consoleQuick.
	c.next(t, "phoneui")
	clk.Advance(time.Minute)
	c.exit(nil)
	c.next(t, "shell")
	c.exit(nil)
	c.next(t, "phoneui")

	// A call screen that fails still hands over to the shell.
	clk.Advance(time.Minute)
	c.exit(errors.New("exit status 1"))
	c.next(t, "shell")
	c.exit(nil)
	c.next(t, "phoneui")

	// Both ending at once, round after round: the next round waits.
	c.exit(errors.New("exit status 1"))
	c.next(t, "shell")
	c.exit(errors.New("no tty"))
	waitPending(t, clk)
	clk.Advance(consoleMinBackoff - time.Millisecond)
	select {
	case name := <-c.started:
		t.Fatalf("%s started %v after a quick round, want it to wait %v", name, consoleMinBackoff-time.Millisecond, consoleMinBackoff)
	default:
	}
	clk.Advance(time.Millisecond)
	c.next(t, "phoneui")
	c.exit(errors.New("exit status 1"))
	c.next(t, "shell")
	c.exit(errors.New("no tty"))
	waitPending(t, clk)
	if at, _ := clk.Next(); at.Sub(clk.Now()) != 2*consoleMinBackoff {
		t.Errorf("the second quick round waits %v, want %v", at.Sub(clk.Now()), 2*consoleMinBackoff)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("alternate after ctx ended: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("alternate did not return when ctx ended")
	}
}

// waitPending waits until alternate has armed its backoff timer.
func waitPending(t *testing.T, clk *clock.Fake) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for clk.Pending() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("alternate armed no backoff timer after a quick round")
		}
		time.Sleep(time.Millisecond)
	}
}
