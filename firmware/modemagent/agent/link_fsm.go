package agent

import (
	"strconv"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/clock"
)

// The modem link's state machine: whether the agent can talk to the
// modem at all.
//
//	Down      no port open: not yet, or it failed, or the modem vanished;
//	          a retry is scheduled with backoff (RetryMin..RetryMax)
//	Opening   the port is being opened
//	Starting  the port is open; the modem is being set up (echo, error
//	          codes, URCs, the radio)
//	Up        the modem answers: the SIM, the registration and the calls
//	          are followed
//
// These are all the transitions; any other (state, event) pair leaves the
// state as it is and does nothing. link.transition is the code of this
// table, and a test holds them to each other:
//
//	from      event        to        actions
//	Down      start        Opening   open
//	Opening   opened       Starting  setup
//	Opening   open-failed  Down      say+retry
//	Starting  ready        Up        clear+reset-backoff+follow
//	Starting  setup-failed Down      close+say+retry
//	Starting  lost         Down      close+lose-calls+say+retry
//	Starting  reset        Starting  setup
//	Up        lost         Down      close+lose-calls+say+retry
//	Up        reset        Starting  lose-calls+setup
//
// lost is the port failing (the modem vanished: its tty hung up) or the
// modem not answering MaxSilent commands in a row; reset is the modem's
// boot line (RDY) while it was set up: it lost its settings and its
// calls. say publishes what is wrong as the registration problem ("the
// modem at PATH vanished ..."); clear removes it. lose-calls ends every
// call in NetworkFailure. follow asks for the SIM, the registration and
// the calls (a restarted agent recovers the calls the modem has) and
// starts the keepalive.
//
// Agent.linkStep, the only caller of transition, runs on the loop.

type linkState uint8

// Link states.
const (
	linkDown linkState = iota
	linkOpening
	linkStarting
	linkUp
)

var linkStateNames = [...]string{"Down", "Opening", "Starting", "Up"}

func (s linkState) String() string {
	if int(s) < len(linkStateNames) {
		return linkStateNames[s]
	}
	return "linkState(" + strconv.Itoa(int(s)) + ")"
}

type linkEvent uint8

// Link events.
const (
	linkStart       linkEvent = iota // begin (start-up, or the retry timer)
	linkOpened                       // the port opened
	linkOpenFailed                   // the port did not open
	linkReady                        // the modem is set up
	linkSetupFailed                  // setting it up failed
	linkLost                         // the port failed, or the modem stopped answering
	linkReset                        // the modem booted again (RDY)
)

var linkEventNames = [...]string{"start", "opened", "open-failed", "ready", "setup-failed", "lost", "reset"}

func (e linkEvent) String() string {
	if int(e) < len(linkEventNames) {
		return linkEventNames[e]
	}
	return "linkEvent(" + strconv.Itoa(int(e)) + ")"
}

type linkActions uint16

// Link actions, run in this order.
const (
	linkClose linkActions = 1 << iota
	linkLoseCalls
	linkSay
	linkClear
	linkResetBackoff
	linkRetry
	linkOpen
	linkSetup
	linkFollow
)

var linkActionNames = [...]string{"close", "lose-calls", "say", "clear", "reset-backoff", "retry", "open", "setup", "follow"}

func (a linkActions) String() string {
	var names []string
	for i, n := range linkActionNames {
		if a&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, "+")
}

// link is the agent's connection to the modem. Owned by the loop.
type link struct {
	// state is where the link stands; only transition assigns it.
	state linkState
	ch    *modem.Channel
	// gen is bumped whenever ch is replaced: results for an old channel
	// are ignored.
	gen     int
	backoff time.Duration
	timer   clock.Timer
	// since is when the link went down, for the problem's words.
	since   time.Time
	problem string
}

func (l *link) stopTimer() {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
}

// transition moves l.state on ev and returns the actions to run: the
// table above, written as code. It is the only code that assigns l.state.
func (l *link) transition(ev linkEvent) linkActions {
	switch l.state {
	case linkDown:
		if ev == linkStart {
			l.state = linkOpening
			return linkOpen
		}
	case linkOpening:
		switch ev {
		case linkOpened:
			l.state = linkStarting
			return linkSetup
		case linkOpenFailed:
			l.state = linkDown
			return linkSay | linkRetry
		}
	case linkStarting:
		switch ev {
		case linkReady:
			l.state = linkUp
			return linkClear | linkResetBackoff | linkFollow
		case linkSetupFailed:
			l.state = linkDown
			return linkClose | linkSay | linkRetry
		case linkLost:
			l.state = linkDown
			return linkClose | linkSay | linkRetry | linkLoseCalls
		case linkReset:
			return linkSetup
		}
	case linkUp:
		switch ev {
		case linkLost:
			l.state = linkDown
			return linkClose | linkSay | linkRetry | linkLoseCalls
		case linkReset:
			l.state = linkStarting
			return linkLoseCalls | linkSetup
		}
	}
	return 0
}
