package agent

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony"
)

// The registration state machine, as the seed names its states:
//
//	None       nothing under way: not configured, deregistered, or the
//	           last attempt went unanswered (a retry is scheduled)
//	Searching  a REGREQ is in flight (each retry is Searching again)
//	Home       the server answered REGACK; iax refreshes before expiry
//	Denied     the server answered REGREJ; stays until the settings
//	           change or a register request comes
//
// Unlike iaxclient, an unanswered registration is retried for ever with
// backoff (iax's RetryMin..RetryMax), and a failed one is started again.
// Every transition happens on the agent's loop goroutine.
type registration struct {
	want    bool // the user wants to be registered (auto or requested)
	mode    telephony.OperatorMode
	cur     *iax.Registration
	gen     int // bumped whenever cur is replaced: stale events are ignored
	timer   clock.Timer
	backoff time.Duration
	// server is where cur registers, resolved once; calls go there too.
	server netip.AddrPort
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

func (a *Agent) setRegState(st telephony.RegistrationState) {
	if a.netreg.RegistrationState() != st {
		a.log.Info("registration state", "state", st.String())
	}
	a.netreg.UpdateRegistrationState(st)
}

// restartRegistration releases the current registration, if any, and then
// registers again if wanted. The release completes (or times out) before
// the new REGREQ goes out, so the server never sees them reordered.
func (a *Agent) restartRegistration() {
	old := a.reg.detach()
	a.reg.backoff = 0
	gen := a.reg.gen
	next := func() {
		if gen != a.reg.gen || a.stopped {
			return
		}
		if a.reg.want {
			a.register()
		} else {
			a.setRegState(telephony.RegistrationNone)
		}
	}
	if old == nil {
		next()
		return
	}
	go func() {
		a.release(old)
		a.do(next)
	}()
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

func (a *Agent) scheduleRegister(d time.Duration) {
	if a.reg.timer != nil {
		a.reg.timer.Stop()
	}
	gen := a.reg.gen
	a.reg.timer = a.opts.Clock.AfterFunc(d, func() {
		a.do(func() {
			if gen == a.reg.gen {
				a.reg.timer = nil
				a.register()
			}
		})
	})
}

// nextBackoff doubles the wait between failed attempts within bounds.
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

// register starts one registration run: resolve the server, then REGREQ.
func (a *Agent) register() {
	if !a.reg.want || a.stopped {
		return
	}
	if !a.settings.Configured() {
		a.log.Warn("cannot register", "err", ErrNotConfigured)
		a.setRegState(telephony.RegistrationNone)
		return
	}
	a.setRegState(telephony.RegistrationSearching)
	gen := a.reg.gen
	s := a.settings
	go func() {
		addr, err := a.resolve(s.Server, s.Port)
		a.do(func() {
			if gen != a.reg.gen {
				return
			}
			if err != nil {
				a.log.Warn("cannot resolve the server", "server", s.Server, "err", err)
				a.setRegState(telephony.RegistrationNone)
				a.scheduleRegister(a.nextBackoff())
				return
			}
			a.startRegistration(addr)
		})
	}()
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

func (a *Agent) startRegistration(server netip.AddrPort) {
	s := a.settings
	r, err := a.ep.StartRegistration(iax.RegisterOptions{
		Server: server, Username: s.UserID, Secret: s.Password,
		Refresh:  time.Duration(s.Refresh) * time.Second,
		RetryMin: a.opts.RetryMin, RetryMax: a.opts.RetryMax,
	})
	if err != nil {
		a.log.Error("registration", "server", server.String(), "err", err)
		a.setRegState(telephony.RegistrationNone)
		a.scheduleRegister(a.nextBackoff())
		return
	}
	a.reg.cur, a.reg.server = r, server
	gen := a.reg.gen
	a.log.Info("registering", "server", server.String(), "user", s.UserID)
	go func() {
		for {
			select {
			case ev, ok := <-r.Events():
				if !ok {
					return
				}
				a.do(func() { a.onRegEvent(gen, ev) })
			case <-a.ctx.Done():
				return
			}
		}
	}()
}

// onRegEvent is the one place registration events become states.
func (a *Agent) onRegEvent(gen int, ev iax.RegEvent) {
	if gen != a.reg.gen {
		return
	}
	switch ev.State {
	case iax.RegRegistering:
		a.setRegState(telephony.RegistrationSearching)
	case iax.RegRegistered:
		a.reg.backoff = 0
		a.log.Info("registered", "refresh", ev.Refresh.String(), "apparent", ev.Apparent.String())
		a.setRegState(telephony.RegistrationHome)
	case iax.RegRetrying:
		a.log.Warn("registration unanswered; retrying", "err", ev.Err)
		a.setRegState(telephony.RegistrationNone)
	case iax.RegDenied:
		a.log.Warn("registration denied", "err", ev.Err)
		a.reg.cur = nil
		a.setRegState(telephony.RegistrationDenied)
	case iax.RegReleased:
		a.reg.cur = nil
		a.setRegState(telephony.RegistrationNone)
	case iax.RegFailed:
		a.reg.cur = nil
		d := a.nextBackoff()
		a.log.Warn("registration failed; starting again", "err", ev.Err, "in", d.String())
		a.setRegState(telephony.RegistrationNone)
		a.scheduleRegister(d)
	default:
		a.log.Error("unknown registration event", "state", strconv.Itoa(int(ev.State)), "err", fmt.Sprint(ev.Err))
	}
}
