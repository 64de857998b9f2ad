package server

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/internal/supervise"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// EnvProgram tells an agent the program name phoned started it as (its
// application channel is QPE/Application/<program>).
const EnvProgram = "RINGO_PROGRAM"

// backoffJitter shortens each restart delay by up to this fraction, so
// that agents that crashed together do not all come back at once.
const backoffJitter = 0.2

// exitKind is what phoned makes of an agent's exit.
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
	case code == command.ExitDoNotRestart:
		return exitNoRestart
	}
	return exitCrash
}

// agent is one program named by a service file, supervised by sup (nil
// when the file cannot be used). The supervisor's goroutine tells it every
// state change (onEvent) and output line (onLine); the fields below s.mu
// are what the rest of phoned reads.
type agent struct {
	s    *Server
	file serviceFile
	log  *slog.Logger
	sup  *supervise.Supervisor

	// Guarded by s.mu.
	state    string
	running  bool // a process is up
	started  time.Time
	restarts int
	quick    bool
	services []string
}

func newAgent(s *Server, f serviceFile) *agent {
	a := &agent{s: s, file: f, log: s.opts.Logger.With("category", "supervise", "program", f.Program)}
	if f.Err != nil {
		return a
	}
	dirs := runenv.Dirs{Config: s.opts.Config, Runtime: s.opts.Runtime, State: s.opts.State}
	env := append(append(append([]string(nil), s.opts.Environ...), dirs.Env()...), EnvProgram+"="+f.Program)
	out := s.opts.Logger.Handler()
	var err error
	a.sup, err = supervise.New(supervise.Config{
		Name:    f.Program,
		Starter: &supervise.Cmd{Path: f.Exec, Env: env, Spawner: s.spawn.Spawner},
		Clock:   s.opts.Clock,
		Rand:    s.opts.Rand,
		Backoff: supervise.Backoff{Initial: s.opts.BackoffInitial, Max: s.opts.BackoffMax, Jitter: backoffJitter},
		Ask:     a.askStop,
		// No grace period of its own: Shutdown kills every agent that is
		// still running when its one stop timeout has passed.
		OnEvent: a.onEvent,
		OnLine:  func(line string) { logAgentLine(out, f.Program, line) },
	})
	if err != nil { // options.defaults makes the backoff valid
		a.file.Err = err
	}
	return a
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

// run supervises the program until it is stopped or ends for good.
func (a *agent) run() {
	defer a.s.agentsWG.Done()
	if a.sup == nil {
		a.log.Error("service not started", "err", a.file.Err)
		a.s.mu.Lock()
		a.setStateLocked(phoneapi.AgentFailed, a.lastExitOp(a.file.Err.Error()))
		a.s.mu.Unlock()
		return
	}
	a.sup.Run(context.Background())
}

func (a *agent) lastExitOp(how string) vs.Op {
	return vs.SetOp(vs.Join(phoneapi.AgentPath(a.file.Program), phoneapi.KeyAgentLastExit), vs.String(how))
}

func (a *agent) pidOp(pid int) vs.Op {
	p := vs.Join(phoneapi.AgentPath(a.file.Program), phoneapi.KeyAgentPID)
	if pid == 0 {
		return vs.RemoveOp(p)
	}
	return vs.SetOp(p, vs.Int(int64(pid)))
}

// onEvent publishes a supervision event as the agent's state. Exited is
// not published on its own: the event after it carries the same exit, so
// the state and how the run ended change in one batch.
func (a *agent) onEvent(e supervise.Event) {
	switch e.State {
	case supervise.Running:
		a.s.mu.Lock()
		a.running, a.started, a.quick = true, a.s.opts.Clock.Now(), false
		// Look again once the agent has had its time to initialize (set
		// before the state is published, for whoever waits on it).
		a.s.opts.Clock.AfterFunc(a.s.opts.InitTimeout, a.s.refresh)
		a.setStateLocked(phoneapi.AgentRunning, a.pidOp(e.Pid))
		a.s.mu.Unlock()
		a.log.Info("agent started", "pid", e.Pid, "exec", a.file.Exec)
		a.s.bus.Publish(qcop.ApplicationChannel(a.file.Program), qcop.TelephonyStart)
	case supervise.Stopping:
		a.s.mu.Lock()
		a.setStateLocked(phoneapi.AgentStopping)
		a.s.mu.Unlock()
	case supervise.BackingOff:
		a.log.Warn("agent crashed; restarting", "exit", e.Exit.String(), "ranFor", e.Exit.Ran.String(),
			"backoff", e.Wait.String(), "restarts", e.Restarts, "recentOutput", strings.Join(a.sup.Recent(), "\n"))
		a.s.mu.Lock()
		a.running, a.restarts = false, e.Restarts
		a.setStateLocked(phoneapi.AgentBackoff, a.lastExitOp(e.Exit.String()), a.pidOp(0))
		a.s.mu.Unlock()
	case supervise.NotRestarted:
		a.ended(*e.Exit)
	case supervise.Stopped:
		a.s.mu.Lock()
		defer a.s.mu.Unlock()
		if e.Exit == nil { // stopped during a backoff or before a start
			a.setStateLocked(phoneapi.AgentStopped)
			return
		}
		a.running = false
		a.log.Info("agent stopped", "exit", e.Exit.String())
		a.setStateLocked(phoneapi.AgentStopped, a.lastExitOp(e.Exit.String()), a.pidOp(0))
	}
}

// ended publishes a run that is not restarted.
func (a *agent) ended(ex supervise.Exit) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.running = false
	if ex.Err != nil {
		a.log.Error("cannot start", "exec", a.file.Exec, "err", ex.Err)
		a.setStateLocked(phoneapi.AgentFailed, a.lastExitOp(ex.String()))
		return
	}
	lastExit, pid := a.lastExitOp(ex.String()), a.pidOp(0)
	switch classify(ex.Code, ex.Ran, a.s.opts.StartWindow) {
	case exitQuick:
		a.quick = true
		a.log.Warn("agent exited right after start", "exit", ex.String(), "ranFor", ex.Ran.String())
		a.setStateLocked(phoneapi.AgentExited, lastExit, pid)
	case exitClean:
		a.log.Info("agent exited", "exit", ex.String())
		a.setStateLocked(phoneapi.AgentExited, lastExit, pid)
	default: // 125; the house's contract restarts every other exit
		a.log.Error("agent asks not to be restarted", "exit", ex.String(), "recentOutput", strings.Join(a.sup.Recent(), "\n"))
		a.setStateLocked(phoneapi.AgentFailed, lastExit, pid)
	}
}

// askStop is how the supervisor asks a running agent to stop:
// Telephony::stop, as Qt Extended does.
func (a *agent) askStop(supervise.Process) error {
	a.s.bus.Publish(qcop.ApplicationChannel(a.file.Program), qcop.TelephonyStop)
	a.log.Info("Telephony::stop sent")
	return nil
}

// stop stops restarting the program and sends a running one
// Telephony::stop.
func (a *agent) stop() {
	if a.sup != nil {
		a.sup.Stop()
	}
}

// kill ends the process at once.
func (a *agent) kill() {
	a.s.mu.Lock()
	running := a.running
	a.s.mu.Unlock()
	if running && a.sup != nil {
		a.log.Warn("agent did not stop in time; killing it")
		a.sup.Kill()
	}
}
