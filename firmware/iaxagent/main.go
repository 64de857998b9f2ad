// Command iaxagent is the Asterisk VoIP agent: phoned starts it from
// <config>/services/Telephony/iaxagent and sends it Telephony::start; it
// then serves the telephony service "asterisk" (see firmware/iaxagent/agent)
// until Telephony::stop, and exits 0.
//
// Exit codes follow the house contract: 0 after a clean stop, 125 for a
// command line that cannot work (do not restart), 1 otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/pulse"
	"github.com/ringo-phone/ringo/firmware/iaxagent/agent"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/callaudio"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/logcat"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony/qcop"
)

const program = "iaxagent"

// errUsage marks command-line errors: exit 125, restarting cannot help.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stderr, os.Getenv)
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "iaxagent:", err)
		os.Exit(125)
	case err != nil:
		fmt.Fprintln(os.Stderr, "iaxagent:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet(program, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dirs := runenv.Flags(fs, getenv)
	listen := fs.String("listen", ":0", "local UDP address for IAX2")
	source := fs.String("audio-source", "pulse", "microphone: pulse[:SOURCE], null, wav:FILE")
	sink := fs.String("audio-sink", "pulse", "speaker: pulse[:SINK], null, wav:FILE")
	logSpec := fs.String("log", "info", "log levels: LEVEL[,category=LEVEL...] (categories voip, bus)")
	// Test-only timing: shorter delays so cross-process tests run in seconds.
	regDelay := fs.Duration("test-register-delay", 0, "delay before an automatic registration (default 500ms)")
	retryMin := fs.Duration("test-retry-min", 0, "shortest wait between registration attempts (default 2s)")
	retryMax := fs.Duration("test-retry-max", 0, "longest wait between registration attempts (default 60s)")
	rtxInitial := fs.Duration("test-retransmit-initial", 0, "IAX2 retransmission timeout before an RTT is known (default 1s)")
	rtxTries := fs.Int("test-retransmit-tries", 0, "IAX2 sends of a full frame before giving up (default 5)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	levels := logcat.NewLevels(slog.LevelInfo)
	if err := levels.Set(*logSpec); err != nil {
		return fmt.Errorf("%w: -log: %v", errUsage, err)
	}
	log := slog.New(logcat.NewHandler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}), levels))

	// The active call's audio. A device that will not open (no PulseAudio
	// in the image) leaves the call up and silent, and says so in the log.
	devices := audio.NewDevices(clock.Real())
	if err := pulse.Register(devices, pulse.Config{Logger: log}); err != nil {
		return err
	}
	for _, d := range []string{*source, *sink} {
		if b, _, err := audio.ParseDevice(d); err != nil || !slices.Contains(devices.Names(), b) {
			return fmt.Errorf("%w: audio device %q: want one of %v with an optional :ARG", errUsage, d, devices.Names())
		}
	}

	client, err := runenv.Dial(ctx, *dirs, program)
	if err != nil {
		return err
	}
	defer client.Close()

	opts := agent.Options{
		ConfigDir: dirs.Config, Listen: *listen, Logger: log,
		RegisterDelay: *regDelay, RetryMin: *retryMin, RetryMax: *retryMax,
		Retransmit: iax.Retransmit{Initial: *rtxInitial, Tries: *rtxTries},
		Audio: callaudio.Device{Devices: devices, Source: *source, Sink: *sink,
			Config: callaudio.Config{Logger: log}},
	}
	app := qcop.NewApplication(client, program, log)
	var running *agent.Agent
	app.HandleTelephony(func() {
		if running != nil {
			return
		}
		app.RegisterRunningTask(agent.TaskName)
		a, err := agent.Start(ctx, client, opts)
		if err != nil {
			log.Error("cannot start the asterisk service", "category", "voip", "err", err)
			app.UnregisterRunningTask(agent.TaskName)
			return
		}
		running = a
	}, func() {
		if running == nil {
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		running.Stop(sctx)
		cancel()
		running = nil
		app.UnregisterRunningTask(agent.TaskName)
	})
	err = app.Run(ctx)
	if running != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		running.Stop(sctx)
		cancel()
	}
	if errors.Is(err, context.Canceled) {
		return nil // SIGTERM or SIGINT: a clean stop
	}
	return err
}
