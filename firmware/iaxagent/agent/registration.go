package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony"
)

// registration is the agent's side of the account's registration; its
// state machine is in registration_fsm.go. Owned by the loop goroutine.
type registration struct {
	// state is what the service publishes as its registrationState. The
	// zero value is None, as a NetworkRegistration starts. Only
	// transition assigns it.
	state   telephony.RegistrationState
	want    bool // the user wants to be registered (auto or requested)
	mode    telephony.OperatorMode
	cur     *iax.Registration
	gen     int // bumped whenever cur is replaced: stale events are ignored
	timer   clock.Timer
	backoff time.Duration
	// server is where cur registers, resolved at the start of each run;
	// calls go there too.
	server netip.AddrPort
	// since is when the first REGREQ went out since the server last
	// answered (zero when it has, or none went out yet): what the
	// problem of an unanswered registration dates from.
	since time.Time
	// check is the timer of the next liveness check.
	check clock.Timer
}

// detach forgets the current registration (the caller releases it) and
// cancels a scheduled attempt.
func (r *registration) detach() *iax.Registration {
	cur := r.cur
	r.cur = nil
	r.gen++
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	return cur
}

// regImpl is the agent's NetworkRegistration implementation.
type regImpl struct{ a *Agent }

func (r regImpl) SetCurrentOperator(mode telephony.OperatorMode, id, technology string) {
	a := r.a
	a.do(func() {
		a.log.Info("setCurrentOperator", "mode", mode.String())
		a.reg.mode = mode
		if mode == telephony.OperatorModeDeregister {
			a.reg.want = false
		} else {
			a.reg.want = true
		}
		a.publishOperator()
		a.restartRegistration()
	})
}

// RequestAvailableOperators answers with an empty list: a VoIP account has
// no operators to choose from.
func (r regImpl) RequestAvailableOperators() {
	r.a.do(func() { r.a.netreg.AvailableOperators(nil) })
}

func (a *Agent) publishOperator() {
	name := ""
	if a.settings.Configured() {
		name = a.settings.Address()
	}
	a.netreg.UpdateCurrentOperator(a.reg.mode, name, "", "IAX2")
}

// restartRegistration releases the current registration, if any, and then
// begins a new run (or, not wanted any more, ends in None). The release
// completes (or times out) before the new REGREQ goes out, so the server
// never sees them reordered; the state stays as it was until then.
func (a *Agent) restartRegistration() {
	old := a.reg.detach()
	a.reg.backoff = 0
	gen := a.reg.gen
	next := func() {
		if gen == a.reg.gen && !a.stopped {
			a.beginRun(regBegin)
		}
	}
	if old == nil {
		next()
		return
	}
	a.spawn(func() {
		a.release(old)
		a.do(next)
	})
}

// beginRun feeds the machine the event a new run starts with: ev
// (regBegin, or regAgain after a backoff) when the settings name a server;
// unconfigured, with the reason, when Asterisk.conf was rejected.
func (a *Agent) beginRun(ev regEvent) {
	switch {
	case a.confErr != nil:
		// A rejected Asterisk.conf is said whether or not a registration
		// is wanted: it is what keeps one from starting.
		a.log.Warn("cannot register", "err", a.confErr)
		a.regStep(regUnconfigured, a.confErr)
	case !a.reg.want:
		a.regStep(regDeregistered, nil)
	case !configured(a.settings):
		a.log.Warn("cannot register", "err", ErrNotConfigured)
		a.regStep(regUnconfigured, ErrNotConfigured)
	default:
		a.regStep(ev, nil)
	}
}

// release ends a registration: REGREL if it is registered, else just
// stop trying. Bounded so a vanished server cannot hold us up.
func (a *Agent) release(r *iax.Registration) {
	if r.State() != iax.RegRegistered {
		r.Close()
		return
	}
	ctx, cancel := context.WithTimeout(a.ctx, 3*time.Second)
	defer cancel()
	if err := r.Release(ctx); err != nil {
		a.log.Warn("registration release", "err", err)
		r.Close()
	}
}

// scheduleRun begins a run with ev after d (regBegin after the start-up
// delay, regAgain after a backoff).
func (a *Agent) scheduleRun(d time.Duration, ev regEvent) {
	if a.reg.timer != nil {
		a.reg.timer.Stop()
	}
	gen := a.reg.gen
	a.reg.timer = a.opts.Clock.AfterFunc(d, func() {
		a.do(func() {
			if gen == a.reg.gen {
				a.reg.timer = nil
				a.beginRun(ev)
			}
		})
	})
}

// nextBackoff doubles the wait between failed runs within bounds.
func (a *Agent) nextBackoff() time.Duration {
	switch {
	case a.reg.backoff == 0:
		a.reg.backoff = a.opts.RetryMin
	case a.reg.backoff < a.opts.RetryMax:
		a.reg.backoff *= 2
	}
	a.reg.backoff = min(a.reg.backoff, a.opts.RetryMax)
	return a.reg.backoff
}

// resolveServer is the resolve action: it looks the server up off the
// loop and feeds the machine the outcome.
func (a *Agent) resolveServer() {
	gen := a.reg.gen
	s := a.settings
	a.spawn(func() {
		addr, err := a.resolve(s.Server, s.Port)
		a.do(func() {
			if gen != a.reg.gen {
				return
			}
			if err != nil {
				a.log.Warn("cannot resolve the server", "server", s.Server, "err", err)
				a.regStep(regUnreachable, &resolveError{Host: s.Server, Err: err})
				return
			}
			a.reg.server = addr
			a.regStep(regResolved, nil)
		})
	})
}

func (a *Agent) resolve(host string, port int) (netip.AddrPort, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(ip, uint16(port)), nil
	}
	ctx, cancel := context.WithTimeout(a.ctx, 5*time.Second)
	defer cancel()
	ips, err := a.opts.Resolver.LookupNetIP(ctx, "ip4", host)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if len(ips) == 0 {
		return netip.AddrPort{}, &net.DNSError{Err: "no address", Name: host}
	}
	return netip.AddrPortFrom(ips[0].Unmap(), uint16(port)), nil
}

// startRegistration is the start action: it hands the account to iax and
// forwards the registration's events to the loop.
func (a *Agent) startRegistration() {
	s, server := a.settings, a.reg.server
	r, err := a.ep.StartRegistration(iax.RegisterOptions{
		Server: server, Username: s.UserID, Secret: s.Password,
		Refresh:  time.Duration(s.Refresh) * time.Second,
		RetryMin: a.opts.RetryMin, RetryMax: a.opts.RetryMax,
	})
	if err != nil {
		a.log.Error("registration", "server", server.String(), "err", err)
		a.regStep(regUnreachable, err)
		return
	}
	a.reg.cur = r
	gen := a.reg.gen
	a.log.Info("registering", "server", server.String(), "user", s.UserID)
	a.spawn(func() {
		forward := func(ev iax.RegEvent) { a.do(func() { a.onRegEvent(gen, ev) }) }
		for {
			select {
			case ev := <-r.Events():
				forward(ev)
			case <-r.Done():
				// The last event is queued before Done closes.
				for {
					select {
					case ev := <-r.Events():
						forward(ev)
					default:
						return
					}
				}
			case <-a.ctx.Done():
				return
			}
		}
	})
}

// onRegEvent turns an iax registration event into the machine's event.
func (a *Agent) onRegEvent(gen int, ev iax.RegEvent) {
	if gen != a.reg.gen {
		return
	}
	switch ev.State {
	case iax.RegRegistering:
		a.regStep(regSent, nil)
	case iax.RegRegistered:
		a.log.Info("registered", "refresh", ev.Refresh.String(), "apparent", ev.Apparent.String())
		a.regStep(regAcked, nil)
	case iax.RegRetrying:
		a.log.Warn("registration unanswered; retrying", "err", ev.Err)
		a.regStep(regUnanswered, ev.Err)
	case iax.RegDenied:
		a.log.Warn("registration denied", "err", ev.Err)
		a.regStep(regRejected, ev.Err)
	case iax.RegReleased:
		a.regStep(regReleased, nil)
	case iax.RegFailed:
		a.log.Warn("registration failed; starting again", "err", ev.Err)
		a.regStep(regFailed, ev.Err)
	default:
		a.log.Error("unknown registration event", "state", strconv.Itoa(int(ev.State)), "err", fmt.Sprint(ev.Err))
	}
}

// scheduleCheck arms the next liveness check, CheckInterval from now.
func (a *Agent) scheduleCheck() {
	if a.opts.CheckInterval < 0 || a.stopped {
		return
	}
	a.reg.check = a.opts.Clock.AfterFunc(a.opts.CheckInterval, func() { a.do(a.checkServer) })
}

// checkServer asks the server of the current registration whether it is
// there (a POKE, off the loop), then arms the next check. It runs while a
// registration exists, whatever its state: a check that succeeds after
// one that failed is what makes iax register again at once, with a
// server that may have restarted and forgotten us. A failed one while
// Home is the unanswered event: None, and the problem says since when.
func (a *Agent) checkServer() {
	r := a.reg.cur
	if r == nil || a.stopped {
		a.scheduleCheck()
		return
	}
	gen, started := a.reg.gen, a.opts.Clock.Now()
	a.spawn(func() {
		ctx, cancel := context.WithTimeout(a.ctx, a.opts.CheckTimeout)
		rtt, err := r.Check(ctx)
		cancel()
		a.do(func() {
			a.onCheck(gen, started, rtt, err)
			a.scheduleCheck()
		})
	})
}

// onCheck feeds the machine what a liveness check found.
func (a *Agent) onCheck(gen int, started time.Time, rtt time.Duration, err error) {
	switch {
	case gen != a.reg.gen, errors.Is(err, context.Canceled), errors.Is(err, iax.ErrInvalidState):
		// Replaced, stopping, or the registration ended: its own
		// events say what happened.
	case err == nil:
		a.log.Debug("server answers", "server", a.reg.server.String(), "rtt", rtt.String())
	case a.reg.state == telephony.RegistrationHome:
		a.log.Warn("server does not answer the liveness check", "server", a.reg.server.String(), "err", err)
		if a.reg.since.IsZero() {
			a.reg.since = started
		}
		a.regStep(regUnanswered, err)
	default:
		a.log.Info("server still silent", "server", a.reg.server.String(), "err", err)
	}
}
