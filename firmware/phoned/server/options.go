package server

import (
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/logcat"
)

// Options configure a Server. The zero value of every duration gives the
// handset default; tests shorten them so cross-process runs take seconds.
type Options struct {
	// Config and Runtime are the configuration directory (service files,
	// Telephony.conf, Asterisk.conf) and the runtime directory (bus.sock).
	Config  string
	Runtime string
	// State is the directory phoned keeps its call history in across a
	// restart and a reboot ("": not kept).
	State  string
	Logger *slog.Logger
	Clock  clock.Clock
	// Levels, when set, are the logger's per-category levels; phoned
	// changes them when LogLevelsPath changes (vsexplorer set).
	Levels *logcat.Levels

	// BackoffInitial is the first delay before restarting a crashed
	// agent; it doubles up to BackoffMax, and falls back to BackoffInitial
	// after a run longer than BackoffMax.
	BackoffInitial time.Duration // default 1s
	BackoffMax     time.Duration // default 30s
	// StartWindow: an agent that exits 0 within it after Telephony::start
	// is reported as holding no running task.
	StartWindow time.Duration // default 5s
	// InitTimeout: an agent running this long without a service is
	// reported as never initialized.
	InitTimeout time.Duration // default 10s
	// StopTimeout is how long Shutdown waits after Telephony::stop before
	// killing an agent.
	StopTimeout time.Duration // default 5s
	// CallCheck is how often phoned asks each call provider for its calls,
	// to find calls that were never announced.
	CallCheck time.Duration // default 2m
	// KeepEnded is how many ended calls stay in the call list.
	KeepEnded int // default 10

	// LookPath resolves a program name (default exec.LookPath).
	LookPath func(string) (string, error)
	// Notices, when set, receives one line for the person at the console
	// when a call comes in (uinit passes the console).
	Notices io.Writer

	// Environ is the agents' environment before phoned adds RINGO_CONFIG,
	// RINGO_RUNTIME and RINGO_PROGRAM (default os.Environ()).
	Environ []string
	// Hardware is the board phoned brings up and drives (the zero value:
	// the host board, no hardware).
	Hardware Hardware

	// Rand returns numbers in [0, 1) for the jitter that shortens each
	// restart delay by up to a fifth (default math/rand/v2); tests make
	// the delays exact with func() float64 { return 0 }.
	Rand func() float64
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.BackoffInitial, time.Second)
	def(&o.BackoffMax, 30*time.Second)
	def(&o.StartWindow, 5*time.Second)
	def(&o.InitTimeout, 10*time.Second)
	def(&o.StopTimeout, 5*time.Second)
	def(&o.CallCheck, 2*time.Minute)
	o.BackoffMax = max(o.BackoffMax, o.BackoffInitial)
	if o.KeepEnded <= 0 {
		o.KeepEnded = 10
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.LookPath == nil {
		o.LookPath = lookPath
	}
	if o.Environ == nil {
		o.Environ = os.Environ()
	}
}
