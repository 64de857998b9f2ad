package agent

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/pulse"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/callaudio"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/logcat"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/internal/telservice"
	"github.com/ringo-phone/ringo/telephony/qcop"
)

// Program is the agent's program name: its service file, its application
// channel and its bus client are named after it.
const Program = "iaxagent"

// stopTimeout bounds the REGREL and the hangups of a stop.
const stopTimeout = 5 * time.Second

const usageText = `usage: iaxagent [flags]

The Asterisk VoIP agent. phoned starts it from
<config>/services/Telephony/iaxagent and sends it Telephony::start; it then
serves the telephony service "asterisk" until Telephony::stop, and exits 0.
It exits 2 for a bad flag, and 125 (do not restart) for an audio device or
log level that cannot work.

flags:
`

// options are the command line, and what setup makes of it.
type options struct {
	dirs               *runenv.Dirs
	listen             string
	source, sink       string
	logSpec            string
	regDelay           time.Duration
	retryMin, retryMax time.Duration
	rtxInitial         time.Duration
	rtxTries           int
	pingInterval       time.Duration
	pingTimeout        time.Duration
	checkInterval      time.Duration
	checkTimeout       time.Duration

	stderr  io.Writer
	logs    *logSink
	log     *slog.Logger
	devices *audio.Devices
}

// Main is the iaxagent program (firmware/iaxagent's main runs it): it
// parses the command line, opens the audio devices, dials the bus, and
// starts and stops the service "asterisk" on Telephony::start and
// Telephony::stop. It returns 0 when the last running task is released or
// ctx ends, 2 for a usage error, 125 for configuration another start would
// repeat, 1 otherwise.
func Main(ctx context.Context, args []string, env command.Env) int {
	fs := flag.NewFlagSet(Program, flag.ContinueOnError)
	o := options{dirs: runenv.Flags(fs, env.Getenv), stderr: env.Stderr}
	fs.StringVar(&o.listen, "listen", ":0", "local UDP `address` for IAX2")
	fs.StringVar(&o.source, "audio-source", "pulse", "microphone: pulse[:SOURCE], null, wav:FILE")
	fs.StringVar(&o.sink, "audio-sink", "pulse", "speaker: pulse[:SINK], null, wav:FILE")
	fs.StringVar(&o.logSpec, "log", "info", "log levels: LEVEL[,category=LEVEL...] (categories voip, telephony, qcop, bus, audio)")
	// Test-only timing: shorter delays so cross-process tests run in seconds.
	fs.DurationVar(&o.regDelay, "test-register-delay", 0, "delay before an automatic registration (default: none)")
	fs.DurationVar(&o.retryMin, "test-retry-min", 0, "shortest wait between registration attempts (default 2s)")
	fs.DurationVar(&o.retryMax, "test-retry-max", 0, "longest wait between registration attempts (default 60s)")
	fs.DurationVar(&o.rtxInitial, "test-retransmit-initial", 0, "IAX2 retransmission timeout before an RTT is known (default 1s)")
	fs.IntVar(&o.rtxTries, "test-retransmit-tries", 0, "IAX2 sends of a full frame before giving up (default 5)")
	fs.DurationVar(&o.pingInterval, "test-ping-interval", 0, "how often a call sends PING (default 10s)")
	fs.DurationVar(&o.pingTimeout, "test-ping-timeout", 0, "how long a call's PING may go unanswered before the call is lost (default 5s)")
	fs.DurationVar(&o.checkInterval, "test-check-interval", 0, "how often the registered server is asked whether it is there (default 25s)")
	fs.DurationVar(&o.checkTimeout, "test-check-timeout", 0, "how long the server may take to answer that check (default 5s)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	if code, ok := command.Parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return command.Exit(env, Program, fmt.Errorf("unexpected arguments %q: iaxagent takes flags only (%w: see iaxagent -h)", fs.Args(), command.ErrUsage))
	}
	// A closed log pipe must not kill the agent: with SIGPIPE ignored, a
	// write to it fails with EPIPE, and the log goes on in a file
	// (logSink). Go ignores it already for every descriptor but 1 and 2.
	signal.Ignore(syscall.SIGPIPE)
	if err := o.setup(); err != nil {
		return command.Exit(env, Program, err)
	}
	defer o.logs.Close()
	return command.Exit(env, Program, o.serve(ctx))
}

// setup checks what another start would get wrong the same way: the log
// levels and the audio devices.
func (o *options) setup() error {
	levels := logcat.NewLevels(slog.LevelInfo)
	if err := levels.Set(o.logSpec); err != nil {
		return badConfig(fmt.Errorf("-log %q: %w", o.logSpec, err))
	}
	o.logs = newLogSink(o.stderr, o.dirs.Runtime)
	o.log = slog.New(logcat.NewHandler(slog.NewTextHandler(o.logs,
		&slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: cutLogValue}), levels))

	// The active call's audio. A device that will not open (no PulseAudio
	// in the image) leaves the call up and silent, and says so in the log.
	o.devices = audio.NewDevices(clock.Real())
	if err := pulse.Register(o.devices, pulse.Config{Logger: o.log}); err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	for _, d := range []struct{ flag, value string }{{"-audio-source", o.source}, {"-audio-sink", o.sink}} {
		b, _, err := audio.ParseDevice(d.value)
		if err == nil && !slices.Contains(o.devices.Names(), b) {
			err = fmt.Errorf("no audio backend %q in this build", b)
		}
		if err != nil {
			return badConfig(fmt.Errorf("%s %q: %w; want one of %s, with an optional :ARG (pulse:NAME, wav:FILE)",
				d.flag, d.value, err, strings.Join(o.devices.Names(), ", ")))
		}
	}
	return nil
}

// badConfig marks err, in the agent's command line, as one another start
// would repeat: the agent exits 125, so that phoned does not restart it.
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

	opts := Options{
		ConfigDir: o.dirs.Config, Listen: o.listen, Logger: o.log,
		RegisterDelay: o.regDelay, RetryMin: o.retryMin, RetryMax: o.retryMax,
		Retransmit:   iax.Retransmit{Initial: o.rtxInitial, Tries: o.rtxTries},
		PingInterval: o.pingInterval, PingTimeout: o.pingTimeout,
		CheckInterval: o.checkInterval, CheckTimeout: o.checkTimeout,
		Audio: DeviceAudio{Open: callaudio.Device{Devices: o.devices, Source: o.source, Sink: o.sink,
			Config: callaudio.Config{Logger: o.log}}},
	}
	return telservice.Run(ctx, qcop.NewApplication(client, Program, o.log), telservice.Service[*Agent]{
		Task:  TaskName,
		Start: func(ctx context.Context) (*Agent, error) { return Start(ctx, client, opts) },
		Failed: func(err error) {
			o.log.Error("cannot start the asterisk service", "category", "voip", "err", err)
		},
		Stop: stopAgent,
	})
}

// stopAgent stops a with a bound on its REGREL and hangups.
func stopAgent(a *Agent) {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	a.Stop(ctx)
}
