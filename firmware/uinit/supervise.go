package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// exitDoNotRestart is the house's "do not restart me" exit code.
const exitDoNotRestart = 125

// daemon is one program uinit keeps running (phoned), restarted with
// backoff when it exits, as gokrazy supervises its services.
type daemon struct {
	name    string
	argv    []string
	env     []string
	output  func() (io.WriteCloser, error) // where the program's output goes
	clock   clock.Clock
	log     *slog.Logger
	minWait time.Duration // first restart delay (doubles)
	maxWait time.Duration
	healthy time.Duration // a run this long resets the backoff
}

// supervise runs d until ctx ends (then the program gets SIGTERM and is
// waited for) or it exits with exitDoNotRestart.
func (d *daemon) supervise(ctx context.Context) error {
	wait := d.minWait
	for {
		start := d.clock.Now()
		code, err := d.runOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		ran := d.clock.Now().Sub(start)
		if code == exitDoNotRestart {
			d.log.Error(d.name+" asked not to be restarted", "exit", code)
			return fmt.Errorf("%s exited %d: not restarted", d.name, code)
		}
		if ran >= d.healthy {
			wait = d.minWait
		}
		d.log.Warn(d.name+" exited; restarting", "exit", code, "err", err, "ran", ran.Round(time.Millisecond).String(), "in", wait.String())
		woke := make(chan struct{})
		t := d.clock.AfterFunc(wait, func() { close(woke) })
		select {
		case <-woke:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
		wait = min(2*wait, d.maxWait)
	}
}

// runOnce starts the program and waits for it; it returns the exit code
// (-1 for a signal or a failed start).
func (d *daemon) runOnce(ctx context.Context) (int, error) {
	out, err := d.output()
	if err != nil {
		return -1, err
	}
	defer out.Close()
	cmd := exec.Command(d.argv[0], d.argv[1:]...)
	cmd.Env = append(os.Environ(), d.env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return -1, err
	}
	d.log.Info(d.name+" started", "pid", cmd.Process.Pid)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		cmd.Process.Signal(syscall.SIGTERM)
		err = <-done
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), err
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}
