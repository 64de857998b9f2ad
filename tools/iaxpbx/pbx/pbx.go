package pbx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
)

// The built-in extensions.
const (
	extEcho   = "600"
	extTone   = "601"
	extRecord = "602"
	extDigits = "100"
)

// PBX is a running embedded peer. Its goroutines (the accept loop and one
// per call) are stopped by Close.
type PBX struct {
	cfg      Config
	ep       *iax.Endpoint
	log      *slog.Logger
	clk      clock.Clock
	users    map[string]User
	byNumber map[string]string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	done   chan struct{}
}

// New starts a PBX on conn, which it owns from now on.
func New(conn net.PacketConn, cfg Config) (*PBX, error) {
	if err := checkUsers(cfg.Users); err != nil {
		conn.Close()
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RecordDir == "" {
		cfg.RecordDir = "."
	}
	if cfg.DTMFDuration <= 0 {
		cfg.DTMFDuration = 100 * time.Millisecond
	}
	p := &PBX{
		cfg:      cfg,
		log:      cfg.Logger.With("category", "pbx"),
		clk:      cfg.Clock,
		users:    map[string]User{},
		byNumber: map[string]string{},
		done:     make(chan struct{}),
	}
	for _, u := range cfg.Users {
		p.users[u.Name] = u
		if u.Number != "" {
			p.byNumber[u.Number] = u.Name
		}
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.ep = iax.New(conn, iax.Config{
		Clock:        cfg.Clock,
		Logger:       cfg.Logger,
		Retransmit:   cfg.Retransmit,
		PingInterval: cfg.PingInterval,
		// Room for bursts of callers (load tests dial hundreds at once).
		IncomingQueue:     256,
		MaxSetupPerSource: cfg.MaxSetup,
		Server: &iax.ServerConfig{
			Users:      p.lookupUser,
			Refresh:    cfg.Refresh,
			MinRefresh: cfg.MinRefresh,
			OnRegister: p.onRegister,
		},
	})
	p.log.Info("listening", "addr", p.ep.LocalAddr(), "users", len(p.users))
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Listen opens a UDP socket on addr and starts a PBX on it.
func Listen(ctx context.Context, addr string, cfg Config) (*PBX, error) {
	var lc net.ListenConfig
	conn, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("pbx: listen %s: %w", addr, err)
	}
	return New(conn, cfg)
}

// Addr returns the PBX's UDP address.
func (p *PBX) Addr() netip.AddrPort { return p.ep.LocalAddr() }

// Stats returns the endpoint's counters: call numbers in use, and what
// it refused or answered without holding a call number.
func (p *PBX) Stats() iax.EndpointStats { return p.ep.Stats() }

// Registrations lists who is registered where.
func (p *PBX) Registrations() []iax.Binding { return p.ep.Registrations() }

// Done is closed when the PBX has stopped: after Close, or when its
// socket failed.
func (p *PBX) Done() <-chan struct{} { return p.done }

// Err says why the PBX stopped (nil while it runs).
func (p *PBX) Err() error {
	select {
	case <-p.done:
	default:
		return nil
	}
	if err := p.ep.Err(); err != nil && !errors.Is(err, iax.ErrClosed) {
		return err
	}
	return ErrClosed
}

// Close hangs up every call, stops the PBX and waits for its goroutines.
// It is idempotent.
func (p *PBX) Close() error {
	p.once.Do(func() {
		p.cancel()
		p.wg.Wait() // calls hang up while the endpoint still runs
		p.ep.Close()
		p.log.Info("stopped")
		close(p.done)
	})
	<-p.done
	return nil
}

func (p *PBX) lookupUser(name string) (iax.User, bool) {
	u, ok := p.users[name]
	if !ok {
		return iax.User{}, false
	}
	return iax.User{Name: u.Name, Secret: u.Secret, NoCallToken: u.NoCallToken, CallerName: u.CallerName, CallerNumber: u.Number,
		Encryption: u.Encryption}, true
}

func (p *PBX) onRegister(user string, addr netip.AddrPort, registered bool) {
	if registered {
		p.log.Info("registered", "user", user, "addr", addr)
	} else {
		p.log.Info("unregistered", "user", user, "addr", addr)
	}
}

func (p *PBX) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ep.Accept(p.ctx)
		if err != nil {
			if p.ctx.Err() == nil {
				p.log.Error("accept failed", "err", err)
				go p.Close() // the endpoint died: stop the rest
			}
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

// serve runs one incoming call until it ends.
func (p *PBX) serve(c *iax.Call) {
	info := c.Info()
	p.log.Info("call", "call", info.LocalCall, "user", info.Username, "from", info.Peer,
		"caller", info.CallingNumber, "called", info.Called, "format", info.Format, "encrypted", info.Encrypted)
	p.route(c, info.Called)
}

// route runs extension ext on c, and the next one after each transfer,
// until the call ends.
func (p *PBX) route(c *iax.Call, ext string) {
	id := c.Info().LocalCall
	for ext != "" {
		var next string
		switch ext {
		case extEcho:
			next = p.echo(c)
		case extTone:
			next = p.tone(c)
		case extRecord:
			next = p.record(c)
		case extDigits:
			next = p.digits(c)
		default:
			name := ext
			_, ok := p.users[name]
			if !ok {
				name, ok = p.byNumber[ext]
			}
			if !ok {
				p.log.Info("no such extension", "call", id, "called", ext)
				p.refuse(c, iax.CauseUnallocated)
				break
			}
			next = p.connect(c, name)
		}
		if next != "" {
			p.log.Info("transfer", "call", id, "to", next)
		}
		ext = next
	}
	p.finish(c)
}

// refuse rejects a call that has not been answered, or hangs it up.
func (p *PBX) refuse(c *iax.Call, cause uint8) {
	if c.State() == iax.StateIncoming {
		_ = c.Reject(cause)
	} else {
		_ = c.Hangup(cause)
	}
}

// finish makes sure c has ended and logs how.
func (p *PBX) finish(c *iax.Call) {
	if !c.State().Final() {
		_ = c.Hangup(0)
	}
	<-c.Done()
	st := c.Stats()
	args := []any{"call", c.Info().LocalCall, "state", c.State(),
		"voice_sent", st.VoiceSent, "voice_received", st.VoiceReceived, "retransmissions", st.Retransmissions}
	if err := c.Err(); err != nil {
		args = append(args, "reason", err)
	}
	p.log.Info("hangup", args...)
}

// answer answers c if it still rings.
func (p *PBX) answer(c *iax.Call) bool {
	if c.State() != iax.StateIncoming {
		return !c.State().Final()
	}
	if err := c.Answer(); err != nil {
		return false
	}
	p.log.Info("answer", "call", c.Info().LocalCall)
	return true
}

// event logs what the caller did and reports a transfer request.
func (p *PBX) event(c *iax.Call, ev iax.CallEvent) (transfer string) {
	id := c.Info().LocalCall
	switch ev.Type {
	case iax.EventDTMFEnd:
		p.log.Info("dtmf", "call", id, "digit", string(ev.Digit))
	case iax.EventHold:
		p.log.Info("hold", "call", id)
	case iax.EventUnhold:
		p.log.Info("unhold", "call", id)
	case iax.EventTransfer:
		if ev.Text == "" {
			p.log.Info("transfer without a number ignored", "call", id)
			return ""
		}
		return ev.Text
	}
	return ""
}

// sleep waits d on the PBX's clock; false when the call or PBX ended, or
// a transfer was asked for (then returned).
func (p *PBX) sleep(c *iax.Call, d time.Duration) (ok bool, transfer string) {
	fired := make(chan struct{})
	t := p.clk.AfterFunc(d, func() { close(fired) })
	defer t.Stop()
	for {
		select {
		case <-fired:
			return true, ""
		case ev := <-c.Events():
			if x := p.event(c, ev); x != "" {
				return false, x
			}
		case <-c.Voice():
		case <-c.Done():
			return false, ""
		case <-p.ctx.Done():
			return false, ""
		}
	}
}
