package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/supervise"
)

// daemon is one program uinit keeps running (phoned, PulseAudio), under
// internal/supervise: its output lines are appended to a log file, its
// starts, exits and restarts are logged on the console.
type daemon struct {
	name   string
	argv   []string
	env    []string                       // added to uinit's environment
	output func() (io.WriteCloser, error) // where the program's output lines go
	// prepare, if set, runs before each start; its error fails the start
	// (which is restarted after the backoff, as a crash is).
	prepare func(ctx context.Context) error
	// onLine, if set, sees each line of output after it is logged.
	onLine func(line string)
	// started, if set, is told each time the program starts.
	started func(pid int)
	// quiet keeps the routine events (started, stopping, stopped) off
	// log, in the program's own log instead; exits and restarts are
	// always on log.
	quiet bool
	// routine is where routine events go while supervise runs: log, or
	// the program's log when quiet.
	routine *slog.Logger
	clock   clock.Clock
	rand    func() float64 // the restart delays' jitter (nil: random)
	log     *slog.Logger
	minWait time.Duration // first restart delay (doubles, less the jitter)
	maxWait time.Duration
	healthy time.Duration // a run this long resets the backoff
}

// daemonJitter shortens each restart delay by up to this fraction.
const daemonJitter = 0.2

// daemonGrace is how long the program has between SIGTERM and SIGKILL
// when uinit stops it: phoned's own stop waits 5 s for its agents, then
// kills them.
const daemonGrace = 15 * time.Second

// supervise runs d until ctx ends (the program gets SIGTERM, and SIGKILL
// after the grace period) or it exits 125. Every other end, a clean exit
// and a failed start included, is restarted after the backoff: the
// handset needs its phone server.
func (d *daemon) supervise(ctx context.Context) error {
	out, err := d.output()
	if err != nil {
		d.log.Error(d.name+"'s output is lost: cannot open its log", "err", err)
		out = nopCloser{io.Discard}
	}
	defer out.Close()
	d.routine = d.log
	if d.quiet {
		// One record is one write: it does not split the program's lines.
		d.routine = slog.New(slog.NewTextHandler(out, nil)).With("category", "supervise")
	}
	var starter supervise.Starter = &supervise.Cmd{Path: d.argv[0], Args: d.argv[1:], Env: append(os.Environ(), d.env...)}
	if d.prepare != nil {
		starter = preparedStarter{ctx: ctx, prepare: d.prepare, next: starter}
	}
	var sup *supervise.Supervisor
	sup, err = supervise.New(supervise.Config{
		Name:    d.name,
		Starter: starter,
		Clock:   d.clock, Rand: d.rand, Grace: daemonGrace,
		Backoff: supervise.Backoff{Initial: d.minWait, Max: d.maxWait, Healthy: d.healthy, Jitter: daemonJitter},
		Restart: supervise.Always,
		OnEvent: func(e supervise.Event) { d.event(e, sup.Recent) },
		// One reading goroutine at a time writes out. A failed write (a
		// full /run) drops the line; the reading goes on.
		OnLine: func(line string) {
			io.WriteString(out, line+"\n")
			if d.onLine != nil {
				d.onLine(line)
			}
		},
		RecentLines: 5,
	})
	if err != nil {
		return err
	}
	return sup.Run(ctx)
}

// event logs a state change on the console; a crash report carries the
// program's last lines of output.
func (d *daemon) event(e supervise.Event, recent func() []string) {
	switch e.State {
	case supervise.Running:
		d.routine.Info(d.name+" started", "pid", e.Pid)
		if d.started != nil {
			d.started(e.Pid)
		}
	case supervise.BackingOff:
		d.log.Warn(d.name+" exited; restarting", "exit", e.Exit.String(), "ran", e.Exit.Ran.Round(time.Millisecond).String(),
			"in", e.Wait.Round(time.Millisecond).String(), "restarts", e.Restarts, "recentOutput", strings.Join(recent(), "\n"))
	case supervise.NotRestarted:
		d.log.Error(d.name+" asked not to be restarted", "exit", e.Exit.String(), "recentOutput", strings.Join(recent(), "\n"))
	case supervise.Stopping:
		d.routine.Info("stopping " + d.name)
	case supervise.Stopped:
		if e.Exit != nil {
			d.routine.Info(d.name+" stopped", "exit", e.Exit.String())
		}
	}
}

// preparedStarter runs prepare before each start.
type preparedStarter struct {
	ctx     context.Context
	prepare func(ctx context.Context) error
	next    supervise.Starter
}

func (p preparedStarter) Start() (supervise.Process, error) {
	if err := p.prepare(p.ctx); err != nil {
		return nil, err
	}
	return p.next.Start()
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
