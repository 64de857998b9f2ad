package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/telephony"
)

// regStep feeds ev to the registration machine and publishes the change.
func (a *Agent) regStep(ev regEvent, st modem.RegStat) {
	from := a.reg.state
	acts := a.reg.transition(ev, st)
	to := a.reg.state
	if to != from {
		a.log.Info("registration transition", "from", from.String(), "event", ev.String(), "stat", st.String(), "to", to.String())
		a.netreg.UpdateRegistrationState(to)
	}
	if acts&regForget != 0 {
		a.reg.name, a.reg.id, a.reg.tech = "", "", ""
		a.publishOperator()
	}
	if acts&regOperator != 0 {
		a.queue("operator", a.queryOperator)
	}
	problem := ""
	if to == telephony.RegistrationDenied {
		problem = "the cellular network refused the registration (+CREG: 3): the SIM may not be allowed on it, " +
			"or choose another operator"
	}
	if problem != a.reg.problem {
		a.reg.problem = problem
		a.publishProblem()
	}
}

func (a *Agent) publishOperator() {
	a.netreg.UpdateCurrentOperator(a.reg.mode, a.reg.name, a.reg.id, a.reg.tech)
}

// queryRegistration is a job: AT+CREG? and its answer to the loop.
func (a *Agent) queryRegistration(ctx context.Context, ch *modem.Channel) {
	r, err := a.at(ctx, ch, "AT+CREG?")
	if err != nil {
		if !errors.Is(err, modem.ErrTimeout) && !errors.Is(err, errNoModem) {
			a.log.Warn("registration unknown", "err", err)
		}
		return
	}
	for _, l := range r.Lines {
		if reg, err := modem.ParseCREG(l, true); err == nil {
			a.do(func() {
				if a.link.ch == ch {
					a.regStep(regStat, reg.Stat)
				}
			})
			return
		}
	}
}

// queryOperator is a job: the operator's long name (AT+COPS=3,0), then
// its numeric id (AT+COPS=3,2), back to long names.
func (a *Agent) queryOperator(ctx context.Context, ch *modem.Channel) {
	get := func(format string) (modem.CurrentOperator, bool) {
		if _, err := a.at(ctx, ch, "AT+COPS=3,"+format); err != nil {
			return modem.CurrentOperator{}, false
		}
		r, err := a.at(ctx, ch, "AT+COPS?")
		if err != nil {
			return modem.CurrentOperator{}, false
		}
		for _, l := range r.Lines {
			if op, err := modem.ParseCOPS(l); err == nil {
				return op, true
			}
		}
		return modem.CurrentOperator{}, false
	}
	num, okNum := get("2")
	long, okLong := get("0")
	if !okNum && !okLong {
		return
	}
	a.do(func() {
		if a.link.ch != ch || !a.reg.state.Registered() {
			return
		}
		a.reg.name, a.reg.id = long.Name, num.Name
		a.reg.tech = modem.AcTName(max(long.AcT, num.AcT))
		a.log.Info("operator", "name", a.reg.name, "id", a.reg.id, "technology", a.reg.tech)
		a.publishOperator()
	})
}

// regImpl is the agent's NetworkRegistration implementation.
type regImpl struct{ a *Agent }

// SetCurrentOperator selects the operator: automatic (AT+COPS=0), manual
// (AT+COPS=1,2,"id"), manual then automatic (4) or deregistration (2).
func (r regImpl) SetCurrentOperator(mode telephony.OperatorMode, id, technology string) {
	a := r.a
	a.do(func() {
		var cmd string
		switch mode {
		case telephony.OperatorModeAutomatic:
			cmd = "AT+COPS=0"
		case telephony.OperatorModeDeregister:
			cmd = "AT+COPS=2"
		case telephony.OperatorModeManual, telephony.OperatorModeManualAutomatic:
			if id == "" || len(id) > 6 || strings.Trim(id, "0123456789") != "" {
				a.log.Warn("setCurrentOperator: not an operator id (5 or 6 digits, as the operator list gives them)",
					"mode", mode.String(), "id", telephony.Printable(id, 16))
				return
			}
			n := "1"
			if mode == telephony.OperatorModeManualAutomatic {
				n = "4"
			}
			cmd = fmt.Sprintf(`AT+COPS=%s,2,"%s"`, n, id)
		default:
			return
		}
		a.log.Info("setCurrentOperator", "mode", mode.String(), "id", id)
		a.queue("select operator", func(ctx context.Context, ch *modem.Channel) {
			_, err := a.atWithin(ctx, ch, cmd, a.opts.ScanTimeout)
			a.do(func() {
				if err != nil {
					a.log.Warn("operator selection refused", "cmd", cmd, "err", err)
					a.reg.problem = fmt.Sprintf("the modem refused the operator selection %s: %v", mode, err)
					a.publishProblem()
					return
				}
				a.reg.mode = mode
				a.reg.problem = ""
				a.publishOperator()
				a.publishProblem()
			})
			a.queryRegistration(ctx, ch)
		})
	})
}

// RequestAvailableOperators scans for operators (AT+COPS=?, which takes
// a modem up to minutes) and answers with the list.
func (r regImpl) RequestAvailableOperators() {
	a := r.a
	a.do(func() {
		a.queue("operator scan", func(ctx context.Context, ch *modem.Channel) {
			resp, err := a.atWithin(ctx, ch, "AT+COPS=?", a.opts.ScanTimeout)
			var list []telephony.AvailableOperator
			if err == nil {
				for _, l := range resp.Lines {
					ops, perr := modem.ParseOperators(l)
					if perr != nil {
						err = perr
						continue
					}
					for _, op := range ops {
						list = append(list, telephony.AvailableOperator{Availability: availability(op.Stat),
							Name: op.Long, ID: op.Num, Technology: modem.AcTName(op.AcT)})
					}
				}
			}
			if err != nil {
				a.log.Warn("operator scan", "err", err)
			}
			a.do(func() { a.netreg.AvailableOperators(list) })
		})
	})
}

func availability(st modem.OperatorStat) string {
	switch st {
	case modem.OperatorAvailable:
		return "Available"
	case modem.OperatorCurrent:
		return "Current"
	case modem.OperatorForbidden:
		return "Forbidden"
	}
	return "Unavailable"
}
