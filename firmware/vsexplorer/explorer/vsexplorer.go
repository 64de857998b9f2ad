package explorer

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"strings"
	"sync"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

const usage = `usage: vsexplorer [-config DIR] [-runtime DIR] COMMAND
commands:
  ls [PATH]          list the names below PATH (name/ has children, name = value)
  get PATH           print the value at PATH
  set PATH VALUE     store VALUE (true, 42, "text", [a, b] or plain text), owned by phoned
  rm PATH            remove PATH and everything below it
  watch [PATH]       print changes below PATH until ^C
  clients            the bus's clients: frames in and out, messages sent and received by name
  shell              interactive: cd, ls, pwd, get, set, rm, watch, clients, help, exit
  help               this text
flags:
  -config DIR        configuration directory (env RINGO_CONFIG, default /etc/ringo)
  -runtime DIR       runtime directory holding bus.sock (env RINGO_RUNTIME, default /run/ringo)
exit status: 0 done, 1 failed, 2 usage error.`

const hint = `Run "vsexplorer help" for the commands.`

// IO is what the explorer talks to.
type IO struct {
	In  io.Reader
	Out io.Writer
	// Interrupt is ^C on the console: it ends a command, and in the shell
	// stops a watch without ending the shell. Nil when there is none.
	Interrupt <-chan struct{}
}

// Main runs vsexplorer with args (without the program name) and returns
// its exit code: 0 done, 1 failed, 2 usage error. It catches SIGINT
// itself (so that ^C in the shell stops a watch, not the shell); pass it
// no os.Interrupt in command.Main.
func Main(ctx context.Context, args []string, env command.Env) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	interrupt := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sigs:
				select {
				case interrupt <- struct{}{}:
				default: // nobody is listening for ^C right now
				}
			case <-stop:
				return
			}
		}
	}()
	defer wg.Wait()
	defer close(stop)
	return Run(ctx, args, env, interrupt)
}

// Run is Main with the interrupts (^C) coming from interrupt.
func Run(ctx context.Context, args []string, env command.Env, interrupt <-chan struct{}) int {
	err := explore(ctx, args, IO{In: env.Stdin, Out: env.Stdout, Interrupt: interrupt}, env.Getenv)
	if err != nil {
		err = printableError{err}
	}
	return command.Exit(env, "vsexplorer", err)
}

// printableError shows an error's text with control characters escaped
// (a path or a value may come from anyone on the bus), line by line, and
// keeps its chain for errors.Is and the exit code.
type printableError struct{ err error }

func (e printableError) Error() string { return printableLines(e.err.Error()) }
func (e printableError) Unwrap() error { return e.err }

func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = telephony.Printable(l, 0)
	}
	return strings.Join(lines, "\n")
}

// explore runs vsexplorer with args and returns its error.
func explore(ctx context.Context, args []string, tio IO, getenv func(string) string) error {
	fs := flag.NewFlagSet("vsexplorer", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dirs := runenv.Flags(fs, getenv)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		_, err := fmt.Fprintln(tio.Out, usage)
		return err
	} else if err != nil {
		return fmt.Errorf("%w: %v\n%s", ErrUsage, err, hint)
	}
	pos := fs.Args()
	if len(pos) == 0 {
		return fmt.Errorf("%w: no command given\n%s", ErrUsage, hint)
	}
	name, rest := pos[0], pos[1:]
	switch {
	case name == "help":
		_, err := fmt.Fprintln(tio.Out, usage)
		return err
	case name == "shell" && len(rest) > 0:
		return fmt.Errorf("%w: shell takes no arguments\n%s", ErrUsage, hint)
	case name != "shell":
		if err := checkArgs(name, rest); err != nil {
			return fmt.Errorf("%w\n%s", err, hint)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if name != "shell" {
		// ^C ends a command outside the shell.
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-tio.Interrupt:
				cancel()
			case <-ctx.Done():
			}
		}()
		defer wg.Wait()
		defer cancel()
	}
	c, err := runenv.Dial(ctx, *dirs, "vsexplorer")
	if err != nil {
		return err
	}
	defer c.Close()
	e := &explorer{c: c, out: tio.Out, cwd: "/"}
	if name == "shell" {
		return e.shell(ctx, tio)
	}
	return e.exec(ctx, name, rest, ctx.Done())
}

// checkArgs checks a command's arguments.
func checkArgs(name string, args []string) error {
	var ok bool
	var form string
	switch name {
	case "ls":
		ok, form = len(args) <= 1, "ls [PATH]"
	case "get":
		ok, form = len(args) == 1, "get PATH"
	case "set":
		ok, form = len(args) >= 2, "set PATH VALUE"
	case "rm":
		ok, form = len(args) == 1, "rm PATH"
	case "watch":
		ok, form = len(args) <= 1, "watch [PATH]"
	case "clients":
		ok, form = len(args) == 0, "clients (no arguments)"
	default:
		return fmt.Errorf("%w: unknown command %q", ErrUsage, name)
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrUsage, form)
	}
	return nil
}

type explorer struct {
	c   *bus.Client
	out io.Writer
	cwd string
}

// abs resolves p against the current directory.
func (e *explorer) abs(p string) string {
	if p == "" {
		return e.cwd
	}
	if !strings.HasPrefix(p, "/") {
		p = path.Join(e.cwd, p)
	}
	return path.Clean(p)
}

// exec runs one command; watch runs until stop.
func (e *explorer) exec(ctx context.Context, name string, args []string, stop <-chan struct{}) error {
	if err := checkArgs(name, args); err != nil {
		return err
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch name {
	case "ls":
		return e.ls(ctx, e.abs(arg(0)))
	case "get":
		p := e.abs(args[0])
		v, ok, err := e.c.Get(ctx, p)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w at %s", ErrNotFound, p)
		}
		_, err = fmt.Fprintln(e.out, v.String())
		return err
	case "set":
		return phoneapi.Set(ctx, e.c, e.abs(args[0]), vs.Parse(strings.Join(args[1:], " ")))
	case "rm":
		return e.c.Remove(ctx, e.abs(args[0]))
	case "watch":
		return e.watch(ctx, e.abs(arg(0)), stop)
	case "clients":
		stats, err := e.c.Stats(ctx)
		if err != nil {
			return err
		}
		return writeClients(e.out, stats)
	}
	return fmt.Errorf("%w: unknown command %q", ErrUsage, name)
}

func (e *explorer) ls(ctx context.Context, p string) error {
	names, err := e.c.List(ctx, p)
	if err != nil {
		return err
	}
	for _, n := range names {
		child := vs.Join(p, n)
		line := telephony.Printable(n, 0)
		kids, err := e.c.List(ctx, child)
		if err != nil {
			return err
		}
		if len(kids) > 0 {
			line += "/"
		}
		v, ok, err := e.c.Get(ctx, child)
		if err != nil {
			return err
		}
		if ok {
			line += " = " + v.String()
		}
		fmt.Fprintln(e.out, line)
	}
	return nil
}

// watch prints the content below p, then every change, until stop.
func (e *explorer) watch(ctx context.Context, p string, stop <-chan struct{}) error {
	lines := make(chan string, 256)
	sub, err := e.c.Subscribe(ctx, p, func(b vs.Batch) {
		var sb strings.Builder
		for _, ch := range b.Changes {
			if ch.Removed {
				fmt.Fprintf(&sb, "%s removed\n", telephony.Printable(ch.Path, 0))
			} else {
				fmt.Fprintf(&sb, "%s = %s\n", telephony.Printable(ch.Path, 0), ch.Value.String())
			}
		}
		if b.Initial && len(b.Changes) == 0 {
			fmt.Fprintf(&sb, "(nothing at %s yet)\n", p)
		}
		select {
		case lines <- sb.String():
		default: // the console cannot keep up; drop rather than block the bus
		}
	})
	if err != nil {
		return err
	}
	defer sub.Close()
	for {
		select {
		case s := <-lines:
			io.WriteString(e.out, s)
		case <-stop:
			return nil
		case <-e.c.Done():
			return e.c.Err()
		}
	}
}

// shell reads commands from tio.In until exit or end of input.
func (e *explorer) shell(ctx context.Context, tio IO) error {
	input := make(chan string)
	go func() {
		defer close(input)
		sc := bufio.NewScanner(tio.In)
		for sc.Scan() {
			select {
			case input <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		fmt.Fprintf(e.out, "vs:%s> ", e.cwd)
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case <-e.c.Done():
			return e.c.Err()
		case <-tio.Interrupt:
			fmt.Fprintln(e.out)
			continue
		case line, ok = <-input:
			if !ok {
				fmt.Fprintln(e.out)
				return nil
			}
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		name, args := fields[0], fields[1:]
		if name == "set" && len(args) >= 1 {
			// The value is the rest of the line as typed.
			rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "set"))
			p, v, _ := strings.Cut(rest, " ")
			args = []string{p, strings.TrimSpace(v)}
		}
		var err error
		switch name {
		case "exit", "quit":
			return nil
		case "help":
			fmt.Fprintln(e.out, usage)
		case "pwd":
			fmt.Fprintln(e.out, e.cwd)
		case "cd":
			target := "/"
			if len(args) > 0 {
				target = e.abs(args[0])
			}
			if _, err = vs.Clean(target); err == nil {
				e.cwd = target
			}
		case "watch":
			fmt.Fprintln(e.out, "(press Enter or ^C to stop)")
			stop := make(chan struct{})
			done := make(chan error, 1)
			go func() { done <- e.exec(ctx, name, args, stop) }()
			finished := false
			select {
			case <-input:
			case <-tio.Interrupt:
			case <-ctx.Done():
			case err = <-done:
				finished = true
			}
			close(stop)
			if !finished {
				err = <-done
			}
		default:
			err = e.exec(ctx, name, args, ctx.Done())
		}
		if err != nil {
			msg, _, _ := strings.Cut(err.Error(), "\n")
			fmt.Fprintln(e.out, "error:", telephony.Printable(msg, 0))
		}
	}
}
