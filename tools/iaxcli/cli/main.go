package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/version"
)

const usage = `usage: iaxcli register|call|listen -server HOST[:PORT] -user U [-secret S] [flags]
       iaxcli MODE -h    shows the flags of a mode`

// Main runs iaxcli with the process's environment.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	return Run(ctx, args, &Env{Stdin: stdin, Stdout: stdout, Getenv: os.Getenv, Clock: clock.Real()})
}

// Run runs one mode of iaxcli.
func Run(ctx context.Context, args []string, env *Env) error {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Clock == nil {
		env.Clock = clock.Real()
	}
	out := &printer{w: env.Stdout}
	if len(args) == 0 {
		out.line("%s", usage)
		return fmt.Errorf("%w: no mode given", ErrUsage)
	}
	switch args[0] {
	case "register":
		return runRegister(ctx, args[1:], env, out)
	case "call":
		return runCall(ctx, args[1:], env, out)
	case "listen":
		return runListen(ctx, args[1:], env, out)
	case "version", "-version":
		out.line("iaxcli %s", version.Version)
		return nil
	case "help", "-h", "-help", "--help":
		out.line("%s", usage)
		return nil
	}
	out.line("%s", usage)
	return fmt.Errorf("%w: unknown mode %q", ErrUsage, args[0])
}
