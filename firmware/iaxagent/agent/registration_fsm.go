package agent

import (
	"strconv"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/telephony"
)

// The registration state machine, as the seed names its states
// (QTelephony::RegistrationState; the agent uses four of them):
//
//	None       nothing under way: not configured, deregistered, or the
//	           last REGREQ or liveness check went unanswered (iax
//	           sends it again)
//	Searching  the server is being looked up, or a REGREQ is in flight
//	Home       the server answered REGACK; iax refreshes it before it
//	           expires, and a refresh stays Home
//	Denied     the server answered REGREJ; stays until the settings
//	           change or a register request comes
//
// Unlike iaxclient, an unanswered registration is retried for ever with
// backoff (iax's RetryMin..RetryMax), and one that failed or could not
// start is begun again after the agent's own backoff.
//
// These are all the transitions; any other (state, event) pair leaves the
// state as it is and does nothing. registration.transition is the code of
// this table, and a test holds them to each other:
//
//	from       event         to         actions
//	None       begin         Searching  clear+resolve
//	None       again         Searching  resolve
//	None       unconfigured  None       say
//	None       deregistered  None       clear
//	None       sent          Searching
//	None       acked         Home       reset-backoff+clear
//	None       rejected      Denied     forget+say
//	None       released      None       forget
//	None       failed        None       forget+say+retry
//	Searching  begin         Searching  clear+resolve
//	Searching  unconfigured  None       say
//	Searching  deregistered  None       clear
//	Searching  resolved      Searching  start
//	Searching  unreachable   None       say+retry
//	Searching  acked         Home       reset-backoff+clear
//	Searching  unanswered    None       say
//	Searching  rejected      Denied     forget+say
//	Searching  released      None       forget
//	Searching  failed        None       forget+say+retry
//	Home       begin         Searching  clear+resolve
//	Home       unconfigured  None       say
//	Home       deregistered  None       clear
//	Home       acked         Home       reset-backoff+clear
//	Home       unanswered    None       say
//	Home       rejected      Denied     forget+say
//	Home       released      None       forget
//	Home       failed        None       forget+say+retry
//	Denied     begin         Searching  clear+resolve
//	Denied     unconfigured  None       say
//	Denied     deregistered  None       clear
//
// What keeps the service from registering is said by the say action, in
// the words of registration.problem, and published as the service's
// registrationProblem; clear removes it. A problem stays while iax
// retries (sent, again) and goes on Home, on a run the user or start-up
// began (begin), and when registration is no longer wanted.
//
// Each change of state is published once, by Agent.regStep, the only
// caller of transition. Every event reaches it on the agent's loop
// goroutine; the events of a registration that has since been replaced
// (registration.gen) never do.

// regEvent is what happens to the registration.
type regEvent uint8

// Registration events.
const (
	// regBegin: a run starts afresh (the start-up delay fired, or a
	// restart for new settings or a register request finished
	// releasing) and the settings name a server.
	regBegin regEvent = iota
	// regAgain: a run starts again after the backoff that followed a
	// failed one, and the settings name a server.
	regAgain
	// regUnconfigured: a run would start, but Asterisk.conf names no server.
	regUnconfigured
	// regDeregistered: registration is no longer wanted, and the old one
	// has been released.
	regDeregistered
	// regResolved: the server's address is known (registration.server).
	regResolved
	// regUnreachable: the server's name did not resolve (why is a
	// *resolveError), or iax would not start a registration to it.
	regUnreachable
	// regSent: iax sent a REGREQ (the first, a retry, or a refresh).
	regSent
	// regAcked: the server answered REGACK.
	regAcked
	// regUnanswered: a REGREQ went unanswered, or nothing listens at the
	// server's port, or the server did not answer a liveness check
	// (Agent.checkServer); iax sends it again later.
	regUnanswered
	// regRejected: the server answered REGREJ (why is an
	// *iax.DeniedError); the iax registration ended.
	regRejected
	// regReleased: the iax registration ended with a REGREL.
	regReleased
	// regFailed: iax gave up (an error other than a REGREJ).
	regFailed
)

var regEventNames = [...]string{"begin", "again", "unconfigured", "deregistered", "resolved", "unreachable",
	"sent", "acked", "unanswered", "rejected", "released", "failed"}

func (e regEvent) String() string {
	if int(e) < len(regEventNames) {
		return regEventNames[e]
	}
	return "regEvent(" + strconv.Itoa(int(e)) + ")"
}

// regActions are what a transition asks the agent to do, in this order.
type regActions uint8

// Registration actions.
const (
	// regForget drops the iax registration, which has ended.
	regForget regActions = 1 << iota
	// regResetBackoff: the server answered, the next failure waits the
	// shortest time again.
	regResetBackoff
	// regClear removes the registration problem, and forgets when the
	// REGREQs began to go unanswered.
	regClear
	// regSay publishes the registration problem the event describes
	// (registration.problem).
	regSay
	// regResolve looks the server up (off the loop), then feeds
	// regResolved or regUnreachable.
	regResolve
	// regStart starts the iax registration to registration.server.
	regStart
	// regRetry begins a new run after the next backoff.
	regRetry
)

var regActionNames = [...]string{"forget", "reset-backoff", "clear", "say", "resolve", "start", "retry"}

func (a regActions) String() string {
	var names []string
	for i, n := range regActionNames {
		if a&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, "+")
}

// transition moves r.state on ev and returns the actions to run: the table
// above, written as code. It is the only code that assigns r.state.
func (r *registration) transition(ev regEvent) regActions {
	const (
		none      = telephony.RegistrationNone
		searching = telephony.RegistrationSearching
		home      = telephony.RegistrationHome
		denied    = telephony.RegistrationDenied
	)
	switch r.state {
	case none:
		switch ev {
		case regBegin:
			r.state = searching
			return regClear | regResolve
		case regAgain:
			r.state = searching
			return regResolve
		case regUnconfigured:
			return regSay
		case regDeregistered:
			return regClear
		case regSent:
			r.state = searching // iax sends an unanswered REGREQ again
		case regAcked:
			r.state = home
			return regResetBackoff | regClear
		case regRejected:
			r.state = denied
			return regForget | regSay
		case regReleased:
			return regForget
		case regFailed:
			return regForget | regSay | regRetry
		}
	case searching:
		switch ev {
		case regBegin:
			return regClear | regResolve // a restart while searching: look up again
		case regUnconfigured, regUnanswered:
			r.state = none
			return regSay
		case regDeregistered:
			r.state = none
			return regClear
		case regResolved:
			return regStart
		case regUnreachable:
			r.state = none
			return regSay | regRetry
		case regAcked:
			r.state = home
			return regResetBackoff | regClear
		case regRejected:
			r.state = denied
			return regForget | regSay
		case regReleased:
			r.state = none
			return regForget
		case regFailed:
			r.state = none
			return regForget | regSay | regRetry
		}
	case home:
		switch ev {
		case regBegin:
			r.state = searching
			return regClear | regResolve
		case regUnconfigured, regUnanswered:
			r.state = none
			return regSay
		case regDeregistered:
			r.state = none
			return regClear
		case regAcked:
			return regResetBackoff | regClear // a refresh
		case regRejected:
			r.state = denied
			return regForget | regSay
		case regReleased:
			r.state = none
			return regForget
		case regFailed:
			r.state = none
			return regForget | regSay | regRetry
		}
	case denied:
		switch ev {
		case regBegin:
			r.state = searching
			return regClear | regResolve
		case regUnconfigured:
			r.state = none
			return regSay
		case regDeregistered:
			r.state = none
			return regClear
		}
	}
	return 0
}

// regStep feeds ev to the registration machine: it publishes the new state
// once if the state changed, then runs the transition's actions. why is
// the error the event came with (nil for most), which say puts in words.
func (a *Agent) regStep(ev regEvent, why error) {
	if ev == regSent && a.reg.since.IsZero() {
		// The first REGREQ since the server last answered: if it goes
		// unanswered, the problem says since when.
		a.reg.since = a.opts.Clock.Now()
	}
	from := a.reg.state
	acts := a.reg.transition(ev)
	if to := a.reg.state; to != from {
		a.log.Info("registration transition", "from", from.String(), "event", ev.String(), "to", to.String())
		a.netreg.UpdateRegistrationState(to)
	}
	if acts&regForget != 0 {
		a.reg.cur = nil
	}
	if acts&regResetBackoff != 0 {
		a.reg.backoff = 0
	}
	if acts&regClear != 0 {
		a.reg.since = time.Time{}
		a.netreg.UpdateRegistrationProblem("")
	}
	if acts&regSay != 0 {
		text := a.reg.problem(ev, why)
		a.log.Warn("registration problem", "event", ev.String(), "problem", text)
		a.netreg.UpdateRegistrationProblem(text)
	}
	if acts&regResolve != 0 {
		a.resolveServer()
	}
	if acts&regStart != 0 {
		a.startRegistration()
	}
	if acts&regRetry != 0 {
		d := a.nextBackoff()
		a.log.Info("registration: next attempt", "in", d.String())
		a.scheduleRun(d, regAgain)
	}
}
