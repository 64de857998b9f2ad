package ui

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gdamore/tcell/v2"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/runenv"
)

const usage = `usage: phoneui [-config DIR] [-runtime DIR] [-console]

phoneui is the call screen on the console: the services' status, a
dialer, the call-type chooser, the calls with their actions, and the call
history. It draws on the terminal of its standard input and output (a
serial console works: TERM=vt100 or linux, 80x24, no mouse) and talks to
phoned on the bus; it waits for phoned when phoned is not running.

Keys: Enter is the send key (call, answer), Esc the end key (clear, hang
up, reject), Tab moves between the dialer, the history and the calls;
each screen lists its keys at the bottom. ^L draws the whole screen
again. ^C quits (on the handset's console, started by uinit with
-console, it gives the console to the shell; exit in the shell comes back).

flags:
`

// Main runs phoneui with args (without the program name) and returns its
// exit code.
func Main(ctx context.Context, args []string, env command.Env) int {
	fs := flag.NewFlagSet("phoneui", flag.ContinueOnError)
	dirs := runenv.Flags(fs, env.Getenv)
	console := fs.Bool("console", false, "phoneui is the console's screen (uinit starts it so with ringo.ui=1): ^C gives the console to the shell, and the keys say \"^C shell\"")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if code, ok := command.Parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "phoneui: unexpected argument %q: phoneui takes only flags (phoneui -h lists them)\n", fs.Arg(0))
		return command.ExitUsage
	}
	return command.Exit(env, "phoneui", run(ctx, *dirs, *console, env))
}

func run(ctx context.Context, dirs runenv.Dirs, console bool, env command.Env) error {
	scr, err := openTerminal(env)
	if err != nil {
		return err
	}
	if err := scr.Init(); err != nil {
		return fmt.Errorf("%w: %w", ErrNotTerminal, err)
	}
	defer scr.Fini()
	scr.DisableMouse()
	clk := clock.Real()
	l := newLink(dirs, clk)
	app := New(Options{Screen: scr, Phone: l, Clock: clk, Console: console})
	l.start(ctx, app)
	defer l.Close()
	return app.Run(ctx)
}

// openTerminal returns a screen on the process's standard input and
// output, which must be a terminal of a type TERM names.
func openTerminal(env command.Env) (tcell.Screen, error) {
	if env.Stdin != os.Stdin || !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		return nil, fmt.Errorf("%w: standard input and output must be a terminal; run phoneui on the console or in a terminal window", ErrNotTerminal)
	}
	name := env.Getenv("TERM")
	if name == "" {
		return nil, fmt.Errorf("%w: TERM is not set; set it to the terminal's type, e.g. TERM=vt100 on a serial console", ErrTerminalType)
	}
	ti, err := tcell.LookupTerminfo(name)
	if err != nil { // tcell's words name its own files, not the person's choice
		return nil, fmt.Errorf("%w: TERM=%s; set TERM to vt100, linux or xterm", ErrTerminalType, name)
	}
	var tty tcell.Tty
	tty, err = tcell.NewStdIoTty()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotTerminal, err)
	}
	if ws, err := unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ); err == nil {
		if size, unsized := serialSize(ws.Row, ws.Col, ti.Lines, ti.Columns, env.Getenv); unsized {
			tty = unsizedTty{Tty: tty, size: size}
		}
	}
	scr, err := tcell.NewTerminfoScreenFromTtyTerminfo(tty, ti)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotTerminal, err)
	}
	return scr, nil
}
