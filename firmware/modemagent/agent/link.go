package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
)

// linkStep feeds ev to the link machine and runs the transition's
// actions; why is the error the event came with.
func (a *Agent) linkStep(ev linkEvent, why error) {
	from := a.link.state
	acts := a.link.transition(ev)
	to := a.link.state
	if to != from || acts != 0 {
		args := []any{"from", from.String(), "event", ev.String(), "to", to.String()}
		if why != nil {
			args = append(args, "err", why.Error())
		}
		a.log.Info("modem link transition", args...)
	}
	if acts&linkClose != 0 && a.link.ch != nil {
		ch := a.link.ch
		a.link.ch = nil
		a.link.gen++
		go ch.Close() // waits for its reader: not on the loop
	}
	if acts&linkLoseCalls != 0 {
		a.loseCalls(why)
	}
	if acts&linkSay != 0 {
		if a.link.since.IsZero() {
			a.link.since = a.opts.Clock.Now()
		}
		a.link.problem = a.linkProblem(ev, why)
		a.log.Warn("modem problem", "problem", a.link.problem)
	}
	if acts&linkClear != 0 {
		a.link.problem, a.link.since = "", time.Time{}
	}
	if acts&linkResetBackoff != 0 {
		a.link.backoff = 0
	}
	if acts&linkRetry != 0 {
		d := a.nextBackoff()
		a.log.Info("modem: next attempt", "in", d.String())
		a.link.stopTimer()
		a.link.timer = a.after(d, func() {
			a.link.timer = nil
			if !a.stopped {
				a.linkStep(linkStart, nil)
			}
		})
	}
	if acts&linkOpen != 0 {
		a.openPort()
	}
	if acts&linkSetup != 0 {
		a.setupModem()
	}
	if acts&linkFollow != 0 {
		a.checkSIM()
		a.readECC()
		a.queue("registration", a.queryRegistration)
		a.pollCalls(true)
		a.scheduleKeepalive()
	}
	if to != linkUp {
		// Without a modem there is no registration and no SIM to speak of.
		a.simStep(simLinkDown)
		a.regStep(regLinkDown, modem.RegNotSearching)
	}
	a.publishProblem()
	a.publishValid()
}

func (a *Agent) nextBackoff() time.Duration {
	switch {
	case a.link.backoff == 0:
		a.link.backoff = a.opts.RetryMin
	case a.link.backoff < a.opts.RetryMax:
		a.link.backoff *= 2
	}
	a.link.backoff = min(a.link.backoff, a.opts.RetryMax)
	return a.link.backoff
}

// linkProblem says what is wrong with the link, in words to act on.
func (a *Agent) linkProblem(ev linkEvent, why error) string {
	since := a.link.since.Format("15:04:05")
	switch ev {
	case linkOpenFailed:
		return fmt.Sprintf("cannot open the modem's port %s since %s: %v; check the port (-port) and that the modem is powered",
			a.opts.Port, since, why)
	case linkSetupFailed:
		return fmt.Sprintf("the modem at %s does not answer since %s: %v", a.opts.Port, since, why)
	case linkLost:
		if errors.Is(why, modem.ErrLost) {
			return fmt.Sprintf("the modem at %s vanished at %s (its port closed); waiting for it to return", a.opts.Port, since)
		}
		return fmt.Sprintf("the modem at %s stopped answering at %s; trying it again", a.opts.Port, since)
	}
	return fmt.Sprintf("the modem at %s is not available since %s", a.opts.Port, since)
}

// openPort opens the port off the loop, then feeds opened or open-failed.
func (a *Agent) openPort() {
	gen := a.link.gen
	a.spawn(func() {
		port, err := a.opts.Open()
		if err != nil {
			a.do(func() {
				if gen == a.link.gen {
					a.linkStep(linkOpenFailed, err)
				}
			})
			return
		}
		ch := modem.NewChannel(port, modem.Options{Logger: a.opts.Logger, Clock: a.opts.Clock,
			Timeout: a.opts.CommandTimeout, Settle: a.opts.Settle})
		if !a.do(func() {
			if gen != a.link.gen || a.stopped {
				go ch.Close()
				return
			}
			a.link.ch = ch
			a.watchURCs(ch)
			a.linkStep(linkOpened, nil)
		}) {
			ch.Close()
		}
	})
}

// watchURCs forwards ch's URCs to the loop; when ch ends, the link is
// lost (unless it was closed on purpose meanwhile).
func (a *Agent) watchURCs(ch *modem.Channel) {
	a.spawn(func() {
		for {
			select {
			case u, ok := <-ch.URCs():
				if !ok {
					a.do(func() {
						if a.link.ch == ch {
							a.linkStep(linkLost, ch.Err())
						}
					})
					return
				}
				a.do(func() {
					if a.link.ch == ch {
						a.onURC(u)
					}
				})
			case <-a.ctx.Done():
				return
			}
		}
	})
}

// setupModem queues the set-up: the modem answers AT, echo off, numeric
// errors, the URCs the agent follows, long operator names, the radio as
// flight mode wants it. A failure of AT or of the radio is the link's;
// what a modem does not support is only logged.
func (a *Agent) setupModem() {
	gen := a.link.gen
	radio := "AT+CFUN=1"
	if a.flight {
		radio = "AT+CFUN=4"
	}
	a.queue("setup", func(ctx context.Context, ch *modem.Channel) {
		fail := func(err error) {
			a.do(func() {
				if gen == a.link.gen {
					a.linkStep(linkSetupFailed, err)
				}
			})
		}
		for _, cmd := range []string{"AT", "ATE0", "AT+CMEE=1", "AT+CREG=1", "AT+CLIP=1", "AT+CCWA=1", "AT+COPS=3,0", radio} {
			_, err := a.at(ctx, ch, cmd)
			var re *modem.ResultError
			switch {
			case err == nil:
			case errors.As(err, &re) && cmd != "AT" && cmd != radio:
				a.log.Warn("modem set-up: command refused", "cmd", cmd, "err", err)
			default:
				fail(err)
				return
			}
		}
		a.do(func() {
			if gen == a.link.gen {
				a.linkStep(linkReady, nil)
			}
		})
	})
}

// scheduleKeepalive asks the modem for its registration every KeepAlive,
// and its SIM while that waits for something: the modem's silence is
// found even when nothing else happens.
func (a *Agent) scheduleKeepalive() {
	if a.keepalive != nil {
		a.keepalive.Stop()
	}
	a.keepalive = a.after(a.opts.KeepAlive, func() {
		a.keepalive = nil
		if a.stopped || a.link.state != linkUp {
			return
		}
		a.queue("keepalive", a.queryRegistration)
		if a.sim.state != simReady {
			a.checkSIM()
		}
		a.scheduleKeepalive()
	})
}

// publishProblem publishes the first of the link's, the SIM's and the
// registration's problems ("" removes it).
func (a *Agent) publishProblem() {
	p := a.link.problem
	if p == "" {
		p = a.sim.problem
	}
	if p == "" {
		p = a.reg.problem
	}
	a.netreg.UpdateRegistrationProblem(p)
}

// publishValid: the service is ready when the modem answers and the SIM
// is unlocked. (Emergency calls need neither: the policy does not ask.)
func (a *Agent) publishValid() {
	a.checker.SetValid(a.link.state == linkUp && a.sim.state == simReady)
}

// onURC handles one unsolicited result code.
func (a *Agent) onURC(u modem.URC) {
	switch u.Name {
	case "RING", "+CRING":
		a.pollCalls(false)
	case "+CLIP", "+CCWA":
		var id modem.CallerID
		var err error
		if u.Name == "+CLIP" {
			id, err = modem.ParseCLIP(u.Line)
		} else {
			id, err = modem.ParseCCWA(u.Line)
		}
		if err != nil {
			a.log.Warn("caller id does not parse", "line", u.Line, "err", err)
			break
		}
		a.callerName(id.Number, id.Alpha)
		a.pollCalls(true)
	case "NO CARRIER", "BUSY", "NO ANSWER":
		a.lastEnd = u.Name
		a.pollCalls(true)
	case "+CLCC", "+CIEV", "+CSSI", "+CSSU":
		a.pollCalls(true)
	case "+CREG":
		r, err := modem.ParseCREG(u.Line, false)
		if err != nil {
			a.log.Warn("+CREG does not parse", "line", u.Line, "err", err)
			break
		}
		a.regStep(regStat, r.Stat)
	case "+CPIN":
		a.checkSIM()
	case "RDY", "+QUSIM", "^SYSSTART":
		a.log.Warn("the modem booted again", "line", u.Line)
		a.linkStep(linkReset, fmt.Errorf("the modem restarted (%s)", u.Line))
	default:
		a.log.Debug("urc ignored", "line", modem.Redact(u.Line))
	}
}
