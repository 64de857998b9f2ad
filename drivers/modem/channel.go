package modem

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
)

// Defaults of Options.
const (
	DefaultTimeout   = 5 * time.Second
	DefaultSettle    = 200 * time.Millisecond
	DefaultMaxLine   = 1024
	DefaultMaxLines  = 256
	DefaultURCBuffer = 128
	// MaxCommand is the longest command line Command sends.
	MaxCommand = 512
)

// Options configure a Channel. Zero values give the defaults.
type Options struct {
	// Logger receives the AT trace at debug level and the channel's
	// warnings (category "modem"). Secrets are redacted (Redact).
	Logger *slog.Logger
	// Clock runs the default command timeout and the settle delay.
	Clock Clock
	// Timeout bounds a command (default 5 s), or the context's deadline
	// when that is sooner; CommandWithin gives a command its own (a dial,
	// an operator scan).
	Timeout time.Duration
	// Settle is how long, after a command timed out, the channel waits
	// for a late result before the next command (default 200 ms;
	// negative: no wait).
	Settle time.Duration
	// MaxLine is the longest line kept (default 1024 bytes); longer
	// lines are discarded whole and counted.
	MaxLine int
	// MaxLines is the most lines one response keeps (default 256); the
	// rest are counted in Response.Dropped.
	MaxLines int
	// URCs are names of unsolicited result codes besides DefaultURCs.
	URCs []string
	// URCBuffer is how many URCs wait for the consumer (default 128);
	// more are dropped and counted.
	URCBuffer int
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Settle == 0 {
		o.Settle = DefaultSettle
	}
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	if o.MaxLines <= 0 {
		o.MaxLines = DefaultMaxLines
	}
	if o.URCBuffer <= 0 {
		o.URCBuffer = DefaultURCBuffer
	}
}

// Response is a command's successful outcome.
type Response struct {
	// Command is the command line as the trace shows it (Redact).
	Command string
	// Lines are the information lines between the command and its
	// result, in order, without the echo and without URCs.
	Lines []string
	// Result is the final result: "OK", or "CONNECT ..." for a data call.
	Result string
	// Dropped counts lines beyond Options.MaxLines.
	Dropped int
}

// Stats count what the channel threw away.
type Stats struct {
	// LongLines were longer than Options.MaxLine.
	LongLines uint64
	// DroppedURCs arrived while Options.URCBuffer URCs waited.
	DroppedURCs uint64
	// StaleResults were final results that arrived while no command
	// waited (the late answer of a command that timed out).
	StaleResults uint64
}

// Channel is an AT command channel on a port. Its methods are safe for
// concurrent use; commands are sent one at a time, in the order their
// callers get the channel.
type Channel struct {
	port     io.ReadWriteCloser
	opts     Options
	log      *slog.Logger
	urcNames map[string]bool

	sem  chan struct{} // one command at a time
	urcs chan URC
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	pending *pending
	unsure  bool  // a command was abandoned: its result may still come
	err     error // why the channel ended

	longLines, droppedURCs, stale atomic.Uint64
}

// pending is the command waiting for its final result. The reader fills
// it under Channel.mu and closes done with the result.
type pending struct {
	cmd      string
	prefix   string
	dial     bool
	echoSeen bool
	lines    []string
	dropped  int
	result   string
	done     chan struct{}
}

// NewChannel starts a channel on port; it reads the port until Close or
// until the port fails (Done, Err).
func NewChannel(port io.ReadWriteCloser, opts Options) *Channel {
	opts.defaults()
	c := &Channel{
		port:     port,
		opts:     opts,
		log:      opts.Logger.With("category", "modem"),
		urcNames: map[string]bool{},
		sem:      make(chan struct{}, 1),
		urcs:     make(chan URC, opts.URCBuffer),
		done:     make(chan struct{}),
	}
	for _, n := range DefaultURCs {
		c.urcNames[n] = true
	}
	for _, n := range opts.URCs {
		c.urcNames[strings.ToUpper(n)] = true
	}
	c.wg.Add(1)
	go c.read()
	return c
}

// URCs delivers the unsolicited result codes in the order they arrived.
// It is closed when the channel ends.
func (c *Channel) URCs() <-chan URC { return c.urcs }

// Done is closed when the channel has ended: Close, or the port failed.
func (c *Channel) Done() <-chan struct{} { return c.done }

// Err says why the channel ended: ErrClosed after Close, an error
// wrapping ErrLost and the port's error when the port failed; nil while
// it runs.
func (c *Channel) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Stats returns what the channel has thrown away so far.
func (c *Channel) Stats() Stats {
	return Stats{LongLines: c.longLines.Load(), DroppedURCs: c.droppedURCs.Load(), StaleResults: c.stale.Load()}
}

// Close closes the port and waits for the reader. It is idempotent.
func (c *Channel) Close() error {
	c.end(ErrClosed)
	c.wg.Wait()
	return nil
}

// end records why the channel ends (the first reason wins), closes done
// and the port.
func (c *Channel) end(why error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = why
	c.pending = nil
	close(c.done)
	c.mu.Unlock()
	c.port.Close()
	if !errors.Is(why, ErrClosed) {
		c.log.Warn("modem channel lost", "err", why)
	}
}

// checkCommand refuses what is not one AT command line.
func checkCommand(cmd string) error {
	if len(cmd) < 2 || !strings.EqualFold(cmd[:2], "AT") {
		return fmt.Errorf("%w: %q does not start with AT", ErrBadCommand, Redact(cmd))
	}
	if len(cmd) > MaxCommand {
		return fmt.Errorf("%w: %d characters, at most %d", ErrBadCommand, len(cmd), MaxCommand)
	}
	for i := 0; i < len(cmd); i++ {
		if c := cmd[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("%w: %q holds control character %q at %d: one command line has no line breaks",
				ErrBadCommand, Redact(cmd), rune(c), i+1)
		}
	}
	return nil
}

// Command sends cmd ("AT+CLCC", "ATD112;", ...: the whole command line,
// without the CR) and waits for its final result, for Options.Timeout or
// until ctx's deadline, whichever is sooner. A final result other than
// OK or CONNECT is a *ResultError; no result in time is a
// *TimeoutError; a port that failed is an error wrapping ErrLost; a
// closed channel ErrClosed. After a timeout, the next command first
// checks that the modem answers (see the package comment).
func (c *Channel) Command(ctx context.Context, cmd string) (Response, error) {
	return c.CommandWithin(ctx, cmd, c.opts.Timeout)
}

// CommandWithin is Command with its own timeout d instead of
// Options.Timeout (a dial, an operator scan that takes minutes).
func (c *Channel) CommandWithin(ctx context.Context, cmd string, d time.Duration) (Response, error) {
	if err := checkCommand(cmd); err != nil {
		return Response{}, err
	}
	shown := Redact(cmd)
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return Response{}, fmt.Errorf("modem: %s: %w", shown, ctx.Err())
	case <-c.done:
		return Response{}, c.endedErr(shown)
	}
	defer func() { <-c.sem }()

	c.mu.Lock()
	unsure := c.unsure
	c.mu.Unlock()
	if unsure {
		if err := c.resync(ctx, shown); err != nil {
			return Response{}, err
		}
	}
	return c.exchange(ctx, cmd, shown, d)
}

// resync checks, after a command was abandoned, that the modem answers a
// bare AT, then waits Options.Settle for a late result: one that arrives
// while no command waits is dropped.
func (c *Channel) resync(ctx context.Context, shown string) error {
	c.log.Debug("at resync after a timeout", "next", shown)
	_, err := c.exchange(ctx, "AT", "AT", c.opts.Timeout)
	var te *TimeoutError
	switch {
	case errors.As(err, &te):
		return &TimeoutError{Command: shown, After: te.After, Probe: true, Err: te.Err}
	case err != nil && !errors.Is(err, ErrError) && !errors.Is(err, ErrCME):
		return err
	}
	// Any answer, even ERROR, says the modem is there.
	if c.opts.Settle > 0 {
		settled := make(chan struct{})
		t := c.opts.Clock.AfterFunc(c.opts.Settle, func() { close(settled) })
		select {
		case <-settled:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("modem: %s: %w", shown, ctx.Err())
		case <-c.done:
			t.Stop()
			return c.endedErr(shown)
		}
	}
	c.mu.Lock()
	c.unsure = false
	c.mu.Unlock()
	return nil
}

// exchange sends one command and waits for its result, for timeout or
// until ctx's deadline.
func (c *Channel) exchange(ctx context.Context, cmd, shown string, timeout time.Duration) (Response, error) {
	p := &pending{cmd: cmd, prefix: commandPrefix(cmd), dial: isDial(cmd), done: make(chan struct{})}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return Response{}, c.endedErr(shown)
	}
	c.pending = p
	c.mu.Unlock()

	start := c.opts.Clock.Now()
	expired := make(chan struct{})
	t := c.opts.Clock.AfterFunc(timeout, func() { close(expired) })
	defer t.Stop()
	writeBy := timeout
	if dl, ok := ctx.Deadline(); ok {
		writeBy = min(writeBy, time.Until(dl))
	}

	c.log.Debug("at send", "cmd", shown)
	if err := c.write(cmd+"\r", writeBy); err != nil {
		c.end(fmt.Errorf("%w: writing %s: %w", ErrLost, shown, err))
		return Response{}, c.endedErr(shown)
	}

	select {
	case <-p.done:
		return c.outcome(p, shown)
	case <-expired:
		if c.abandon(p) {
			return c.outcome(p, shown)
		}
		return Response{}, &TimeoutError{Command: shown, After: timeout}
	case <-ctx.Done():
		if c.abandon(p) {
			return c.outcome(p, shown)
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Response{}, &TimeoutError{Command: shown, After: c.opts.Clock.Now().Sub(start), Err: ctx.Err()}
		}
		return Response{}, fmt.Errorf("modem: %s: %w", shown, ctx.Err())
	case <-c.done:
		return Response{}, c.endedErr(shown)
	}
}

// write sends s, bounded by timeout when the port has write deadlines
// (a tty, a socket): a modem that stopped reading cannot hold us.
func (c *Channel) write(s string, timeout time.Duration) error {
	type deadliner interface{ SetWriteDeadline(time.Time) error }
	if d, ok := c.port.(deadliner); ok {
		if d.SetWriteDeadline(time.Now().Add(timeout)) == nil {
			defer d.SetWriteDeadline(time.Time{})
		}
	}
	_, err := io.WriteString(c.port, s)
	return err
}

// abandon gives up waiting for p; it reports true when p's result came
// meanwhile (use it), else the channel is unsure until it resyncs.
func (c *Channel) abandon(p *pending) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-p.done:
		return true
	default:
	}
	if c.pending == p {
		c.pending = nil
	}
	c.unsure = true
	return false
}

func (c *Channel) outcome(p *pending, shown string) (Response, error) {
	if p.result == "" { // the channel ended while p waited
		return Response{}, c.endedErr(shown)
	}
	if classify(p.result, p.dial) == finalOK {
		return Response{Command: shown, Lines: p.lines, Result: p.result, Dropped: p.dropped}, nil
	}
	e := &ResultError{Command: shown, Result: p.result, Code: -1, Lines: p.lines}
	if k := e.kind(); k == ErrCME || k == ErrCMS {
		e.Code = errorCode(p.result)
	}
	return Response{}, e
}

func (c *Channel) endedErr(shown string) error {
	err := c.Err()
	if err == nil {
		err = ErrClosed
	}
	if errors.Is(err, ErrClosed) {
		return err
	}
	return fmt.Errorf("modem: %s: %w", shown, err)
}

// read splits what the port delivers into lines (CR or LF ends one,
// empty lines are skipped) and routes them, until the port fails.
func (c *Channel) read() {
	defer c.wg.Done()
	defer close(c.urcs)
	buf := make([]byte, 4096)
	line := make([]byte, 0, c.opts.MaxLine)
	skipping := false
	for {
		n, err := c.port.Read(buf)
		for _, b := range buf[:n] {
			switch {
			case b == '\r' || b == '\n':
				if !skipping && len(line) > 0 {
					c.route(string(line))
				}
				line, skipping = line[:0], false
			case skipping:
			case len(line) >= c.opts.MaxLine:
				skipping, line = true, line[:0]
				if c.longLines.Add(1) == 1 {
					c.log.Warn("modem line longer than the limit discarded (further ones are counted)", "max", c.opts.MaxLine)
				}
			default:
				line = append(line, b)
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			c.end(fmt.Errorf("%w: %w", ErrLost, err))
			return
		}
	}
}

// route gives one line to the waiting command, or to the URCs.
func (c *Channel) route(line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	if c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug("at recv", "line", Redact(line))
	}
	name := lineName(line)
	c.mu.Lock()
	p := c.pending
	switch {
	case p != nil && !p.echoSeen && len(p.lines) == 0 && strings.EqualFold(line, p.cmd):
		p.echoSeen = true // ATE1
		c.mu.Unlock()
		return
	case p != nil && classify(line, p.dial) != notFinal:
		c.pending = nil
		p.result = line
		close(p.done)
		c.mu.Unlock()
		return
	case p != nil && (name == p.prefix || !c.urcNames[name]):
		if len(p.lines) < c.opts.MaxLines {
			p.lines = append(p.lines, line)
		} else {
			p.dropped++
		}
		c.mu.Unlock()
		return
	case p == nil && classify(line, false) != notFinal:
		c.mu.Unlock()
		c.stale.Add(1)
		c.log.Debug("at result with no command waiting dropped", "line", Redact(line))
		return
	}
	c.mu.Unlock()
	select {
	case c.urcs <- URC{Line: line, Name: name}:
	default:
		if n := c.droppedURCs.Add(1); n == 1 || n%1000 == 0 {
			c.log.Warn("modem URCs dropped: nobody takes them", "dropped", n, "line", Redact(line))
		}
	}
}
