package shell

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/ringo-phone/ringo/internal/command"
)

// Main is the program consolesh.
func Main(ctx context.Context, args []string, env command.Env) int {
	fs := flag.NewFlagSet("consolesh", flag.ContinueOnError)
	script := fs.String("c", "", "run these commands and exit")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: consolesh [-c COMMANDS | FILE [ARGS...]]

The serial console's shell. Without arguments it is interactive on a
terminal (and reads a script from standard input otherwise); -c runs
COMMANDS; FILE runs a script with ARGS as $1...
`)
	}
	if code, ok := command.Parse(fs, args, env); !ok {
		return code
	}
	if in, ok := env.Stdin.(*os.File); ok && *script == "" && fs.NArg() == 0 && isTerminal(in) {
		return interactive(ctx, in, env)
	}
	stdin := env.Stdin
	if _, ok := stdin.(*os.File); !ok && *script == "" && fs.NArg() == 0 {
		// The script is standard input: commands get none of their own
		// (a shared file, as in a real process, is the exception).
		stdin = nil
	}
	runner, err := newRunner(env, stdin, fs.Args(), nil)
	if err != nil {
		return command.Exit(env, "consolesh", err)
	}
	switch {
	case *script != "":
		return status(env, runScript(ctx, runner, strings.NewReader(*script), "-c"))
	case fs.NArg() > 0:
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return command.Exit(env, "consolesh", err)
		}
		defer f.Close()
		return status(env, runScript(ctx, runner, f, fs.Arg(0)))
	}
	return status(env, runScript(ctx, runner, env.Stdin, ""))
}

// newRunner makes the interpreter. exec, if not nil, wraps the running of
// every program, and makes the shell interactive (aliases are expanded).
func newRunner(env command.Env, stdin io.Reader, args []string, exec func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc) (*interp.Runner, error) {
	params := []string{"--"}
	if len(args) > 1 {
		params = append(params, args[1:]...)
	}
	opts := []interp.RunnerOption{
		interp.StdIO(stdin, env.Stdout, env.Stderr),
		interp.Params(params...),
	}
	if exec != nil {
		opts = append(opts, interp.Interactive(true), interp.ExecHandlers(exec))
	}
	return interp.New(opts...)
}

func runScript(ctx context.Context, runner *interp.Runner, r io.Reader, name string) error {
	prog, err := syntax.NewParser().Parse(r, name)
	if err != nil {
		return err
	}
	return runner.Run(ctx, prog)
}

// status turns the interpreter's result into an exit code; an error
// that is not a command's exit status is reported.
func status(env command.Env, err error) int {
	if err == nil {
		return 0
	}
	if s, ok := interp.IsExitStatus(err); ok {
		return int(s)
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	return command.Exit(env, "consolesh", err)
}

// mainPrompt is "# ", and says the exit code of a command that failed.
func mainPrompt(last int) string {
	if last == 0 {
		return "# "
	}
	return fmt.Sprintf("[exit %d] # ", last)
}
