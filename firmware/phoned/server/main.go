package server

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/ringo-phone/ringo/internal/logcat"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/internal/version"
)

// Main is phoned's command line: it parses args, runs a Server until ctx
// ends (SIGTERM) and shuts it down. Flag and configuration errors wrap
// ErrConfig.
func Main(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("phoned", flag.ContinueOnError)
	fs.SetOutput(stderr)
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
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", ErrConfig, fs.Args())
	}
	if err := levels.Set(*logSpec); err != nil {
		return fmt.Errorf("%w: -log: %w", ErrConfig, err)
	}
	if err := dirs.Abs(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	o.Config, o.Runtime = dirs.Config, dirs.Runtime
	o.Levels = levels
	o.Logger = slog.New(logcat.NewHandler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}), levels))
	o.Logger.Info("phoned", "category", "phoned", "version", version.Version, "config", o.Config, "runtime", o.Runtime)
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
