package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/clock"
)

// SIMState is what the SIM card is: ready, absent, or locked.
type SIMState string

// SIM states.
const (
	SIMReady  SIMState = "ready"
	SIMAbsent SIMState = "absent"
	SIMPIN    SIMState = "pin" // PIN needed
	SIMPUK    SIMState = "puk" // blocked: PUK needed
)

// Behaviour is what the far end of an outgoing call does.
type Behaviour string

// Behaviours of the far end.
const (
	Answer Behaviour = "answer" // rings, then answers after AnswerAfter
	Ring   Behaviour = "ring"   // rings until told ("answer", "drop")
	Busy   Behaviour = "busy"   // BUSY once it would ring
	Reject Behaviour = "reject" // NO CARRIER once it would ring
	Fail   Behaviour = "fail"   // ATD fails at once: NO CARRIER
	Hangup Behaviour = "hangup" // answers, then hangs up after AnswerAfter
)

var behaviours = []Behaviour{Answer, Ring, Busy, Reject, Fail, Hangup}

// ParseBehaviour parses a Behaviour's name.
func ParseBehaviour(s string) (Behaviour, error) {
	for _, b := range behaviours {
		if string(b) == s {
			return b, nil
		}
	}
	return "", fmt.Errorf("%w: far end %q: want one of %v", ErrConfig, s, behaviours)
}

// Config is the modem's starting state and timing. Zero values give
// the defaults.
type Config struct {
	// Echo is the echo of commands after a power-up (ATE1 is what
	// modems start with; NoEcho turns it off).
	NoEcho bool
	// SIM is the SIM card (default ready, or pin when PIN is set).
	SIM SIMState
	// PIN and PUK unlock the SIM (default PUK 12345678).
	PIN, PUK string
	// Network is what registering gives (default home): home, roaming,
	// searching, denied, not-searching or unknown.
	Network modem.RegStat
	// Operators are the networks in range; the first is home (default
	// Ringo Mobile 00101, Other Net 00102, Forbidden Net 00103).
	Operators []modem.Operator
	// ECC is the SIM's EF_ECC list (at most 5 numbers for a GSM SIM);
	// ECCFile says how it is stored: "usim" (records, the default) or
	// "gsm" (a transparent file).
	ECC     []string
	ECCFile string
	// RegisterDelay is how long registering takes (default 200 ms).
	RegisterDelay time.Duration
	// AlertAfter is when an outgoing call's far end rings (default
	// 100 ms); AnswerAfter when it then answers (default 300 ms).
	AlertAfter, AnswerAfter time.Duration
	// RingInterval repeats RING for an incoming call (default 1 s).
	RingInterval time.Duration
	// Numbers give the far end of some numbers another Behaviour than
	// Answer.
	Numbers map[string]Behaviour
	Clock   clock.Clock
	// Logger gets the modem's events (category modem), and every command
	// line received as msg=at cmd=... unless Commands is set.
	Logger *slog.Logger
	// Commands, when set, gets every command line received, one a line.
	Commands io.Writer
}

func (c *Config) defaults() {
	if c.SIM == "" {
		c.SIM = SIMReady
		if c.PIN != "" {
			c.SIM = SIMPIN
		}
	}
	if c.PUK == "" {
		c.PUK = "12345678"
	}
	if c.Network == 0 {
		c.Network = modem.RegHome
	}
	if len(c.Operators) == 0 {
		c.Operators = []modem.Operator{
			{Stat: modem.OperatorAvailable, Long: "Ringo Mobile", Short: "Ringo", Num: "00101", AcT: 7},
			{Stat: modem.OperatorAvailable, Long: "Other Net", Short: "Other", Num: "00102", AcT: 7},
			{Stat: modem.OperatorForbidden, Long: "Forbidden Net", Short: "Forbid", Num: "00103", AcT: 0},
		}
	}
	if c.ECCFile == "" {
		c.ECCFile = "usim"
	}
	if c.RegisterDelay == 0 {
		c.RegisterDelay = 200 * time.Millisecond
	}
	if c.AlertAfter == 0 {
		c.AlertAfter = 100 * time.Millisecond
	}
	if c.AnswerAfter == 0 {
		c.AnswerAfter = 300 * time.Millisecond
	}
	if c.RingInterval == 0 {
		c.RingInterval = time.Second
	}
	if c.Clock == nil {
		c.Clock = clock.Real()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Check refuses a configuration the modem cannot hold.
func (c Config) Check() error {
	switch c.SIM {
	case "", SIMReady, SIMAbsent, SIMPIN, SIMPUK:
	default:
		return fmt.Errorf("%w: SIM %q: want ready, absent, pin or puk", ErrConfig, c.SIM)
	}
	if c.SIM == SIMPIN && c.PIN == "" {
		return fmt.Errorf("%w: a SIM locked with a PIN needs the PIN (-pin)", ErrConfig)
	}
	switch c.ECCFile {
	case "", "usim", "gsm":
	default:
		return fmt.Errorf("%w: EF_ECC file %q: want usim or gsm", ErrConfig, c.ECCFile)
	}
	if c.ECCFile == "gsm" && len(c.ECC) > 5 {
		return fmt.Errorf("%w: a GSM SIM's EF_ECC holds 5 numbers, not %d", ErrConfig, len(c.ECC))
	}
	for _, n := range c.ECC {
		if _, err := modem.EncodeECC(n); err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	return nil
}

// Modem is the simulated modem.
type Modem struct {
	cfg Config
	log *slog.Logger
	clk clock.Clock

	cmdMu sync.Mutex // orders the command log's lines

	mu sync.Mutex
	// Settings a power-up resets.
	echo                  bool
	cmee                  int
	cregN, cgregN, ceregN int
	clip, ccwa, crc       bool
	copsFormat            int
	cfun                  int
	copsMode              int
	copsOper              string // numeric id of a manual choice
	sim                   SIMState
	pin                   string
	pinTries, pukTries    int
	ecc                   []string
	eccFile               string
	network               modem.RegStat
	stat                  modem.RegStat // what +CREG says now
	regTimer              clock.Timer
	calls                 []*call
	lastCause             string
	// Driven by control commands.
	mute     bool
	delay    time.Duration
	present  bool
	presence chan struct{} // closed and replaced when present changes
	back     clock.Timer   // a timed vanish's return
	line     *line
	numbers  map[string]Behaviour
}

// New returns a powered-up modem in cfg's state; serve it a line with
// Serve, ServePTY or ServeSocket.
func New(cfg Config) (*Modem, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg.defaults()
	m := &Modem{cfg: cfg, log: cfg.Logger.With("category", "modem"), clk: cfg.Clock,
		present: true, presence: make(chan struct{}), numbers: map[string]Behaviour{}}
	for n, b := range cfg.Numbers {
		m.numbers[n] = b
	}
	m.sim, m.pin, m.network = cfg.SIM, cfg.PIN, cfg.Network
	m.ecc, m.eccFile = append([]string(nil), cfg.ECC...), cfg.ECCFile
	m.mu.Lock()
	m.powerUpLocked()
	m.mu.Unlock()
	return m, nil
}

// powerUpLocked is a modem's boot: settings to their defaults, no calls,
// the radio on, a PIN asked for again, registration begun.
func (m *Modem) powerUpLocked() {
	m.echo = !m.cfg.NoEcho
	m.cmee, m.cregN, m.cgregN, m.ceregN = 0, 0, 0, 0
	m.clip, m.ccwa, m.crc = false, false, false
	m.copsFormat, m.copsMode, m.copsOper = 0, 0, ""
	m.cfun = 1
	for _, c := range m.calls {
		c.stop()
	}
	m.calls = nil
	if m.sim == SIMReady && m.pin != "" {
		m.sim = SIMPIN
	}
	m.pinTries, m.pukTries = 3, 10
	m.stat = modem.RegNotSearching
	m.updateRegLocked()
}

// Present reports whether the modem is there (not vanished), and a
// channel closed when that changes.
func (m *Modem) Present() (bool, <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.present, m.presence
}

func (m *Modem) setPresentLocked(on bool) {
	if m.present == on {
		return
	}
	m.present = on
	close(m.presence)
	m.presence = make(chan struct{})
	if m.back != nil {
		m.back.Stop()
		m.back = nil
	}
	if on {
		m.log.Info("modem back")
		m.powerUpLocked()
		return
	}
	m.log.Info("modem vanished")
	m.line = nil // Serve's watcher closes it, after its transport's hook
	for _, c := range m.calls {
		c.stop()
	}
	m.calls = nil
}

// line is one connection the modem talks on: its output queue and the
// goroutine that writes it.
type line struct {
	rwc  io.ReadWriteCloser
	out  chan []byte
	done chan struct{}
	once sync.Once
	log  *slog.Logger
}

func newLine(rwc io.ReadWriteCloser, log *slog.Logger) *line {
	l := &line{rwc: rwc, out: make(chan []byte, 256), done: make(chan struct{}), log: log}
	go l.write()
	return l
}

// write sends the queue's bytes until the line closes, then closes the
// connection: close itself does no I/O, so it may be called with the
// modem's lock held.
func (l *line) write() {
	defer l.rwc.Close()
	for {
		select {
		case b := <-l.out:
			if _, err := l.rwc.Write(b); err != nil {
				l.close()
				return
			}
		case <-l.done:
			return
		}
	}
}

// send queues b; a full queue (nobody reads the line) drops it.
func (l *line) send(b []byte) {
	select {
	case l.out <- b:
	case <-l.done:
	default:
		l.log.Warn("output dropped: nobody reads the line", "bytes", len(b))
	}
}

// sendWait queues b, waiting for room (for garbage floods).
func (l *line) sendWait(ctx context.Context, b []byte) bool {
	select {
	case l.out <- b:
		return true
	case <-l.done:
	case <-ctx.Done():
	}
	return false
}

func (l *line) close() { l.once.Do(func() { close(l.done) }) }

// frame writes lines as a modem does: CR LF before and after each.
func frame(lines ...string) []byte {
	var b strings.Builder
	for _, s := range lines {
		b.WriteString("\r\n")
		b.WriteString(s)
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// emitLocked sends URCs on the current line, if any.
func (m *Modem) emitLocked(lines ...string) {
	if m.line != nil && len(lines) > 0 {
		m.line.send(frame(lines...))
	}
}

// maxCommand is the longest command line the modem reads; longer ones
// are dropped, as a modem's buffer overflows.
const maxCommand = 1024

// Serve talks AT on rwc until rwc fails, ctx ends or the modem vanishes
// (ErrVanished); a second Serve replaces the first's line. It closes rwc.
func (m *Modem) Serve(ctx context.Context, rwc io.ReadWriteCloser) error {
	return m.serve(ctx, rwc, nil)
}

// serve is Serve; when the modem vanishes it runs gone (a transport
// removing its link) before it closes the line.
func (m *Modem) serve(ctx context.Context, rwc io.ReadWriteCloser, gone func()) error {
	l := newLine(rwc, m.log)
	m.mu.Lock()
	if !m.present {
		m.mu.Unlock()
		l.close()
		return ErrVanished
	}
	if m.line != nil {
		m.line.close()
	}
	m.line = l
	vanish := m.presence
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		if m.line == l {
			m.line = nil
		}
		m.mu.Unlock()
		l.close()
	}()
	stop := context.AfterFunc(ctx, l.close)
	defer stop()
	var vanished atomic.Bool
	go func() {
		select {
		case <-vanish:
			vanished.Store(true)
			if gone != nil {
				gone()
			}
			l.close()
		case <-l.done:
		}
	}()

	buf := make([]byte, 4096)
	var cur []byte
	over := false
	for {
		n, err := rwc.Read(buf)
		for _, b := range buf[:n] {
			switch {
			case b == '\r' || b == '\n':
				if !over && len(cur) > 0 {
					m.command(ctx, l, string(cur))
				}
				cur, over = cur[:0], false
			case over:
			case len(cur) >= maxCommand:
				over = true
			default:
				cur = append(cur, b)
			}
		}
		if err != nil {
			select {
			case <-l.done:
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if vanished.Load() {
					return ErrVanished
				}
				return fmt.Errorf("modemsim: line replaced or closed: %w", err)
			default:
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("modemsim: read: %w", err)
		}
	}
}

// command runs one command line received on l.
func (m *Modem) command(ctx context.Context, l *line, text string) {
	text = strings.TrimSpace(text)
	if len(text) < 2 || !strings.EqualFold(text[:2], "AT") {
		m.log.Debug("not a command: ignored", "line", modem.Redact(text))
		return
	}
	m.logCommand(text)
	m.mu.Lock()
	if m.mute || m.line != l {
		m.mu.Unlock()
		return
	}
	echo, delay := m.echo, m.delay
	out := m.execLocked(text)
	m.mu.Unlock()
	if echo {
		l.send([]byte(text + "\r"))
	}
	if delay > 0 {
		waited := make(chan struct{})
		t := m.clk.AfterFunc(delay, func() { close(waited) })
		select {
		case <-waited:
		case <-l.done:
			t.Stop()
			return
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
	l.send(frame(out...))
}

func (m *Modem) logCommand(text string) {
	shown := modem.Redact(text)
	m.cmdMu.Lock()
	defer m.cmdMu.Unlock()
	if m.cfg.Commands != nil {
		fmt.Fprintln(m.cfg.Commands, shown)
		return
	}
	m.cfg.Logger.Info("at", "cmd", shown)
}
