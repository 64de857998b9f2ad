package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/logcat"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/internal/version"
)

// Main is phoned's command line: it parses args, runs a Server until ctx
// ends (SIGTERM) and shuts it down. It returns the exit code: 0 after a
// clean stop, 2 for a command line it does not understand (-h prints the
// flags and exits 0), 125 ("do not restart me") for configuration it
// cannot run with (errors wrapping ErrConfig), 1 otherwise.
func Main(ctx context.Context, args []string, env command.Env) int {
	err := run(ctx, args, env)
	if errors.Is(err, ErrConfig) {
		err = command.ExitError{Code: command.ExitDoNotRestart, Err: err}
	}
	return command.Exit(env, "phoned", err)
}

func run(ctx context.Context, args []string, env command.Env) error {
	getenv := env.Getenv
	fs := flag.NewFlagSet("phoned", flag.ContinueOnError)
	dirs := runenv.Flags(fs, getenv)
	levels := logcat.NewLevels(slog.LevelInfo)
	logSpec := fs.String("log", getenv("RINGO_LOG"), "log levels per category, e.g. info,calls=debug,bus=warn (env RINGO_LOG)")
	var o Options
	fs.DurationVar(&o.BackoffInitial, "backoff", time.Second, "first restart delay of a crashed agent (doubles)")
	fs.DurationVar(&o.BackoffMax, "backoff-max", 30*time.Second, "longest restart delay")
	fs.DurationVar(&o.StartWindow, "start-window", 5*time.Second, "an agent exiting 0 this soon after start holds no running task")
	fs.DurationVar(&o.InitTimeout, "init-timeout", 10*time.Second, "an agent without a service after this never initialized")
	fs.DurationVar(&o.StopTimeout, "stop-timeout", 5*time.Second, "wait after Telephony::stop before killing an agent")
	fs.DurationVar(&o.CallCheck, "call-check", 2*time.Minute, "how often to look for calls that were never announced")
	fs.IntVar(&o.KeepEnded, "keep-ended", 10, "ended calls kept in the call list")
	boardName := fs.String("board", getenv("RINGO_BOARD"), "the board to bring up: "+boardNames()+
		" (env RINGO_BOARD; default: the device tree's, else host)")
	notices := fs.String("notices", "", "print a line here when a call comes in (a terminal, e.g. /dev/console)")
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q (phoned takes only flags; -h lists them)", command.ErrUsage, fs.Args())
	}
	if err := levels.Set(*logSpec); err != nil {
		return fmt.Errorf("%w: -log: %w", ErrConfig, err)
	}
	if err := dirs.Abs(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	o.Config, o.Runtime, o.State = dirs.Config, dirs.Runtime, dirs.State
	b, how, err := pickBoard(*boardName, "/")
	if err != nil {
		return fmt.Errorf("%w: -board: %w", ErrConfig, err)
	}
	o.Hardware = Hardware{Board: b}

	o.Levels = levels
	o.Logger = slog.New(logcat.NewHandler(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}), levels))
	o.Logger.Info("phoned", "category", "phoned", "version", version.Version, "config", o.Config, "runtime", o.Runtime, "state", o.State,
		"board", b.Name, "boardFrom", how)
	if *notices != "" {
		// Without its console phoned still works: it says so and goes on.
		if f, err := os.OpenFile(*notices, os.O_WRONLY|os.O_APPEND, 0); err != nil {
			o.Logger.Warn("no console for notices: incoming calls print nothing", "category", "phoned", "notices", *notices, "err", err)
		} else {
			defer f.Close()
			o.Notices = f
		}
	}
	s, err := Start(ctx, o)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-s.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), o.StopTimeout+5*time.Second)
	defer cancel()
	s.Shutdown(sctx)
	return s.Err()
}
