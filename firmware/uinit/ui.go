package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/clock"
)

// The kernel command line parameters of the console's call screen:
// ringo.ui=1 starts phoneui on the console instead of the shell (0 keeps
// the shell, whatever the board says), ringo.term= is the terminal type
// phoneui draws for (the serial console's terminal emulator on the other
// end; vt100 unless given).
const (
	uiParam     = "ringo.ui"
	termParam   = "ringo.term"
	defaultTerm = "vt100"
)

// phoneuiPath is the call screen in the image.
const phoneuiPath = "/bbin/phoneui"

// consoleUI is what the console runs: the call screen (on) with the shell
// one key away, or the shell alone.
type consoleUI struct {
	on   bool
	term string // TERM for phoneui
	why  string // where the choice came from, for the boot log
}

// errConsoleParam is a ringo.ui= or ringo.term= value uinit cannot use.
var errConsoleParam = errors.New("uinit: bad console parameter on the kernel command line")

// chooseConsole decides from the board's UI field and the kernel command
// line whether the console shows the call screen. A value it cannot use
// is reported and ignored (the console must come up either way).
func chooseConsole(b board.Board, cmdline string) (consoleUI, error) {
	ui := consoleUI{on: b.UI, term: defaultTerm, why: "board " + b.Name}
	if b.Name == "" {
		ui.why = "no board"
	}
	var errs []error
	switch v := cmdlineParam(cmdline, uiParam); v {
	case "":
	case "1", "0":
		ui.on, ui.why = v == "1", uiParam+"="+v+" on the kernel command line"
	default:
		errs = append(errs, fmt.Errorf("%w: %s=%s is neither 1 (the call screen) nor 0 (the shell); going by the %s",
			errConsoleParam, uiParam, v, ui.why))
	}
	if v := cmdlineParam(cmdline, termParam); v != "" {
		if termName(v) {
			ui.term = v
		} else {
			errs = append(errs, fmt.Errorf("%w: %s=%q is not a terminal type (such as vt100, linux or xterm); using %s",
				errConsoleParam, termParam, v, defaultTerm))
		}
	}
	return ui, errors.Join(errs...)
}

// termName reports whether s can be a terminfo name: letters, digits and
// . _ + - only, so that nothing odd reaches the environment.
func termName(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+-", r)) {
			return false
		}
	}
	return true
}

// turn is one program that has the console's tty until it exits.
type turn struct {
	name   string
	argv   []string
	env    []string // added to uinit's environment
	notice string   // printed on the console before it starts
	// own: the program draws the whole screen, so uinit's own messages
	// go to consoleLog while it runs instead of onto its screen.
	own bool
}

// consoleLog is where uinit's console messages go while the call screen
// has the console.
const consoleLog = "/run/ringo/log/console.log"

// uiTurns are the console's two programs: phoneui (-console: ^C hands the
// console over) and the shell.
func uiTurns(ui consoleUI, phoneui, shell string) (screen, sh turn) {
	screen = turn{name: "phoneui", argv: []string{phoneui, "-console"}, env: []string{"TERM=" + ui.term}, own: true}
	sh = turn{name: "shell", argv: []string{shell},
		notice: "\r\nThe console's shell. `exit` (or ^D) gives the console back to the call screen.\r\n" +
			"(What uinit printed while the call screen ran is in " + consoleLog + ".)\r\n"}
	return screen, sh
}

// The backoff when the console's programs end at once, round after round
// (a phoneui that cannot start and a shell that cannot read the tty).
const (
	consoleQuick      = 2 * time.Second
	consoleMinBackoff = 100 * time.Millisecond
	consoleMaxBackoff = 5 * time.Second
)

// alternate hands the console to screen and to sh in turn until ctx
// ends: the call screen first; when it exits (^C, or a failure it has
// printed) the shell; when the shell exits, the call screen again. A
// serial console has no virtual terminals to switch and no job control,
// so one program owns the tty at a time and run gives it a sane mode
// before each. When a whole round is over within consoleQuick, the next
// one waits, doubling from consoleMinBackoff up to consoleMaxBackoff.
func alternate(ctx context.Context, run func(context.Context, turn) error, screen, sh turn, clk clock.Clock, log *slog.Logger) error {
	backoff := consoleMinBackoff
	for ctx.Err() == nil {
		start := clk.Now()
		for _, t := range []turn{screen, sh} {
			err := run(ctx, t)
			if ctx.Err() != nil {
				return nil
			}
			next := sh.name
			if t.name == sh.name {
				next = screen.name
			}
			if err != nil {
				log.Warn(t.name+" exited; the console goes to the "+next, "err", err)
			}
		}
		if clk.Now().Sub(start) >= consoleQuick {
			backoff = consoleMinBackoff
			continue
		}
		log.Warn("the call screen and the shell both ended at once; trying again", "after", backoff)
		if err := sleep(ctx, clk, backoff); err != nil {
			return nil
		}
		backoff = min(backoff*2, consoleMaxBackoff)
	}
	return nil
}

// sleep waits d on clk, or until ctx ends.
func sleep(ctx context.Context, clk clock.Clock, d time.Duration) error {
	done := make(chan struct{})
	t := clk.AfterFunc(d, func() { close(done) })
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// findShell is the shell to give the console: the one named, else the
// first of candidates the image has.
func findShell(shell string, candidates []string, exists func(string) bool) (string, error) {
	if shell != "" {
		return shell, nil
	}
	for _, s := range candidates {
		if exists(s) {
			return s, nil
		}
	}
	return "", errors.New("uinit: no shell in the image (looked for " + strings.Join(candidates, ", ") + ")")
}

// withoutNotices drops phoned's -notices flag and its value from argv:
// with the call screen on the console, phoneui shows an incoming call,
// and a notice printed on the same tty would scribble on its screen.
func withoutNotices(argv []string) []string {
	var out []string
	for i := 0; i < len(argv); i++ {
		if argv[i] == "-notices" && i+1 < len(argv) {
			i++
			continue
		}
		out = append(out, argv[i])
	}
	return out
}
