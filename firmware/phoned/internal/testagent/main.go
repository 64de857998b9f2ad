// Command testagent is a small telephony agent written only on the public
// phone library, as a third party would write one, for phoned's
// cross-process tests. One binary plays several programs: phoned names the
// program in RINGO_PROGRAM, and <config>/testagent.conf has a section per
// program:
//
//	[fakevoip]
//	Service   = testsvc      ; the telephony service name
//	CallTypes = Test         ; empty: a call provider without call types
//	Mode      = normal       ; normal | notask | noinit | unannounced | lateinit
//
// Modes provoke the integration mistakes phoned diagnoses: notask
// registers no running task (exits right after start), noinit never calls
// Initialize, unannounced creates incoming calls without announcing them;
// lateinit initializes only when the message initialize() arrives on its
// application channel.
//
// The remote party is simulated through QTelephonyConfiguration updates:
// update("incoming", number) rings, update("remote", "alerting"|"answer"|
// "hangup") acts on the newest call. Everything the agent is asked is
// printed on stdout, which phoned logs.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
	"gopkg.in/ini.v1"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Println("testagent:", err)
		os.Exit(1)
	}
	fmt.Println("testagent: exiting cleanly")
}

type settings struct {
	Service   string
	CallTypes []string
	Mode      string
}

func load(program string) (settings, error) {
	s := settings{Service: program, Mode: "normal", CallTypes: []string{"Test"}}
	f, err := ini.Load(filepath.Join(os.Getenv("RINGO_CONFIG"), "testagent.conf"))
	if err != nil {
		return s, err
	}
	sec := f.Section(program)
	if k := sec.Key("Service").String(); k != "" {
		s.Service = k
	}
	if sec.HasKey("CallTypes") {
		s.CallTypes = nil
		for _, t := range strings.Split(sec.Key("CallTypes").String(), ",") {
			if t = strings.TrimSpace(t); t != "" {
				s.CallTypes = append(s.CallTypes, t)
			}
		}
	}
	if k := sec.Key("Mode").String(); k != "" {
		s.Mode = k
	}
	return s, nil
}

func run(ctx context.Context) error {
	program := os.Getenv("RINGO_PROGRAM")
	if program == "" {
		program = filepath.Base(os.Args[0])
	}
	cfg, err := load(program)
	if err != nil {
		return err
	}
	runtime := os.Getenv("RINGO_RUNTIME")
	client, err := bus.Dial(ctx, bus.SocketPath(runtime), bus.ClientOptions{Name: program})
	if err != nil {
		return err
	}
	defer client.Close()
	app := qcop.NewApplication(client, program, nil)
	a := &agent{cfg: cfg}
	app.HandleTelephony(func() {
		fmt.Println("Telephony::start received")
		if a.svc != nil {
			return
		}
		if cfg.Mode != "notask" {
			app.RegisterRunningTask("TestTelephonyService")
		}
		a.start(ctx, client)
	}, func() {
		fmt.Println("Telephony::stop received")
		if a.svc != nil {
			a.svc.Close()
			a.svc = nil
		}
		app.UnregisterRunningTask("TestTelephonyService")
	})
	// lateinit waits for this message before it initializes, so a test can
	// see that the service is invisible until then.
	app.Handle("initialize()", func(qcop.Message) {
		fmt.Println("initialize() received")
		if a.svc != nil && !a.svc.Initialized() {
			a.initialize(ctx)
		}
	})
	return app.Run(ctx)
}

type agent struct {
	cfg     settings
	svc     *telephony.Service
	reg     *telephony.NetworkRegistration
	checker *telephony.ServiceChecker
	calls   *telephony.CallProvider

	mu     sync.Mutex
	newest *telephony.Call
}

func (a *agent) start(ctx context.Context, c *bus.Client) {
	a.svc = telephony.NewService(c, a.cfg.Service)
	a.reg = a.svc.AddNetworkRegistration(a)
	a.svc.AddConfiguration(a)
	a.checker = a.svc.AddServiceChecker()
	a.calls = a.svc.SetCallProvider(a, a.cfg.CallTypes...)
	if a.cfg.Mode == "noinit" || a.cfg.Mode == "lateinit" {
		fmt.Println("not initializing yet")
		return
	}
	a.initialize(ctx)
}

func (a *agent) initialize(ctx context.Context) {
	if err := a.svc.Initialize(ctx); err != nil {
		fmt.Println("initialize:", err)
		return
	}
	a.checker.SetValid(true)
	a.register()
}

func (a *agent) register() {
	a.reg.UpdateRegistrationState(telephony.RegistrationSearching)
	a.reg.UpdateCurrentOperator(telephony.OperatorModeAutomatic, "test network", "test", "TEST")
	a.reg.UpdateRegistrationState(telephony.RegistrationHome)
}

// NetworkRegistrationImpl.
func (a *agent) SetCurrentOperator(mode telephony.OperatorMode, id, tech string) {
	fmt.Println("request setCurrentOperator", mode)
	if mode == telephony.OperatorModeDeregister {
		a.reg.UpdateRegistrationState(telephony.RegistrationNone)
		return
	}
	a.register()
}

func (a *agent) RequestAvailableOperators() { a.reg.AvailableOperators(nil) }

// ConfigurationImpl: the simulated remote party.
func (a *agent) Update(name, value string) {
	fmt.Println("request update", name, value)
	switch name {
	case "incoming":
		a.incoming(value)
	case "remote":
		a.mu.Lock()
		c := a.newest
		a.mu.Unlock()
		if c == nil {
			fmt.Println("no call for the remote party")
			return
		}
		a.calls.BeginStateTransaction()
		switch value {
		case "alerting":
			c.SetState(telephony.CallAlerting)
		case "answer":
			c.SetActions(telephony.ActionHold | telephony.ActionTone | telephony.ActionTransfer)
			c.SetState(telephony.CallConnected)
		case "hangup":
			c.SetActions(0)
			c.SetState(telephony.CallHangupRemote)
		}
		a.calls.EndStateTransaction()
	}
}

func (a *agent) Request(name string) {}

func (a *agent) incoming(number string) {
	if a.cfg.Mode == "unannounced" {
		// The mistake: a call made but never announced in a transaction.
		c := a.calls.NewCall("", a.cfg.firstType(), nil)
		fmt.Println("incoming call created but not announced:", c.ID())
		return
	}
	// Everything about the new call is announced in one transaction.
	a.calls.BeginStateTransaction()
	tc := &call{a: a}
	c := a.calls.NewCall("", a.cfg.firstType(), tc)
	tc.c = c
	c.SetNumber(number)
	c.SetActions(telephony.ActionAccept | telephony.ActionTransfer)
	c.SetState(telephony.CallIncoming)
	a.calls.EndStateTransaction()
	a.mu.Lock()
	a.newest = c
	a.mu.Unlock()
}

func (s settings) firstType() string {
	if len(s.CallTypes) == 0 {
		return ""
	}
	return s.CallTypes[0]
}

// CallProviderImpl.
func (a *agent) Create(c *telephony.Call) telephony.CallImpl {
	a.mu.Lock()
	a.newest = c
	a.mu.Unlock()
	return &call{a: a, c: c}
}

type call struct {
	a *agent
	c *telephony.Call
}

func (t *call) set(st telephony.CallState, act telephony.Actions) {
	t.a.calls.BeginStateTransaction()
	t.c.SetActions(act)
	t.c.SetState(st)
	t.a.calls.EndStateTransaction()
}

func (t *call) Dial(o telephony.DialOptions) {
	fmt.Println("request dial", o.Number)
	t.set(telephony.CallDialing, telephony.ActionTone)
}

func (t *call) Hangup(telephony.Scope) {
	fmt.Println("request hangup", t.c.ID())
	t.set(telephony.CallHangupLocal, 0)
}

func (t *call) Accept() {
	fmt.Println("request accept", t.c.ID())
	t.set(telephony.CallConnected, telephony.ActionHold|telephony.ActionTone|telephony.ActionTransfer)
}

func (t *call) Hold() {
	fmt.Println("request hold", t.c.ID())
	t.set(telephony.CallHold, telephony.ActionActivate)
}

func (t *call) Activate(telephony.Scope) {
	fmt.Println("request activate", t.c.ID())
	t.set(telephony.CallConnected, telephony.ActionHold|telephony.ActionTone|telephony.ActionTransfer)
}

func (t *call) Tone(tones string) { fmt.Println("request tone", tones) }

func (t *call) Transfer(number string) {
	fmt.Println("request transfer", number)
	t.set(telephony.CallHangupLocal, 0)
}
