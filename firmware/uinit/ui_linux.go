package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/ringo-phone/ringo/internal/clock"
	ringotty "github.com/ringo-phone/ringo/internal/tty"
	"golang.org/x/sys/unix"
)

// superviseUI gives the console to the call screen and the shell in turn
// (alternate). Without phoneui in the image the console gets the shell
// alone, as it does with the call screen off.
//
// While the call screen runs, console (uinit's own descriptor of the
// kernel console, which its log and its reports write to) points at
// consoleLog: a line printed on the screen would move what the call
// screen drew, and it redraws only what it changed itself.
func superviseUI(ctx context.Context, ui consoleUI, shell string, console *os.File, log *slog.Logger) error {
	if _, err := os.Stat(phoneuiPath); err != nil {
		log.Error("the call screen is asked for ("+ui.why+") but the image has no phoneui; the console gets the shell", "err", err)
		return superviseShell(ctx, shell, log)
	}
	sh, err := findShell(shell, consoleShells, func(p string) bool { _, err := os.Stat(p); return err == nil })
	if err != nil {
		return err
	}
	screen, s := uiTurns(ui, phoneuiPath, sh)
	log.Info("the console shows the call screen ("+ui.why+"); ^C in it gives the console to the shell", "term", ui.term)
	run := func(ctx context.Context, t turn) error {
		if err := divert(console, t.own); err != nil {
			log.Warn("uinit's messages stay on the console", "err", err)
		}
		return runOnConsole(ctx, t)
	}
	return alternate(ctx, run, screen, s, clock.Real(), log)
}

// divert points the descriptor of console at consoleLog (toLog) or back
// at the kernel console: every writer holding console follows.
func divert(console *os.File, toLog bool) error {
	var f *os.File
	var err error
	if toLog {
		if err = os.MkdirAll(filepath.Dir(consoleLog), 0o755); err == nil {
			f, err = os.OpenFile(consoleLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		}
	} else {
		f, err = os.OpenFile("/dev/console", os.O_WRONLY|unix.O_NOCTTY, 0)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Dup3(int(f.Fd()), int(console.Fd()), unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("uinit: point the console's descriptor at %s: %w", f.Name(), err)
	}
	return nil
}

// runOnConsole runs t on the console's tty, as superviseShell runs the
// shell: a session leader with the tty as its controlling terminal (so
// ^C reaches the shell's programs), the tty made sane (cooked) first,
// whatever the last program left it in.
func runOnConsole(ctx context.Context, t turn) error {
	tty, err := openConsoleTTY()
	if err != nil {
		return err
	}
	defer tty.Close()
	if err := ringotty.Sane(int(tty.Fd())); err != nil {
		return err
	}
	if t.notice != "" {
		io.WriteString(tty, t.notice)
	}
	cmd := exec.CommandContext(ctx, t.argv[0], t.argv[1:]...)
	cmd.Env = append(os.Environ(), t.env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	return cmd.Run()
}
