package server

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// EnvProgram tells an agent the program name phoned started it as (its
// application channel is QPE/Application/<program>).
const EnvProgram = "RINGO_PROGRAM"

// ExitDoNotRestart is the exit code that asks the supervisor not to
// restart a program (gokrazy's convention).
const ExitDoNotRestart = 125

// errStopping stops a launch that Shutdown overtook.
var errStopping = errors.New("phoned is stopping")

// exitKind is what a supervisor makes of an agent's exit.
type exitKind int

const (
	exitClean     exitKind = iota // 0: done, not restarted
	exitQuick                     // 0 right after start: holds no running task
	exitNoRestart                 // 125
	exitCrash                     // another code or a signal: restart
)

// classify decides what an exit means; code is -1 for a signal.
func classify(code int, ranFor, window time.Duration) exitKind {
	switch {
	case code == 0 && ranFor < window:
		return exitQuick
	case code == 0:
		return exitClean
	case code == ExitDoNotRestart:
		return exitNoRestart
	}
	return exitCrash
}

// nextBackoff doubles the delay up to max, starting again from initial
// after a run that lasted longer than max.
func nextBackoff(cur, initial, max, ranFor time.Duration) time.Duration {
	if ranFor > max || cur <= 0 {
		return initial
	}
	return min(2*cur, max)
}

// agent supervises one program named by a service file. Its run goroutine
// owns the process; the fields below s.mu are shared.
type agent struct {
	s    *Server
	file serviceFile
	log  *slog.Logger
	olog *slog.Logger // the agent's own output
	out  *ring
	quit chan struct{}

	// Guarded by s.mu.
	state    string
	proc     *os.Process
	started  time.Time
	restarts int
	quick    bool
	services []string
	stopped  bool
}

func newAgent(s *Server, f serviceFile) *agent {
	return &agent{s: s, file: f, out: newRing(40), quit: make(chan struct{}),
		log:  s.opts.Logger.With("category", "supervise", "program", f.Program),
		olog: s.opts.Logger.With("category", "agent", "program", f.Program)}
}

func (a *agent) viewLocked() agentView {
	return agentView{Program: a.file.Program, State: a.state, Started: a.started, Quick: a.quick,
		StartErr: a.file.Err, Services: a.services}
}

// setState publishes the agent's state; s.mu held.
func (a *agent) setStateLocked(state string, ops ...vs.Op) {
	a.state = state
	p := phoneapi.AgentPath(a.file.Program)
	ops = append(ops, vs.SetOp(vs.Join(p, phoneapi.KeyAgentState), vs.String(state)),
		vs.SetOp(vs.Join(p, phoneapi.KeyAgentRestarts), vs.Int(int64(a.restarts))))
	a.s.apply(ops...)
	a.s.refreshLocked()
}

func (a *agent) run() {
	defer a.s.agentsWG.Done()
	if a.file.Err != nil {
		a.log.Error("service not started", "err", a.file.Err)
		a.s.mu.Lock()
		a.setStateLocked(phoneapi.AgentFailed, vs.SetOp(vs.Join(phoneapi.AgentPath(a.file.Program), phoneapi.KeyAgentLastExit), vs.String(a.file.Err.Error())))
		a.s.mu.Unlock()
		return
	}
	var backoff time.Duration
	for {
		exited, err := a.launch()
		if errors.Is(err, errStopping) {
			a.s.mu.Lock()
			a.setStateLocked(phoneapi.AgentStopped)
			a.s.mu.Unlock()
			return
		}
		if err != nil {
			a.log.Error("cannot start", "exec", a.file.Exec, "err", err)
			a.s.mu.Lock()
			a.setStateLocked(phoneapi.AgentFailed, vs.SetOp(vs.Join(phoneapi.AgentPath(a.file.Program), phoneapi.KeyAgentLastExit), vs.String(err.Error())))
			a.s.mu.Unlock()
			return
		}
		werr := <-exited
		a.s.mu.Lock()
		ranFor := a.s.opts.Clock.Now().Sub(a.started)
		a.proc = nil
		code, how := exitCode(werr)
		lastExit := vs.SetOp(vs.Join(phoneapi.AgentPath(a.file.Program), phoneapi.KeyAgentLastExit), vs.String(how))
		pid := vs.RemoveOp(vs.Join(phoneapi.AgentPath(a.file.Program), phoneapi.KeyAgentPID))
		if a.stopped {
			a.log.Info("agent stopped", "exit", how)
			a.setStateLocked(phoneapi.AgentStopped, lastExit, pid)
			a.s.mu.Unlock()
			return
		}
		kind := classify(code, ranFor, a.s.opts.StartWindow)
		switch kind {
		case exitQuick:
			a.quick = true
			a.log.Warn("agent exited right after start", "exit", how, "ranFor", ranFor.String())
			a.setStateLocked(phoneapi.AgentExited, lastExit, pid)
			a.s.mu.Unlock()
			return
		case exitClean:
			a.log.Info("agent exited", "exit", how)
			a.setStateLocked(phoneapi.AgentExited, lastExit, pid)
			a.s.mu.Unlock()
			return
		case exitNoRestart:
			a.log.Error("agent asks not to be restarted", "exit", how, "recentOutput", strings.Join(a.out.last(), "\n"))
			a.setStateLocked(phoneapi.AgentFailed, lastExit, pid)
			a.s.mu.Unlock()
			return
		}
		backoff = nextBackoff(backoff, a.s.opts.BackoffInitial, a.s.opts.BackoffMax, ranFor)
		a.restarts++
		a.log.Warn("agent crashed; restarting", "exit", how, "ranFor", ranFor.String(), "backoff", backoff.String(),
			"restarts", a.restarts, "recentOutput", strings.Join(a.out.last(), "\n"))
		// The timer is set before the state says backoff, so whoever sees
		// the state sees the timer too.
		wake := make(chan struct{})
		t := a.s.opts.Clock.AfterFunc(backoff, func() { close(wake) })
		a.setStateLocked(phoneapi.AgentBackoff, lastExit, pid)
		a.s.mu.Unlock()
		select {
		case <-wake:
		case <-a.quit:
			t.Stop()
			a.s.mu.Lock()
			a.setStateLocked(phoneapi.AgentStopped)
			a.s.mu.Unlock()
			return
		}
	}
}

// launch starts the program, sends it Telephony::start and returns a
// channel that yields its exit.
func (a *agent) launch() (<-chan error, error) {
	a.s.mu.Lock()
	if a.stopped {
		a.s.mu.Unlock()
		return nil, errStopping
	}
	a.s.mu.Unlock()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(a.file.Exec)
	dirs := runenv.Dirs{Config: a.s.opts.Config, Runtime: a.s.opts.Runtime}
	cmd.Env = append(append(append([]string(nil), a.s.opts.Environ...), dirs.Env()...), EnvProgram+"="+a.file.Program)
	cmd.Stdout, cmd.Stderr = w, w
	a.s.mu.Lock()
	if a.stopped { // Shutdown began while the command was prepared
		a.s.mu.Unlock()
		r.Close()
		w.Close()
		return nil, errStopping
	}
	err = a.s.spawn.start(cmd)
	w.Close()
	if err != nil {
		a.s.mu.Unlock()
		r.Close()
		return nil, err
	}
	a.proc = cmd.Process
	a.started = a.s.opts.Clock.Now()
	a.quick = false
	// Look again once the agent has had its time to initialize (set before
	// the state is published, for whoever waits on it).
	a.s.opts.Clock.AfterFunc(a.s.opts.InitTimeout, a.s.refresh)
	p := phoneapi.AgentPath(a.file.Program)
	a.setStateLocked(phoneapi.AgentRunning, vs.SetOp(vs.Join(p, phoneapi.KeyAgentPID), vs.Int(int64(cmd.Process.Pid))))
	a.s.mu.Unlock()
	a.log.Info("agent started", "pid", cmd.Process.Pid, "exec", a.file.Exec)
	go a.copyOutput(r)
	a.s.bus.Publish(qcop.ApplicationChannel(a.file.Program), qcop.TelephonyStart)
	exited := make(chan error, 1)
	go func() { exited <- waitExit(cmd) }()
	return exited, nil
}

// copyOutput logs the agent's output line by line and keeps the recent
// lines.
func (a *agent) copyOutput(r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		a.out.add(line)
		a.olog.Info(line)
	}
}

// stop sends Telephony::stop and stops restarting the program.
func (a *agent) stop() {
	a.s.mu.Lock()
	if a.stopped {
		a.s.mu.Unlock()
		return
	}
	a.stopped = true
	running := a.proc != nil
	if running {
		a.setStateLocked(phoneapi.AgentStopping)
	}
	a.s.mu.Unlock()
	close(a.quit)
	if running {
		a.s.bus.Publish(qcop.ApplicationChannel(a.file.Program), qcop.TelephonyStop)
		a.log.Info("Telephony::stop sent")
	}
}

// kill ends the process at once.
func (a *agent) kill() {
	a.s.mu.Lock()
	p := a.proc
	a.s.mu.Unlock()
	if p != nil {
		a.log.Warn("agent did not stop in time; killing it")
		p.Kill()
	}
}

// exitCode returns the exit code (-1 for a signal) and a description.
func exitCode(err error) (int, string) {
	if err == nil {
		return 0, "exit 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1, "signal " + ws.Signal().String()
		}
		return ee.ExitCode(), fmt.Sprintf("exit %d", ee.ExitCode())
	}
	return -1, err.Error()
}
