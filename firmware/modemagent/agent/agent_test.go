package agent

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
	"github.com/ringo-phone/ringo/tools/modemsim/sim"
)

const wait = 20 * time.Second

// cmdLog is the simulator's command log.
type cmdLog struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (l *cmdLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
	return l.b.Write(p)
}

func (l *cmdLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.b.String()), "\n")
}

func (l *cmdLog) count(cmd string) int {
	n := 0
	for _, s := range l.lines() {
		if s == cmd {
			n++
		}
	}
	return n
}

// rig is phoned's side (a bus and a Manager watching the service), the
// agent, and the simulated modem it opens through pipes.
type rig struct {
	t        *testing.T
	ctx      context.Context
	config   string
	srv      *bus.Server
	sock     string
	agent    *Agent
	mgr      *telephony.Manager
	watcher  *bus.Client
	modem    *sim.Modem
	log      *cmdLog
	regs     chan telephony.Registration
	calls    chan []telephony.CallInfo
	problems chan string
	valid    chan bool
	logger   *slog.Logger
	history  []telephony.CallInfo // every call announcement, in order
	taken    map[string]bool      // calls waitCall("", ...) returned
	cursor   map[string]int       // per call, where its next waitCall looks from
}

func newRig(t *testing.T, cfg sim.Config) *rig {
	t.Helper()
	return newRigWith(t, cfg, t.TempDir(), nil, nil)
}

// newRigWith starts the rig with config as the agent's configuration
// directory, log as its logger (nil: none), and before run on config
// before the agent starts.
func newRigWith(t *testing.T, cfg sim.Config, config string, log *slog.Logger, before func(config string)) *rig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	r := &rig{t: t, ctx: ctx, config: config, logger: log, log: &cmdLog{changed: make(chan struct{}, 1)},
		regs: make(chan telephony.Registration, 256), calls: make(chan []telephony.CallInfo, 256),
		problems: make(chan string, 256), valid: make(chan bool, 256), taken: map[string]bool{}, cursor: map[string]int{}}
	if cfg.RegisterDelay == 0 {
		cfg.RegisterDelay = 20 * time.Millisecond
	}
	if cfg.AlertAfter == 0 {
		cfg.AlertAfter, cfg.AnswerAfter = 20*time.Millisecond, 40*time.Millisecond
	}
	cfg.Commands = r.log
	m, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.modem = m
	r.sock = bus.SocketPath(t.TempDir())
	srv, err := bus.Listen(r.sock, bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.srv = srv
	t.Cleanup(func() { srv.Close() })
	r.watcher = r.dial("phonectl")
	r.mgr = telephony.NewManager(r.watcher)
	base := telephony.InterfacePath(telephony.NetworkRegistrationInterface, ServiceName)
	problemKey := vs.Join(base, telephony.KeyRegistrationProblem)
	validKey := vs.Join(telephony.InterfacePath(telephony.ServiceCheckerInterface, ServiceName), telephony.KeyValid)
	for key, f := range map[string]func(vs.Change){
		problemKey: func(c vs.Change) { s, _ := c.Value.Str(); r.problems <- s },
		validKey:   func(c vs.Change) { b, _ := c.Value.Bool(); r.valid <- b },
	} {
		if _, err := r.watcher.Subscribe(ctx, key, func(b vs.Batch) {
			for _, c := range b.Changes {
				if c.Path == key {
					f(c)
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.mgr.WatchRegistration(ctx, ServiceName, func(reg telephony.Registration, ok bool) {
		if ok {
			r.regs <- reg
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.mgr.WatchCalls(ctx, ServiceName, func(e telephony.CallEvent) {
		if e.Calls != nil {
			r.calls <- e.Calls
		}
	}); err != nil {
		t.Fatal(err)
	}
	if before != nil {
		before(config)
	}
	r.start()
	return r
}

func (r *rig) dial(name string) *bus.Client {
	r.t.Helper()
	c, err := bus.Dial(r.ctx, r.sock, bus.ClientOptions{Name: name})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

// open is the agent's port: a pipe the simulator serves, or no port
// while the simulated modem is gone.
func (r *rig) open() (io.ReadWriteCloser, error) {
	if on, _ := r.modem.Present(); !on {
		return nil, &os.PathError{Op: "open", Path: "/dev/modem", Err: os.ErrNotExist}
	}
	agent, far := net.Pipe()
	go r.modem.Serve(r.ctx, far)
	return agent, nil
}

func (r *rig) start() {
	r.t.Helper()
	a, err := Start(r.ctx, r.dial("modemagent"), Options{
		ConfigDir: r.config, Port: "/dev/modem", Open: r.open, Logger: r.logger,
		CommandTimeout: 300 * time.Millisecond, DialTimeout: 2 * time.Second, ScanTimeout: 2 * time.Second,
		Settle: 20 * time.Millisecond, PollInterval: 50 * time.Millisecond, KeepAlive: 200 * time.Millisecond,
		RetryMin: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.agent = a
	r.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Stop(ctx)
	})
}

func (r *rig) control(cmd string) string {
	r.t.Helper()
	out, err := r.modem.Control(r.ctx, cmd)
	if err != nil {
		r.t.Fatalf("modem control %q: %v", cmd, err)
	}
	return out
}

func (r *rig) waitReg(want telephony.RegistrationState) telephony.Registration {
	r.t.Helper()
	return r.waitRegistration(want.String(), func(reg telephony.Registration) bool { return reg.State == want })
}

// waitRegistration waits until the published registration is what ok
// accepts.
func (r *rig) waitRegistration(what string, ok func(telephony.Registration) bool) telephony.Registration {
	r.t.Helper()
	var seen []string
	for {
		select {
		case reg := <-r.regs:
			seen = append(seen, reg.State.String()+"/"+reg.Operator)
			if ok(reg) {
				return reg
			}
		case <-r.ctx.Done():
			r.t.Fatalf("registration never %s; saw %v", what, seen)
		}
	}
}

func (r *rig) waitValid(want bool) {
	r.t.Helper()
	for {
		select {
		case v := <-r.valid:
			if v == want {
				return
			}
		case <-r.ctx.Done():
			r.t.Fatalf("service checker never valid=%v", want)
		}
	}
}

// waitProblem waits for a registration problem containing want ("" for
// its removal).
func (r *rig) waitProblem(want string) string {
	r.t.Helper()
	var seen []string
	for {
		select {
		case p := <-r.problems:
			seen = append(seen, p)
			if want == "" && p == "" || want != "" && strings.Contains(p, want) {
				return p
			}
		case <-r.ctx.Done():
			r.t.Fatalf("no registration problem with %q; saw %q", want, seen)
		}
	}
}

// waitCall waits until the call with id is announced in state want
// after what the previous waitCall for id returned (since the rig
// started, for the first), and returns it as it was then. With id "" it
// is the first call announced in state want that no earlier
// waitCall("", ...) returned.
func (r *rig) waitCall(id string, want telephony.CallState) telephony.CallInfo {
	r.t.Helper()
	for {
		for i := r.cursor[id]; i < len(r.history); i++ {
			c := r.history[i]
			if c.State == want && (c.ID == id || id == "" && !r.taken[c.ID]) {
				if id == "" {
					r.taken[c.ID] = true
				} else {
					r.cursor[id] = i + 1
				}
				return c
			}
		}
		select {
		case cs := <-r.calls:
			r.history = append(r.history, cs...)
		case <-r.ctx.Done():
			var seen []string
			for _, c := range r.history {
				seen = append(seen, c.Number+":"+c.State.String())
			}
			r.t.Fatalf("call %q never %v; saw %v", id, want, seen)
		}
	}
}

// waitCommand waits until the modem has received cmd n times.
func (r *rig) waitCommand(cmd string, n int) {
	r.t.Helper()
	for r.log.count(cmd) < n {
		select {
		case <-r.log.changed:
		case <-r.ctx.Done():
			r.t.Fatalf("the modem never received %q %d times; it received %q", cmd, n, r.log.lines())
		}
	}
}

func (r *rig) dialCall(number string) string {
	r.t.Helper()
	id, err := r.mgr.Dial(r.ctx, ServiceName, CallType, number)
	if err != nil {
		r.t.Fatal(err)
	}
	return id
}

func TestRegistrationAndOperator(t *testing.T) {
	r := newRig(t, sim.Config{})
	r.waitReg(telephony.RegistrationHome)
	r.waitValid(true)
	r.waitRegistration("the operator Ringo Mobile 00101 LTE", func(reg telephony.Registration) bool {
		return reg.State == telephony.RegistrationHome && reg.Operator == "Ringo Mobile" && reg.OperatorID == "00101" &&
			reg.Technology == "LTE" && reg.Mode == telephony.OperatorModeAutomatic
	})
	r.control("deregister")
	r.waitReg(telephony.RegistrationNone)
	r.control("register roaming")
	r.waitReg(telephony.RegistrationRoaming)
	r.control("deny")
	r.waitReg(telephony.RegistrationDenied)
	r.waitProblem("refused the registration")
	r.control("search")
	r.waitReg(telephony.RegistrationSearching)
	r.waitProblem("")
}
