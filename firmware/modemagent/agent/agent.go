package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Names the rest of the system knows the agent by.
const (
	ServiceName = "modem"
	CallType    = "Voice"
	TaskName    = "ModemTelephonyService"
	// PINFile is the SIM's PIN, in the configuration directory, mode 0600.
	PINFile = "modem-pin"
)

// Options configure an Agent. Zero values give the handset's defaults; the
// timing options exist so that cross-process tests run in seconds.
type Options struct {
	// ConfigDir holds modem-pin.
	ConfigDir string
	// Port is the modem's tty (or a simulator's socket), for messages and
	// for the default Open.
	Port string
	// Baud is the port's speed (0: as it is).
	Baud int
	// Open opens the modem's port (default modem.OpenPort(Port, Baud)).
	Open   func() (io.ReadWriteCloser, error)
	Logger *slog.Logger
	Clock  clock.Clock
	// CommandTimeout bounds a command (default 5 s); DialTimeout a dial
	// (default 60 s); ScanTimeout an operator scan (default 180 s).
	CommandTimeout, DialTimeout, ScanTimeout time.Duration
	// Settle is the channel's wait for a late answer after a timeout
	// (default 200 ms).
	Settle time.Duration
	// PollInterval is how often AT+CLCC runs while there are calls
	// (default 1 s); KeepAlive how often the modem is asked for its
	// registration when nothing else happens (default 15 s).
	PollInterval, KeepAlive time.Duration
	// RetryMin and RetryMax bound the backoff between attempts to open
	// and set up the modem (default 1 s to 30 s).
	RetryMin, RetryMax time.Duration
	// MaxSilent is how many commands in a row may go unanswered before
	// the modem counts as gone (default 2).
	MaxSilent int
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.Open == nil {
		port, baud := o.Port, o.Baud
		o.Open = func() (io.ReadWriteCloser, error) { return modem.OpenPort(port, baud) }
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.CommandTimeout, 5*time.Second)
	def(&o.DialTimeout, 60*time.Second)
	def(&o.ScanTimeout, 180*time.Second)
	if o.Settle == 0 {
		o.Settle = 200 * time.Millisecond
	}
	def(&o.PollInterval, time.Second)
	def(&o.KeepAlive, 15*time.Second)
	def(&o.RetryMin, time.Second)
	def(&o.RetryMax, 30*time.Second)
	if o.MaxSilent <= 0 {
		o.MaxSilent = 2
	}
}

// Agent is the running modem service.
type Agent struct {
	opts Options
	log  *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	work   chan func()
	looped chan struct{} // closed when the loop has returned
	jobs   jobQueue
	wg     sync.WaitGroup
	once   sync.Once

	// Owned by the worker goroutine.
	silent   int
	silentCh *modem.Channel

	bus *bus.Client

	// Owned by the loop goroutine.
	svc       *telephony.Service
	netreg    *telephony.NetworkRegistration
	config    *telephony.Configuration
	checker   *telephony.ServiceChecker
	provider  *telephony.CallProvider
	flightSub *bus.Subscription
	link      link
	sim       simCard
	reg       registration
	calls     map[string]*call
	names     map[string]string // caller names from +CLIP and +CCWA, by number
	lastEnd   string            // what the last NO CARRIER, BUSY or NO ANSWER said
	flight    bool
	stopped   bool
	// ecc is the SIM's EF_ECC as last published.
	ecc          []string
	eccPublished bool
	poll         poller
	keepalive    clock.Timer
}

// Start creates the service on the bus, initializes it, and begins to
// open the modem's port.
func Start(ctx context.Context, c *bus.Client, opts Options) (*Agent, error) {
	if opts.Port == "" && opts.Open == nil {
		return nil, ErrNoPort
	}
	opts.defaults()
	a := &Agent{opts: opts, log: opts.Logger.With("category", "modem"), work: make(chan func(), 64), looped: make(chan struct{}),
		calls: map[string]*call{}, names: map[string]string{}, bus: c}
	a.jobs.wake = make(chan struct{}, 1)
	a.ctx, a.cancel = context.WithCancel(ctx)

	a.svc = telephony.NewService(c, ServiceName, telephony.WithLogger(opts.Logger))
	a.netreg = a.svc.AddNetworkRegistration(regImpl{a})
	a.config = a.svc.AddConfiguration(configImpl{a})
	a.checker = a.svc.AddServiceChecker()
	a.provider = a.svc.SetCallProvider(providerImpl{a}, CallType)
	if err := a.svc.Initialize(ctx); err != nil {
		a.cancel()
		return nil, fmt.Errorf("modemagent: initialize: %w", err)
	}
	a.wg.Add(2)
	go a.loop()
	go a.worker()
	sub, err := c.Subscribe(ctx, telephony.FlightModePath, func(b vs.Batch) {
		on := false
		for _, ch := range b.Changes {
			if ch.Path == telephony.FlightModePath && !ch.Removed {
				on, _ = ch.Value.Bool()
			}
		}
		a.do(func() { a.setFlight(on) })
	})
	if err != nil {
		a.cancel()
		a.wg.Wait()
		a.svc.Close()
		return nil, fmt.Errorf("modemagent: flight mode: %w", err)
	}
	a.flightSub = sub
	a.log.Info("service started", "port", opts.Port)
	a.do(func() {
		a.netreg.UpdateCurrentOperator(a.reg.mode, "", "", "")
		a.linkStep(linkStart, nil)
	})
	return a, nil
}

// do runs f on the loop goroutine; false (and f not run) after Stop.
func (a *Agent) do(f func()) bool {
	if a.ctx.Err() != nil {
		return false
	}
	select {
	case a.work <- f:
		return true
	case <-a.ctx.Done():
		return false
	}
}

// spawn runs f on a goroutine the agent owns: Stop waits for it, so f
// must return once a.ctx is done.
func (a *Agent) spawn(f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
}

func (a *Agent) loop() {
	defer a.wg.Done()
	defer close(a.looped)
	for {
		select {
		case f := <-a.work:
			f()
		case <-a.ctx.Done():
			return
		}
	}
}

// after runs f on the loop after d, unless the agent stopped.
func (a *Agent) after(d time.Duration, f func()) clock.Timer {
	return a.opts.Clock.AfterFunc(d, func() { a.do(f) })
}

// Stop hangs up the calls (bounded by ctx), withdraws the service and
// closes the modem's port. It is idempotent.
func (a *Agent) Stop(ctx context.Context) {
	a.once.Do(func() {
		done := make(chan struct{})
		if !a.do(func() {
			a.stopped = true
			a.poll.stop()
			if a.keepalive != nil {
				a.keepalive.Stop()
			}
			a.link.stopTimer()
			a.endAllCalls(ctx, done)
		}) {
			close(done)
		}
		select {
		case <-done:
		case <-ctx.Done():
		case <-a.looped:
		}
		a.cancel()
		a.wg.Wait()
		if a.flightSub != nil {
			a.flightSub.Close()
		}
		a.svc.Close()
		if a.link.ch != nil {
			a.link.ch.Close()
		}
		a.log.Info("service stopped")
	})
}

// job is AT work for the worker: run sends its commands on ch (nil when
// the modem is not connected) and reports to the loop with a.do.
type job struct {
	name string
	ch   *modem.Channel
	run  func(ctx context.Context, ch *modem.Channel)
}

// jobQueue is the worker's queue. It never blocks the loop: a queue this
// long means the modem is stuck, and the newest work is dropped.
type jobQueue struct {
	mu   sync.Mutex
	q    []job
	wake chan struct{}
}

const maxJobs = 256

// queue adds a job on the current link's channel; false when it was
// dropped.
func (a *Agent) queue(name string, run func(ctx context.Context, ch *modem.Channel)) bool {
	q := &a.jobs
	q.mu.Lock()
	if len(q.q) >= maxJobs {
		q.mu.Unlock()
		a.log.Warn("modem work dropped: the modem is behind", "job", name, "queued", maxJobs)
		return false
	}
	q.q = append(q.q, job{name: name, ch: a.link.ch, run: run})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (a *Agent) worker() {
	defer a.wg.Done()
	for {
		a.jobs.mu.Lock()
		var j job
		ok := len(a.jobs.q) > 0
		if ok {
			j = a.jobs.q[0]
			a.jobs.q = a.jobs.q[1:]
		}
		a.jobs.mu.Unlock()
		if !ok {
			select {
			case <-a.jobs.wake:
				continue
			case <-a.ctx.Done():
				return
			}
		}
		if a.ctx.Err() != nil {
			return
		}
		j.run(a.ctx, j.ch)
	}
}

// errNoModem is a command's error while the modem is not connected.
var errNoModem = errors.New("the modem is not connected")

// at sends one command on ch from a job, with the command timeout.
func (a *Agent) at(ctx context.Context, ch *modem.Channel, cmd string) (modem.Response, error) {
	return a.atWithin(ctx, ch, cmd, a.opts.CommandTimeout)
}

// atWithin sends one command with its own timeout (a dial, an operator
// scan). Unanswered commands in a row are counted: after MaxSilent the
// modem counts as gone (linkLost).
func (a *Agent) atWithin(ctx context.Context, ch *modem.Channel, cmd string, d time.Duration) (modem.Response, error) {
	if ch == nil {
		return modem.Response{}, errNoModem
	}
	r, err := ch.CommandWithin(ctx, cmd, d)
	if a.silentCh != ch {
		a.silentCh, a.silent = ch, 0
	}
	switch {
	case errors.Is(err, modem.ErrTimeout):
		a.silent++
		if a.silent == a.opts.MaxSilent {
			a.do(func() {
				if a.link.ch == ch {
					a.linkStep(linkLost, fmt.Errorf("the modem stopped answering: %w", err))
				}
			})
		}
	case err == nil, errors.As(err, new(*modem.ResultError)):
		a.silent = 0
	}
	return r, err
}

// transaction publishes the call changes f makes as one.
func (a *Agent) transaction(f func()) {
	a.provider.BeginStateTransaction()
	defer a.provider.EndStateTransaction()
	f()
}

// setFlight follows the effective flight mode: the radio off (AT+CFUN=4)
// while it is on, on (AT+CFUN=1) when it goes off.
func (a *Agent) setFlight(on bool) {
	if on == a.flight {
		return
	}
	a.flight = on
	a.log.Info("flight mode", "on", on)
	if a.link.state == linkStarting || a.link.state == linkUp {
		a.queueRadio()
	}
}

// queueRadio sets the radio as flight mode wants it.
func (a *Agent) queueRadio() {
	cmd := "AT+CFUN=1"
	if a.flight {
		cmd = "AT+CFUN=4"
	}
	a.queue("radio", func(ctx context.Context, ch *modem.Channel) {
		if _, err := a.at(ctx, ch, cmd); err != nil {
			a.log.Warn("radio", "cmd", cmd, "err", err)
		}
		a.queryRegistration(ctx, ch)
	})
}

type configImpl struct{ a *Agent }

// Update("pin") says the PIN file changed: the agent tries it if the SIM
// waits for a PIN (and it is not one the SIM refused).
func (c configImpl) Update(name, value string) {
	a := c.a
	a.do(func() {
		a.log.Info("configuration update", "name", name)
		if name == "pin" && a.link.state == linkUp {
			a.checkSIM()
		}
	})
}

// Request answers with an empty notification: the PIN never travels on
// the bus.
func (c configImpl) Request(name string) {
	c.a.do(func() { c.a.config.Notify(name, "") })
}
