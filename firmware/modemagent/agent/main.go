package agent

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/logcat"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/internal/telservice"
	"github.com/ringo-phone/ringo/telephony/qcop"
)

// Program is the agent's program name: its service file, its application
// channel and its bus client are named after it.
const Program = "modemagent"

// stopTimeout bounds the hangups of a stop.
const stopTimeout = 5 * time.Second

const usageText = `usage: modemagent -port PATH [flags]

The cellular modem agent. phoned starts it from
<config>/services/Telephony/modemagent and sends it Telephony::start; it
then serves the telephony service "modem" (call type Voice) on the modem
at -port (a tty, or a modem simulator's socket; without -port, the port of
the board the device tree names) until Telephony::stop, and exits 0. The SIM's PIN, if it has one, is read from <config>/modem-pin
(mode 0600). It exits 2 for a bad flag, and 125 (do not restart) for a
command line that cannot work (no -port, a bad -log).

flags:
`

// options are the command line, and what setup makes of it.
type options struct {
	dirs    *runenv.Dirs
	root    string // where the device tree is looked for: "/"
	port    string
	baud    int
	logSpec string
	agent   Options
	stderr  io.Writer
	log     *slog.Logger
}

// Main is the modemagent program (firmware/modemagent's main runs it): it
// parses the command line, dials the bus, and starts and stops the service
// "modem" on Telephony::start and Telephony::stop. It returns 0 when the
// last running task is released or ctx ends, 2 for a usage error, 125 for
// a command line another start would repeat, 1 otherwise.
func Main(ctx context.Context, args []string, env command.Env) int {
	fs := flag.NewFlagSet(Program, flag.ContinueOnError)
	o := options{dirs: runenv.Flags(fs, env.Getenv), root: "/", stderr: env.Stderr}
	fs.StringVar(&o.port, "port", "", "the modem's `PATH`: its AT tty (the board names it), or a simulator's pty or socket")
	fs.IntVar(&o.baud, "baud", 0, "the tty's speed (default: as it is)")
	fs.StringVar(&o.logSpec, "log", "info", "log levels: LEVEL[,category=LEVEL...] (categories modem, telephony, qcop, bus; modem=debug is the AT trace)")
	// Test-only timing: shorter delays so cross-process tests run in seconds.
	ao := &o.agent
	fs.DurationVar(&ao.CommandTimeout, "test-command-timeout", 0, "how long a command may take (default 5s)")
	fs.DurationVar(&ao.DialTimeout, "test-dial-timeout", 0, "how long a dial may take (default 60s)")
	fs.DurationVar(&ao.ScanTimeout, "test-scan-timeout", 0, "how long an operator scan may take (default 180s)")
	fs.DurationVar(&ao.Settle, "test-settle", 0, "wait for a late answer after a timeout (default 200ms)")
	fs.DurationVar(&ao.PollInterval, "test-poll", 0, "how often calls are listed while there are any (default 1s)")
	fs.DurationVar(&ao.KeepAlive, "test-keepalive", 0, "how often an idle modem is asked for its registration (default 15s)")
	fs.DurationVar(&ao.RetryMin, "test-retry-min", 0, "shortest wait before opening the modem again (default 1s)")
	fs.DurationVar(&ao.RetryMax, "test-retry-max", 0, "longest wait before opening the modem again (default 30s)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	if code, ok := command.Parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return command.Exit(env, Program, fmt.Errorf("unexpected arguments %q: modemagent takes flags only (%w: see modemagent -h)", fs.Args(), command.ErrUsage))
	}
	if err := o.setup(); err != nil {
		return command.Exit(env, Program, err)
	}
	return command.Exit(env, Program, o.serve(ctx))
}

// setup checks what another start would get wrong the same way.
func (o *options) setup() error {
	levels := logcat.NewLevels(slog.LevelInfo)
	if err := levels.Set(o.logSpec); err != nil {
		return badConfig(fmt.Errorf("-log %q: %w", o.logSpec, err))
	}
	o.log = slog.New(logcat.NewHandler(slog.NewTextHandler(o.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}), levels))
	if o.port == "" {
		// The image's service file runs the agent without flags: the
		// board names the port.
		if p, name, ok := boardPort(o.root); ok {
			o.port = p.Path
			if o.baud == 0 {
				o.baud = p.Baud
			}
			o.log.Info("modem port from the board", "category", "modem", "board", name, "port", o.port)
			return nil
		}
		return badConfig(fmt.Errorf("%w: give -port PATH, the modem's AT port (the board names it; on a host, modemsim's -link)", ErrNoPort))
	}
	return nil
}

// badConfig marks err as one another start would repeat: the agent exits
// 125, so that phoned does not restart it.
func badConfig(err error) error {
	return fmt.Errorf("%w; %w until the service's command line is fixed", err, command.ErrDoNotRestart)
}

// serve dials the bus and runs the application: the service runs from
// Telephony::start to Telephony::stop, holding the running task.
func (o *options) serve(ctx context.Context) error {
	client, err := runenv.Dial(ctx, *o.dirs, Program)
	if err != nil {
		return err
	}
	defer client.Close()

	opts := o.agent
	opts.ConfigDir, opts.Port, opts.Baud, opts.Logger, opts.Clock = o.dirs.Config, o.port, o.baud, o.log, clock.Real()
	return telservice.Run(ctx, qcop.NewApplication(client, Program, o.log), telservice.Service[*Agent]{
		Task:  TaskName,
		Start: func(ctx context.Context) (*Agent, error) { return Start(ctx, client, opts) },
		Failed: func(err error) {
			o.log.Error("cannot start the modem service", "category", "modem", "err", err)
		},
		Stop: stopAgent,
	})
}

// stopAgent stops a with a bound on its hangups.
func stopAgent(a *Agent) {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	a.Stop(ctx)
}
