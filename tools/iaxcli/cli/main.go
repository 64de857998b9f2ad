package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/version"
)

const usage = `usage: iaxcli register|call|listen -server HOST[:PORT] -user U [-secret S] [flags]
       iaxcli ladder [-secret S] [-svg FILE] CAPTURE.pcap[ng]
       iaxcli MODE -h    shows the flags of a mode
       iaxcli version

  register   register, report each step and the summary, release
  call       register, place a call (-dial), talk, hang up
  listen     register and answer the calls that come in
  ladder     draw the IAX2 frames of a capture as a ladder diagram

exit status: 0 done, 1 failed, 2 usage error.`

const hint = `Run "iaxcli -h" for the modes, "iaxcli MODE -h" for a mode's flags.`

// Main runs iaxcli with args (without the program name) and returns its
// exit code: 0 done, 1 failed, 2 usage error.
func Main(ctx context.Context, args []string, env command.Env) int {
	err := Run(ctx, args, &Env{Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr, Getenv: env.Getenv, Clock: clock.Real()})
	var ee command.ExitError
	if errors.Is(err, ErrUsage) && !(errors.As(err, &ee) && ee.Err == nil) {
		err = fmt.Errorf("%w\n%s", err, hint)
	}
	return command.Exit(env, "iaxcli", err)
}

// Run runs one mode of iaxcli. Help is not an error; a mode's -h returns
// a command.ExitError with code 0.
func Run(ctx context.Context, args []string, env *Env) error {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Clock == nil {
		env.Clock = clock.Real()
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	out := &printer{w: env.Stdout}
	if len(args) == 0 {
		return fmt.Errorf("%w: no mode given", ErrUsage)
	}
	switch args[0] {
	case "register":
		return runRegister(ctx, args[1:], env, out)
	case "call":
		return runCall(ctx, args[1:], env, out)
	case "listen":
		return runListen(ctx, args[1:], env, out)
	case "ladder":
		return runLadder(ctx, args[1:], env, out)
	case "version", "-version":
		out.line("iaxcli %s", version.Version)
		return nil
	case "help", "-h", "-help", "--help":
		out.line("%s", usage)
		return nil
	}
	if strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("%w: flag provided but not defined: %s (flags come after the mode: iaxcli MODE -flag)", ErrUsage, args[0])
	}
	return fmt.Errorf("%w: unknown mode %q", ErrUsage, args[0])
}
