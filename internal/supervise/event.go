package supervise

import (
	"fmt"
	"syscall"
	"time"

	"github.com/ringo-phone/ringo/internal/command"
)

// State is where supervision of a program stands. The transitions:
//
//	Starting   → Running       the program started
//	Starting   → Exited        it could not be started (Exit.Err)
//	Running    → Stopping      Stop asked it to stop
//	Running    → Exited        its first process ended
//	Stopping   → Exited
//	Exited     → Stopped       Stop had been called
//	Exited     → NotRestarted  exit 125, or the Restart rule said no
//	Exited     → BackingOff    otherwise
//	BackingOff → Starting      the delay has passed
//	BackingOff → Stopped       Stop during the delay
//	(none)     → Stopped       Stop before the first start
type State int

// The states, in the order a run goes through them.
const (
	Starting State = iota + 1
	Running
	Stopping
	Exited
	BackingOff
	NotRestarted
	Stopped
)

func (s State) String() string {
	switch s {
	case Starting:
		return "starting"
	case Running:
		return "running"
	case Stopping:
		return "stopping"
	case Exited:
		return "exited"
	case BackingOff:
		return "backoff"
	case NotRestarted:
		return "not restarted"
	case Stopped:
		return "stopped"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Event is one state change.
type Event struct {
	State State
	// Pid is the process of the run (Running, Stopping).
	Pid int
	// Exit is how the run ended: set for Exited and for the BackingOff,
	// NotRestarted or Stopped that follows it; nil for a Stopped that
	// came while no run was under way.
	Exit *Exit
	// Wait and Until are the delay before the next start (BackingOff).
	Wait  time.Duration
	Until time.Time
	// Restarts counts the restarts so far, this BackingOff's included.
	Restarts int
}

// Exit is how one run ended.
type Exit struct {
	// Code is the exit code; -1 when a signal ended the program or it
	// could not be started.
	Code int
	// Signal is the signal that ended the program, or 0.
	Signal syscall.Signal
	// Err says why the program could not be started (or waited for).
	Err error
	// Ran is how long the run lasted on the supervisor's clock.
	Ran time.Duration
}

// String is "exit 3", "signal killed" or the start error.
func (e Exit) String() string {
	switch {
	case e.Err != nil:
		return e.Err.Error()
	case e.Signal != 0:
		return "signal " + e.Signal.String()
	}
	return fmt.Sprintf("exit %d", e.Code)
}

// final is what Run returns when a run ends supervision.
func (e Exit) final(name string) error {
	switch {
	case e.Err != nil:
		return fmt.Errorf("%s: %w: %w", name, ErrNotStarted, e.Err)
	case e.Signal != 0:
		return fmt.Errorf("%s ended by %s: %w", name, e, ErrNotRestarted)
	case e.Code == 0:
		return nil
	}
	return fmt.Errorf("%s exited %d: %w", name, e.Code, ErrNotRestarted)
}

// Contract is the house's exit contract, the default Restart rule: exit 0
// is done, a program that could not be started is not tried again, any
// other code or a signal is a crash and restarted. Exit 125
// (command.ExitDoNotRestart) is never restarted, whatever the rule says.
func Contract(e Exit) bool {
	return e.Err == nil && e.Code != command.ExitOK && e.Code != command.ExitDoNotRestart
}

// Always restarts after every exit but 125, a failed start included (uinit
// keeps phoned up whatever happened to it).
func Always(Exit) bool { return true }
