package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
)

func controlErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrControl, fmt.Sprintf(format, args...))
}

// ControlHelp lists the control commands, for -h and the "help" command.
const ControlHelp = `control commands (one a line; on the control socket, standard input or in a script):
  ring NUMBER [NAME...]   a call from NUMBER (waiting if a call exists): RING, +CLIP / +CCWA
  answer [IDX]            the far end of the outgoing call (default the newest) answers
  alert [IDX]             the far end of the outgoing call rings
  drop [IDX]              the far end hangs up (default the newest call): NO CARRIER
  busy [IDX]              the far end is busy: BUSY
  register [home|roaming] the network takes the modem (default home)
  deregister | search | deny | unknown
                          the network drops the modem, is searched for, refuses it, is unknown
  sim ready|absent|pin|puk
                          the SIM card (pin: locked again)
  ecc NUMBER,... [usim|gsm]
                          the SIM's EF_ECC list and how it is stored
  number NUMBER BEHAVIOUR the far end of NUMBER: answer, ring, busy, reject, fail, hangup
  echo on|off             the modem's echo (as ATE1, ATE0)
  slow DURATION           answer every command after DURATION (0: at once)
  mute | unmute           stop answering commands (the line stays), answer again
  vanish [DURATION]       the modem goes away (its pty or socket closes), back after DURATION
  return                  the modem comes back (a fresh power-up)
  garbage BYTES           send BYTES of noise
  send LINE...            send LINE as it is (an unsolicited result)
  calls                   the calls, as AT+CLCC lists them
  status                  registration, SIM, radio and calls in one line
  wait DURATION           (scripts only) pause
  help                    this text`

// Control runs one control command and returns what it says.
func (m *Modem) Control(ctx context.Context, cmd string) (string, error) {
	f := strings.Fields(cmd)
	if len(f) == 0 || strings.HasPrefix(f[0], "#") {
		return "", nil
	}
	m.log.Info("control", "cmd", modem.Redact(cmd))
	arg := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	switch f[0] {
	case "help":
		return ControlHelp, nil
	case "garbage":
		n, err := strconv.Atoi(arg(1))
		if err != nil || n <= 0 {
			return "", controlErr("garbage %q: want a number of bytes", arg(1))
		}
		return "", m.garbage(ctx, n)
	case "wait":
		return "", controlErr("wait works in scripts only")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch f[0] {
	case "ring":
		if arg(1) == "" {
			return "", controlErr("ring: which number calls? (ring NUMBER [NAME...])")
		}
		c, err := m.incomingLocked(arg(1), strings.Join(f[min(2, len(f)):], " "))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("call %d %s", c.idx, c.stat), nil
	case "answer", "alert", "drop", "busy":
		c, err := m.pickLocked(f[0], arg(1))
		if err != nil {
			return "", err
		}
		switch f[0] {
		case "answer":
			if !c.mo {
				return "", controlErr("answer: call %d is incoming: the modem answers it (ATA)", c.idx)
			}
			m.farAnswerLocked(c)
		case "alert":
			if c.stat == modem.CallDialing {
				c.stat = modem.CallAlerting
			}
		case "drop":
			m.removeLocked(c, modem.ResultNoCarrier, "normal call clearing")
		case "busy":
			m.removeLocked(c, modem.ResultBusy, "user busy")
		}
		return fmt.Sprintf("call %d %s", c.idx, c.stat), nil
	case "register", "deregister", "search", "deny", "unknown":
		st := map[string]modem.RegStat{"register": modem.RegHome, "deregister": modem.RegNotSearching,
			"search": modem.RegSearching, "deny": modem.RegDenied, "unknown": modem.RegUnknown}[f[0]]
		switch {
		case f[0] == "register" && arg(1) == "roaming":
			st = modem.RegRoaming
		case f[0] == "register" && arg(1) != "" && arg(1) != "home":
			return "", controlErr("register %q: want home or roaming", arg(1))
		}
		m.network = st
		m.updateRegLocked()
		return "network " + st.String(), nil
	case "sim":
		st := SIMState(arg(1))
		switch st {
		case SIMReady, SIMAbsent, SIMPUK:
		case SIMPIN:
			if m.pin == "" {
				return "", controlErr("sim pin: the modem has no PIN to ask for (start it with -pin)")
			}
		default:
			return "", controlErr("sim %q: want ready, absent, pin or puk", arg(1))
		}
		m.sim = st
		m.updateRegLocked()
		return "sim " + string(st), nil
	case "ecc":
		list := strings.Split(arg(1), ",")
		if arg(1) == "" {
			list = nil
		}
		file := m.eccFile
		if arg(2) != "" {
			file = arg(2)
		}
		c := Config{ECC: list, ECCFile: file}
		if err := c.Check(); err != nil {
			return "", err
		}
		m.ecc, m.eccFile = list, file
		return "ecc " + strings.Join(list, ",") + " " + file, nil
	case "number":
		b, err := ParseBehaviour(arg(2))
		if err != nil || arg(1) == "" {
			return "", controlErr("number NUMBER BEHAVIOUR: %v", err)
		}
		m.numbers[arg(1)] = b
		return "number " + arg(1) + " " + string(b), nil
	case "echo":
		switch arg(1) {
		case "on", "off":
			m.echo = arg(1) == "on"
			return "echo " + arg(1), nil
		}
		return "", controlErr("echo %q: want on or off", arg(1))
	case "slow":
		d, err := time.ParseDuration(arg(1))
		if err != nil || d < 0 {
			return "", controlErr("slow %q: want a duration such as 2s (0 for none)", arg(1))
		}
		m.delay = d
		return "slow " + d.String(), nil
	case "mute", "unmute":
		m.mute = f[0] == "mute"
		return f[0] + "d", nil
	case "vanish":
		var d time.Duration
		if arg(1) != "" {
			var err error
			if d, err = time.ParseDuration(arg(1)); err != nil || d <= 0 {
				return "", controlErr("vanish %q: want a duration such as 2s", arg(1))
			}
		}
		m.setPresentLocked(false)
		if d > 0 {
			m.back = m.clk.AfterFunc(d, func() {
				m.mu.Lock()
				defer m.mu.Unlock()
				m.setPresentLocked(true)
			})
		}
		return "vanished", nil
	case "return":
		m.setPresentLocked(true)
		return "back", nil
	case "send":
		if len(f) < 2 {
			return "", controlErr("send: what line?")
		}
		m.emitLocked(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cmd), "send")))
		return "sent", nil
	case "calls":
		lines, _ := m.clccLocked(ext{})
		return strings.Join(lines, "\n"), nil
	case "status":
		return m.statusLocked(), nil
	}
	return "", controlErr("unknown control command %q (help lists them)", f[0])
}

// pickLocked finds the call a control names, by index or the newest.
func (m *Modem) pickLocked(what, idx string) (*call, error) {
	if len(m.calls) == 0 {
		return nil, controlErr("%s: there is no call", what)
	}
	if idx == "" {
		return m.calls[len(m.calls)-1], nil
	}
	n, err := strconv.Atoi(idx)
	if err != nil {
		return nil, controlErr("%s %q: want a call index (calls lists them)", what, idx)
	}
	if c := m.callLocked(n); c != nil {
		return c, nil
	}
	return nil, controlErr("%s: no call %d", what, n)
}

func (m *Modem) statusLocked() string {
	var calls []string
	for _, c := range m.calls {
		calls = append(calls, fmt.Sprintf("%d:%s:%s", c.idx, c.stat, c.number))
	}
	slices.Sort(calls)
	return fmt.Sprintf("present=%v radio=%d sim=%s registration=%s network=%s echo=%v mute=%v calls=[%s]",
		m.present, m.cfun, m.sim, m.stat, m.network, m.echo, m.mute, strings.Join(calls, " "))
}

// garbage sends n bytes of noise: random bytes in lines of random length.
func (m *Modem) garbage(ctx context.Context, n int) error {
	m.mu.Lock()
	l := m.line
	m.mu.Unlock()
	if l == nil {
		return controlErr("garbage: nobody is connected")
	}
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for n > 0 {
		chunk := make([]byte, min(n, 4096))
		for i := range chunk {
			chunk[i] = byte(r.Uint32())
		}
		if !l.sendWait(ctx, chunk) {
			return controlErr("garbage: the line closed")
		}
		n -= len(chunk)
	}
	l.send([]byte("\r\n"))
	return nil
}

// RunScript runs control commands one a line; "wait DURATION" pauses on
// the modem's clock. It stops at the first error, naming the line.
func (m *Modem) RunScript(ctx context.Context, script string) error {
	for i, ln := range strings.Split(script, "\n") {
		f := strings.Fields(ln)
		if len(f) == 2 && f[0] == "wait" {
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return fmt.Errorf("%w: script line %d: wait %q: want a duration", ErrConfig, i+1, f[1])
			}
			done := make(chan struct{})
			t := m.clk.AfterFunc(d, func() { close(done) })
			select {
			case <-done:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
			continue
		}
		if _, err := m.Control(ctx, ln); err != nil {
			return fmt.Errorf("script line %d: %w", i+1, err)
		}
	}
	return nil
}
