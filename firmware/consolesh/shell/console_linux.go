package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/tty"
)

func isTerminal(f *os.File) bool {
	_, err := tty.Save(int(f.Fd()))
	return err == nil
}

// console is the interactive shell on a terminal.
type console struct {
	runner *interp.Runner
	fd     int
	mode   tty.State // the cooked mode every command gets back
	env    command.Env

	mu          sync.Mutex
	cancel      context.CancelFunc // the running line's; nil at the prompt
	interrupted bool               // ^C came while the line ran
	sigint      chan struct{}      // closed when the shell's own SIGINT for it arrives
	programs    int                // programs of the line running now
	prompt      string             // what the terminal shows while the shell reads
}

// sigintGrace bounds how long a line whose program died of SIGINT
// waits for the shell's own SIGINT. The kernel sends ^C's SIGINT to the
// shell and the program at once, but the program's death can reach the
// shell first; a line that did not wait would leave that SIGINT to
// arrive at the prompt and show the prompt twice.
const sigintGrace = 250 * time.Millisecond

func interactive(ctx context.Context, term *os.File, env command.Env) int {
	c := &console{fd: int(term.Fd()), env: env}
	runner, err := newRunner(env, term, nil, c.exec)
	if err != nil {
		return command.Exit(env, "consolesh", err)
	}
	c.runner = runner
	mode, err := tty.Save(c.fd)
	if err == nil && !mode.Cooked() {
		// Left raw by whatever ran on it before: start from sane.
		if err = tty.Sane(c.fd); err == nil {
			mode, err = tty.Save(c.fd)
		}
	}
	if err != nil {
		return command.Exit(env, "consolesh", err)
	}
	c.mode = mode

	// ^C and ^\ are for the commands; the shell only notes them. The
	// commands it starts get the default actions back (os/exec resets
	// caught signals), so ^C ends them.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGQUIT)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case s := <-sigs:
				if s == os.Interrupt {
					c.interrupt()
				}
			case <-done:
				return
			}
		}
	}()
	defer func() {
		signal.Stop(sigs)
		close(done)
		wg.Wait()
	}()

	in := &eofReader{r: term}
	last := 0
	for ctx.Err() == nil && !in.eof {
		parser := syntax.NewParser()
		c.show(mainPrompt(last))
		err := parser.Interactive(in, func(stmts []*syntax.Stmt) bool {
			if parser.Incomplete() {
				c.show("> ")
				return true
			}
			last = c.run(ctx, stmts)
			if runner.Exited() {
				return false
			}
			if ctx.Err() != nil {
				return false
			}
			c.show(mainPrompt(last))
			return true
		})
		if err == nil || in.eof {
			break
		}
		// A line the shell cannot parse; the next line starts afresh.
		var perr syntax.ParseError
		if errors.As(err, &perr) {
			fmt.Fprintf(env.Stderr, "consolesh: syntax error: %s\n", perr.Text)
		} else {
			fmt.Fprintf(env.Stderr, "consolesh: %v\n", err)
		}
		last = 2
	}
	if in.eof && !runner.Exited() {
		fmt.Fprintln(env.Stdout) // ^D at the prompt: end the line it was on
	}
	return last
}

// show prints the prompt the shell now reads under.
func (c *console) show(prompt string) {
	c.mu.Lock()
	c.prompt = prompt
	c.mu.Unlock()
	io.WriteString(c.env.Stdout, prompt)
}

// run runs the statements of a line with ^C armed to stop them (all of
// them: "sleep 9; echo done" does not go on to echo), then gives the
// terminal its cooked mode back, and returns the exit code.
func (c *console) run(ctx context.Context, stmts []*syntax.Stmt) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	c.cancel, c.interrupted, c.sigint = cancel, false, make(chan struct{})
	c.mu.Unlock()
	var err error
	for _, st := range stmts {
		if err = c.runner.Run(ctx, st); c.runner.Exited() || ctx.Err() != nil {
			break
		}
	}
	c.mu.Lock()
	c.cancel = nil
	interrupted := c.interrupted
	c.mu.Unlock()
	if rerr := c.mode.Restore(c.fd); rerr != nil {
		fmt.Fprintf(c.env.Stderr, "consolesh: %v\n", rerr)
	}
	code := 1
	switch s, ok := interp.IsExitStatus(err); {
	case ok:
		code = int(s)
	case err == nil:
		code = 0
	case interrupted && errors.Is(err, context.Canceled):
		code = exitInterrupted
	default:
		fmt.Fprintf(c.env.Stderr, "consolesh: %v\n", err)
	}
	if interrupted {
		// The kernel echoed "^C" where the output was, and a program
		// that stops quietly on ^C (vsexplorer watch) leaves the cursor
		// there: start the prompt on a line of its own.
		fmt.Fprintln(c.env.Stdout)
	}
	return code
}

// exitInterrupted is the exit code of a program killed by SIGINT, as
// shells report it.
const exitInterrupted = 128 + int(syscall.SIGINT)

// exec runs each program of a line. The program is never signalled
// by the shell: for ^C the kernel has sent it SIGINT already, and a
// program that handles ^C (vsexplorer's shell stops a watch and goes on)
// must be left to decide. If SIGINT killed it, the rest of the line
// is stopped too, as in other shells (a loop does not go on to its next
// round).
func (c *console) exec(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		c.mu.Lock()
		c.programs++
		c.mu.Unlock()
		err := next(context.WithoutCancel(ctx), args)
		c.mu.Lock()
		c.programs--
		cancel, sigint := c.cancel, c.sigint
		c.mu.Unlock()
		if s, ok := interp.IsExitStatus(err); !ok || int(s) != exitInterrupted || cancel == nil {
			return err
		}
		t := time.NewTimer(sigintGrace)
		select {
		case <-sigint:
		case <-t.C:
		}
		t.Stop()
		c.mu.Lock()
		c.interrupted = true
		c.mu.Unlock()
		cancel()
		return err
	}
}

// interrupt handles ^C. While a line runs, a program of it got
// SIGINT from the kernel (exec decides what follows), and a line
// that runs no program at the moment (a loop of builtins) is stopped.
// At the prompt, where the kernel has discarded the line being typed,
// the prompt is shown again.
func (c *console) interrupt() {
	c.mu.Lock()
	cancel, prompt := c.cancel, c.prompt
	running := cancel != nil
	if running {
		if !c.interrupted {
			close(c.sigint)
		}
		c.interrupted = true
		if c.programs > 0 {
			cancel = nil
		}
	}
	c.mu.Unlock()
	switch {
	case cancel != nil:
		cancel()
	case !running:
		io.WriteString(c.env.Stdout, "\n"+prompt)
	}
}

// eofReader notes that the terminal reached its end (^D on an empty line,
// or a hang-up), which ends the shell rather than a parse.
type eofReader struct {
	r   io.Reader
	eof bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.eof = true
	}
	return n, err
}
