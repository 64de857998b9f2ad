package agent

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ringo-phone/ringo/drivers/modem"
)

// simStep feeds ev to the SIM machine and runs its actions; pin is the
// PIN to send (simAnswerPIN only), why what the modem said.
func (a *Agent) simStep(ev simEvent, pin ...string) {
	from := a.sim.state
	acts := a.sim.transition(ev)
	if to := a.sim.state; to != from {
		a.log.Info("SIM transition", "from", from.String(), "event", ev.String(), "to", to.String())
	}
	if acts&simClear != 0 {
		a.sim.problem = ""
	}
	if acts&simSay != 0 {
		a.sim.problem = a.simProblem()
	}
	if acts&simSend != 0 && len(pin) == 1 {
		a.sendPIN(pin[0])
	}
	if acts&simAsk != 0 {
		a.checkSIM()
	}
	a.publishProblem()
	a.publishValid()
}

// pinPath is where the PIN is kept.
func (a *Agent) pinPath() string { return filepath.Join(a.opts.ConfigDir, PINFile) }

// simProblem says what the SIM needs, in words to act on.
func (a *Agent) simProblem() string {
	switch a.sim.state {
	case simAbsent:
		return "no SIM card in the modem: only emergency calls can be placed; insert a SIM card"
	case simLocked:
		_, why := readPIN(a.pinPath())
		return fmt.Sprintf("the SIM is locked with a PIN: %v", why)
	case simRefused:
		return fmt.Sprintf("the SIM did not accept the PIN in %s; it is not tried again, as three wrong "+
			"PINs block the SIM: put the right PIN in the file", a.pinPath())
	case simBlocked:
		return "the SIM is blocked and needs its PUK: unblock it in another phone or ask the operator; " +
			"the agent sends it nothing (only emergency calls can be placed)"
	case simFailed:
		return fmt.Sprintf("the SIM cannot be used (the modem says %q): only emergency calls can be placed", a.sim.code)
	}
	return ""
}

// checkSIM asks the modem what the SIM needs (AT+CPIN?).
func (a *Agent) checkSIM() {
	gen := a.link.gen
	a.queue("sim", func(ctx context.Context, ch *modem.Channel) {
		r, err := a.at(ctx, ch, "AT+CPIN?")
		a.do(func() {
			if gen == a.link.gen {
				a.onCPIN(r, err)
			}
		})
	})
}

func (a *Agent) onCPIN(r modem.Response, err error) {
	if code, ok := modem.CMECode(err); ok {
		switch code {
		case modem.CMESIMNotInserted:
			a.simStep(simAnswerAbsent)
		case modem.CMESIMPINRequired:
			a.pinNeeded()
		case modem.CMESIMPUKRequired:
			a.simStep(simAnswerPUK)
		case modem.CMESIMBusy:
			// Still starting: the keepalive asks again.
		default:
			a.sim.code = "+CME ERROR: " + fmt.Sprint(code)
			a.simStep(simAnswerOther)
		}
		return
	}
	if err != nil {
		a.log.Warn("SIM state unknown", "err", err)
		return
	}
	code := ""
	for _, l := range r.Lines {
		if c, err := modem.ParseCPIN(l); err == nil {
			code = c
		}
	}
	switch code {
	case modem.PINReady, "SIM PIN2", "SIM PUK2":
		a.simStep(simAnswerReady)
		a.queue("registration", a.queryRegistration)
	case modem.PINSIM:
		a.pinNeeded()
	case modem.PUKSIM:
		a.simStep(simAnswerPUK)
	default:
		a.sim.code = code
		a.simStep(simAnswerOther)
	}
}

// pinNeeded reads modem-pin: a PIN the SIM has not refused is sent, else
// the SIM stays locked and the problem says why.
func (a *Agent) pinNeeded() {
	if a.sim.state == simUnlocking {
		return // the answer to the PIN sent is on its way
	}
	pin, why := readPIN(a.pinPath())
	if why != nil {
		a.log.Warn("SIM PIN needed", "err", why)
		a.simStep(simAnswerNoPIN)
		return
	}
	if a.sim.state == simRefused && sha256.Sum256([]byte(pin)) == a.sim.refused {
		a.simStep(simAnswerNoPIN)
		return
	}
	a.simStep(simAnswerPIN, pin)
}

// sendPIN sends the PIN once; the channel's trace shows AT+CPIN=****.
func (a *Agent) sendPIN(pin string) {
	gen := a.link.gen
	digest := sha256.Sum256([]byte(pin))
	cmd := `AT+CPIN="` + pin + `"`
	a.log.Info("sending the SIM's PIN from " + a.pinPath())
	a.queue("pin", func(ctx context.Context, ch *modem.Channel) {
		_, err := a.at(ctx, ch, cmd)
		a.do(func() {
			if gen != a.link.gen {
				return
			}
			code, isCME := modem.CMECode(err)
			switch {
			case err == nil:
				a.log.Info("the SIM accepted the PIN")
				a.simStep(simAccepted)
			case isCME && code == modem.CMEIncorrectPassword:
				a.sim.refused = digest
				a.log.Warn("the SIM refused the PIN", "err", err)
				a.simStep(simRefusedPIN)
			case isCME && code == modem.CMESIMPUKRequired:
				a.simStep(simAnswerPUK)
			default:
				// Not an answer about the PIN (a timeout, a lost modem):
				// ask again what the SIM needs.
				a.log.Warn("PIN not answered", "err", err)
				a.sim.refused = digest // never risk a second try of the same PIN unseen
				a.simStep(simRefusedPIN)
			}
		})
	})
}

// readPIN reads the PIN from path: a file only its owner may read (mode
// 0600), holding 4 to 8 digits. The error says what to do; it never
// holds the file's content.
func readPIN(path string) (string, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%w: no %s: write the PIN there (mode 0600)", ErrPIN, path)
	case err != nil:
		return "", fmt.Errorf("%w: %w", ErrPIN, err)
	case fi.Mode().Perm()&0o077 != 0:
		return "", fmt.Errorf("%w: %s may be read by others (mode %04o): chmod 600 %s", ErrPIN, path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrPIN, err)
	}
	pin := strings.TrimSpace(string(b))
	if len(pin) < 4 || len(pin) > 8 || strings.Trim(pin, "0123456789") != "" {
		return "", fmt.Errorf("%w: %s does not hold a PIN (4 to 8 digits)", ErrPIN, path)
	}
	return pin, nil
}
