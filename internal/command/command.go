// Package command gives every Ringo program, on the handset and on the
// host, one shape (u-root's pkg/core command is the model): main is a few
// lines that hand a Func its context, arguments, standard streams and
// environment, and exit with the code it returns.
//
// The exit codes are the house's contract: 0 done, 1 failed, 2 usage error,
// 125 "do not restart me" (gokrazy's convention, read by the supervisor).
// "-h" and "-help" print the usage to standard output and exit 0.
package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	// ExitUsage is a bad flag, a missing argument or an unknown command.
	ExitUsage = 2
	// ExitDoNotRestart tells a supervisor not to start the program again:
	// its configuration is wrong and another try would fail the same way.
	ExitDoNotRestart = 125
)

// ErrUsage marks an error that is the caller's mistake; Exit maps it to
// ExitUsage.
var ErrUsage = errors.New("usage")

// ErrDoNotRestart marks an error that another start would repeat; Exit
// maps it to ExitDoNotRestart.
var ErrDoNotRestart = errors.New("do not restart")

// Env is what a program is handed besides its context and arguments.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (os.Getenv in a real process).
	Getenv func(string) string
}

// Func is a program's logic. It returns the process exit code.
type Func func(ctx context.Context, args []string, env Env) int

// OS is the environment of this process.
func OS() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// Main runs f as this process and exits with its code. The context is
// cancelled by SIGTERM and by each of the extra signals (usually
// os.Interrupt; an interactive program that handles ^C itself leaves it
// out).
func Main(f Func, signals ...os.Signal) {
	ctx, stop := signal.NotifyContext(context.Background(), append([]os.Signal{syscall.SIGTERM}, signals...)...)
	code := f(ctx, os.Args[1:], OS())
	stop()
	os.Exit(code)
}

// Parse parses args into fs. It returns ok == false with the exit code to
// return when the program should stop: 0 after "-h" (usage on standard
// output), ExitUsage after a bad flag (the error and the usage on standard
// error).
func Parse(fs *flag.FlagSet, args []string, env Env) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if err == nil {
		return 0, true
	}
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(env.Stdout)
		fs.Usage()
		return ExitOK, false
	}
	fmt.Fprintf(env.Stderr, "%s: %v\n", fs.Name(), err)
	fs.SetOutput(env.Stderr)
	fs.Usage()
	return ExitUsage, false
}

// Exit reports err on standard error as "prog: message" (a message of
// several lines keeps its later lines as they are) and returns the exit
// code it stands for: 0 for nil, ExitUsage for ErrUsage, ExitDoNotRestart
// for ErrDoNotRestart, an ExitError's own code, else ExitFailure.
func Exit(env Env, prog string, err error) int {
	if err == nil {
		return ExitOK
	}
	var ee ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return ee.Code // already reported
	}
	first, more, _ := strings.Cut(err.Error(), "\n")
	fmt.Fprintf(env.Stderr, "%s: %s\n", prog, first)
	if more != "" {
		fmt.Fprintln(env.Stderr, more)
	}
	switch {
	case errors.As(err, &ee):
		return ee.Code
	case errors.Is(err, ErrUsage):
		return ExitUsage
	case errors.Is(err, ErrDoNotRestart):
		return ExitDoNotRestart
	}
	return ExitFailure
}

// ExitError carries an exit code other than the ones Exit derives; with a
// nil Err the program has already said what went wrong.
type ExitError struct {
	Code int
	Err  error
}

func (e ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e ExitError) Unwrap() error { return e.Err }
