package agent

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
	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
)

// Names the rest of the system knows the agent by.
const (
	ServiceName = "asterisk"
	CallType    = "Asterisk"
	TaskName    = "IaxTelephonyService"
)

// Options configure an Agent. Zero values give the handset's defaults; the
// timing options exist so that cross-process tests run in seconds.
type Options struct {
	// ConfigDir holds Asterisk.conf.
	ConfigDir string
	// Listen is the local UDP address for IAX2 (default ":0", any port:
	// the server learns our address from the registration).
	Listen string
	Logger *slog.Logger
	Clock  clock.Clock
	// RegisterDelay is how long after start an automatic registration
	// begins (default 0: at once, once the service is on the bus; the
	// registration never holds up the start). It was 500 ms, half a
	// second of every boot to Home.
	RegisterDelay time.Duration
	// RetryMin and RetryMax bound the backoff between registration
	// attempts (default 2 s to 60 s).
	RetryMin, RetryMax time.Duration
	// Retransmit tunes IAX2 retransmission.
	Retransmit iax.Retransmit
	// PingInterval is how often a call sends PING, which measures the
	// round trip and checks that the server still has the call (default
	// 10 s); PingTimeout is how long a PING may go unanswered (default
	// 5 s). A call whose server falls silent ends NetworkFailure within
	// PingInterval + PingTimeout of the last frame it heard.
	PingInterval, PingTimeout time.Duration
	// CheckInterval is how often the agent asks its server whether it is
	// there, between refreshes (a POKE: iax Registration.Check; default
	// 25 s, negative: never); CheckTimeout bounds each check (default
	// 5 s). A registered server that falls silent is noticed within
	// CheckInterval + CheckTimeout: registration None, with the problem.
	CheckInterval, CheckTimeout time.Duration
	// MaxCalls is how many calls may exist at once (default 16).
	MaxCalls int
	// Audio joins the active call to the audio device; nil sends and
	// plays nothing.
	Audio Audio
	// AudioRefresh is how often the active call's audio counters are
	// published (default 1 s).
	AudioRefresh time.Duration
	// Resolver resolves the server's host name (default net.DefaultResolver).
	Resolver *net.Resolver
}

func (o *Options) defaults() {
	if o.Listen == "" {
		o.Listen = ":0"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.RetryMin == 0 {
		o.RetryMin = 2 * time.Second
	}
	if o.RetryMax == 0 {
		o.RetryMax = 60 * time.Second
	}
	if o.PingInterval == 0 {
		o.PingInterval = 10 * time.Second
	}
	if o.PingTimeout == 0 {
		o.PingTimeout = 5 * time.Second
	}
	if o.CheckInterval == 0 {
		o.CheckInterval = 25 * time.Second
	}
	if o.CheckTimeout == 0 {
		o.CheckTimeout = 5 * time.Second
	}
	if o.MaxCalls == 0 {
		o.MaxCalls = 16
	}
	if o.AudioRefresh <= 0 {
		o.AudioRefresh = time.Second
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
}

// Agent is the running asterisk service.
type Agent struct {
	opts Options
	log  *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	work   chan func()
	wg     sync.WaitGroup
	once   sync.Once

	// bus publishes the active call's audio counters.
	bus *bus.Client

	// Owned by the loop goroutine.
	svc      *telephony.Service
	netreg   *telephony.NetworkRegistration
	config   *telephony.Configuration
	checker  *telephony.ServiceChecker
	provider *telephony.CallProvider
	ep       *iax.Endpoint
	settings asteriskconf.Settings
	// confErr is why Asterisk.conf was rejected (a *confError), nil when
	// it was read or is missing.
	confErr error
	reg     registration
	calls   map[string]*call
	stopped bool
}

// Start creates the service on the bus, initializes it, and starts the
// IAX2 endpoint; an automatic registration begins after RegisterDelay.
func Start(ctx context.Context, c *bus.Client, opts Options) (*Agent, error) {
	opts.defaults()
	// The libraries add their own categories to opts.Logger; the agent's
	// own records are voip.
	a := &Agent{opts: opts, log: opts.Logger.With("category", "voip"), work: make(chan func(), 64), calls: map[string]*call{}, bus: c}
	a.ctx, a.cancel = context.WithCancel(ctx)

	// Calls are taken only from the server the agent registers with (its
	// address and port, which iax always lets call) and from nobody
	// else: a stranger's NEW is dropped, counted and never answered.
	ep, err := iax.Listen(a.ctx, opts.Listen, iax.Config{
		Clock: opts.Clock, Logger: opts.Logger, Retransmit: opts.Retransmit,
		PingInterval: opts.PingInterval, PingTimeout: opts.PingTimeout,
		AcceptCalls: func(netip.AddrPort) bool { return false },
	})
	if err != nil {
		a.cancel()
		return nil, fmt.Errorf("iaxagent: %w", err)
	}
	a.ep = ep

	a.svc = telephony.NewService(c, ServiceName, telephony.WithLogger(opts.Logger))
	a.netreg = a.svc.AddNetworkRegistration(regImpl{a})
	a.config = a.svc.AddConfiguration(configImpl{a})
	a.checker = a.svc.AddServiceChecker()
	a.provider = a.svc.SetCallProvider(providerImpl{a}, CallType)
	a.loadSettings()
	if err := a.svc.Initialize(ctx); err != nil {
		ep.Close()
		a.cancel()
		return nil, fmt.Errorf("iaxagent: initialize: %w", err)
	}
	// The registration state starts as None, published by Initialize.
	a.checker.SetValid(configured(a.settings))
	a.log.Info("service started", "local", ep.LocalAddr().String(), "settings", a.settings.String())

	a.wg.Add(2)
	go a.loop()
	go a.acceptLoop()
	a.do(func() {
		if a.settings.AutoRegister {
			a.reg.want = true
			a.reg.mode = telephony.OperatorModeAutomatic
			a.scheduleRun(a.opts.RegisterDelay, regBegin)
		} else {
			a.reg.mode = telephony.OperatorModeManual
			a.publishOperator()
		}
		a.scheduleCheck()
	})
	return a, nil
}

// LocalAddr is the IAX2 socket's address.
func (a *Agent) LocalAddr() string { return a.ep.LocalAddr().String() }

// do runs f on the loop goroutine. After Stop it does nothing.
func (a *Agent) do(f func()) {
	select {
	case a.work <- f:
	case <-a.ctx.Done():
	}
}

// spawn runs f on a goroutine the agent owns: Stop waits for it, so f
// must return once a.ctx is done. Call it from the loop goroutine, whose
// own count keeps the WaitGroup above zero meanwhile.
func (a *Agent) spawn(f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
}

func (a *Agent) loop() {
	defer a.wg.Done()
	for {
		select {
		case f := <-a.work:
			f()
		case <-a.ctx.Done():
			return
		}
	}
}

func (a *Agent) acceptLoop() {
	defer a.wg.Done()
	for {
		ic, err := a.ep.Accept(a.ctx)
		if err != nil {
			return
		}
		a.do(func() { a.incoming(ic) })
	}
}

// Stop releases the registration (REGREL, bounded by ctx), hangs up every
// call, withdraws the service and closes the endpoint. It is idempotent.
func (a *Agent) Stop(ctx context.Context) {
	a.once.Do(func() {
		done := make(chan *iax.Registration, 1)
		a.do(func() {
			a.stopped = true
			if a.reg.check != nil {
				a.reg.check.Stop()
			}
			for _, c := range a.calls {
				c.end()
			}
			done <- a.reg.detach()
		})
		var r *iax.Registration
		select {
		case r = <-done:
		case <-ctx.Done():
		case <-a.ctx.Done():
		}
		if r != nil {
			if err := r.Release(ctx); err != nil {
				a.log.Warn("registration release", "err", err)
			}
		}
		a.cancel()
		a.wg.Wait()
		a.svc.Close()
		a.ep.Close()
		a.log.Info("service stopped")
	})
}

// loadSettings reads Asterisk.conf; a missing or bad file leaves the
// service unconfigured (checker invalid) and says why in the log; why a
// bad one was rejected is kept (confErr) for the registration problem.
func (a *Agent) loadSettings() {
	s, err := asteriskconf.Load(a.opts.ConfigDir)
	a.confErr = nil
	switch {
	case errors.Is(err, asteriskconf.ErrNotFound):
		a.log.Warn("no Asterisk.conf: not configured", "path", asteriskconf.Path(a.opts.ConfigDir))
	case err != nil:
		a.confErr = &confError{Err: err}
		a.log.Error("Asterisk.conf rejected: not configured", "err", a.confErr)
		s = asteriskconf.Default()
	}
	a.settings = s
}

type configImpl struct{ a *Agent }

// Update reloads the settings: "registration" re-registers with the new
// account, "callerid" only changes what the next calls send.
func (c configImpl) Update(name, value string) {
	a := c.a
	a.do(func() {
		a.log.Info("configuration update", "name", name)
		old := a.settings
		a.loadSettings()
		a.checker.SetValid(configured(a.settings))
		if name != "registration" {
			return
		}
		if a.settings.AutoRegister || a.reg.want {
			a.reg.want = a.settings.Configured()
			a.restartRegistration()
		}
		if !a.settings.AutoRegister && old.AutoRegister && a.reg.mode == telephony.OperatorModeAutomatic {
			a.reg.mode = telephony.OperatorModeManual
			a.publishOperator()
		}
	})
}

// Request answers with an empty notification: the agent has no settings
// to report over the bus (the password must never travel there).
func (c configImpl) Request(name string) {
	c.a.do(func() { c.a.config.Notify(name, "") })
}
