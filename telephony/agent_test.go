package telephony

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// waitLimit bounds every wait; nothing in these tests sleeps.
const waitLimit = 10 * time.Second

// testAgent is a small agent written as the seed's Asterisk example: its
// implementations record what they were asked and report progress the way
// an IAX2 agent would.
type testAgent struct {
	app     *qcop.Application
	svc     *Service
	reg     *NetworkRegistration
	checker *ServiceChecker
	config  *Configuration
	calls   *CallProvider
	asked   chan string // every request the implementations got
	created chan *Call  // outgoing calls, as created
	refuse  atomic.Bool // Create refuses the next call
}

func (a *testAgent) SetCurrentOperator(mode OperatorMode, id, tech string) {
	a.asked <- "setCurrentOperator " + mode.String()
	if mode == OperatorModeDeregister {
		a.reg.UpdateRegistrationState(RegistrationNone)
		return
	}
	a.reg.UpdateRegistrationState(RegistrationSearching)
	a.reg.UpdateCurrentOperator(mode, "pbx.example", "pbx", "IAX2")
	a.reg.UpdateRegistrationState(RegistrationHome)
}

func (a *testAgent) RequestAvailableOperators() {
	a.asked <- "requestAvailableOperators"
	a.reg.AvailableOperators(nil)
}

func (a *testAgent) Update(name, value string) {
	a.asked <- "update " + name
	if name == "registration" {
		a.checker.SetValid(true)
	}
}

func (a *testAgent) Request(name string) {
	a.asked <- "request " + name
	a.config.Notify(name, "")
}

func (a *testAgent) Create(c *Call) CallImpl {
	if a.refuse.Swap(false) {
		return nil
	}
	a.created <- c
	tc := &testCall{a: a}
	tc.c.Store(c)
	return tc
}

type testCall struct {
	a *testAgent
	c atomic.Pointer[Call]
}

func (t *testCall) Dial(o DialOptions) {
	t.a.asked <- "dial " + o.Number
	t.c.Load().SetState(CallDialing)
}

func (t *testCall) Hangup(s Scope) {
	t.a.asked <- "hangup " + s.String()
	t.c.Load().SetState(CallHangupLocal)
}

func (t *testCall) Accept() {
	t.a.asked <- "accept"
	t.c.Load().p.BeginStateTransaction()
	t.c.Load().SetActions(ActionHold | ActionTone | ActionTransfer)
	t.c.Load().SetState(CallConnected)
	t.c.Load().p.EndStateTransaction()
}

func (t *testCall) Hold() {
	t.a.asked <- "hold"
	t.c.Load().SetState(CallHold)
}

func (t *testCall) Activate(s Scope) {
	t.a.asked <- "activate " + s.String()
	t.c.Load().SetState(CallConnected)
}

func (t *testCall) Tone(tones string)   { t.a.asked <- "tone " + tones }
func (t *testCall) Transfer(num string) { t.a.asked <- "transfer " + num }

// start is the agent's Telephony::start(), as short as the seed's.
func (a *testAgent) start(client *bus.Client) {
	a.app.RegisterRunningTask("TestTelephonyService")
	a.svc = NewService(client, "asterisk")
	if !a.svc.Supports(NetworkRegistrationInterface) {
		a.reg = a.svc.AddNetworkRegistration(a)
	}
	if !a.svc.Supports(ConfigurationInterface) {
		a.config = a.svc.AddConfiguration(a)
	}
	if !a.svc.Supports(ServiceCheckerInterface) {
		a.checker = a.svc.AddServiceChecker()
	}
	if a.svc.CallProvider() == nil {
		a.calls = a.svc.SetCallProvider(a, "Asterisk")
	}
	if err := a.svc.Initialize(context.Background()); err != nil {
		a.asked <- "initialize failed: " + err.Error()
	}
}

func (a *testAgent) stop() {
	a.svc.Close()
	a.app.UnregisterRunningTask("TestTelephonyService")
}

type harness struct {
	t       *testing.T
	ctx     context.Context
	agent   *testAgent
	phoned  *bus.Client
	mgr     *Manager
	vsBatch chan vs.Batch
	events  chan CallEvent
	ran     chan error
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	path := bus.SocketPath(t.TempDir())
	srv, err := bus.Listen(path, bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dial := func(name string) *bus.Client {
		c, err := bus.Dial(ctx, path, bus.ClientOptions{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	h := &harness{t: t, ctx: ctx, phoned: dial("phoned"),
		vsBatch: make(chan vs.Batch, 1000), events: make(chan CallEvent, 1000), ran: make(chan error, 1)}
	h.mgr = NewManager(h.phoned)
	if _, err := h.phoned.Subscribe(ctx, CommunicationsPath, func(b vs.Batch) { h.vsBatch <- b }); err != nil {
		t.Fatal(err)
	}
	if b := h.batch(); !b.Initial || len(b.Changes) != 0 {
		t.Fatalf("value space not empty at start: %+v", b)
	}
	if _, err := h.mgr.WatchCalls(ctx, "asterisk", func(e CallEvent) { h.events <- e }); err != nil {
		t.Fatal(err)
	}
	agentBus := dial("testagent")
	h.agent = &testAgent{asked: make(chan string, 100), created: make(chan *Call, 10)}
	h.agent.app = qcop.NewApplication(agentBus, "testagent", nil)
	h.agent.app.HandleTelephony(func() { h.agent.start(agentBus) }, h.agent.stop)
	go func() { h.ran <- h.agent.app.Run(ctx) }()
	return h
}

func (h *harness) batch() vs.Batch {
	h.t.Helper()
	select {
	case b := <-h.vsBatch:
		return b
	case <-h.ctx.Done():
		h.t.Fatal("no value-space batch in time")
		return vs.Batch{}
	}
}

func (h *harness) batchString() string {
	h.t.Helper()
	var s []string
	for _, c := range h.batch().Changes {
		s = append(s, strings.TrimPrefix(c.String(), "/Communications/"))
	}
	return strings.Join(s, "\n")
}

func (h *harness) asked(want string) {
	h.t.Helper()
	select {
	case got := <-h.agent.asked:
		if got != want {
			h.t.Errorf("agent was asked %q, want %q", got, want)
		}
	case <-h.ctx.Done():
		h.t.Fatalf("agent not asked %q in time", want)
	}
}

// event waits for the next call event and formats it as
// "number:State[actions]" per call, or "failed request: reason".
func (h *harness) event() string {
	h.t.Helper()
	select {
	case e := <-h.events:
		if e.Failure != nil {
			return "failed " + e.Failure.Request + ": " + e.Failure.Reason
		}
		var s []string
		for _, c := range e.Calls {
			if c.Service != "asterisk" || c.CallType != "Asterisk" {
				h.t.Errorf("call %+v: wrong service or type", c)
			}
			s = append(s, fmt.Sprintf("%s:%s[%s]", c.Number, c.State, c.Actions))
		}
		return strings.Join(s, " ")
	case <-h.ctx.Done():
		h.t.Fatal("no call event in time")
		return ""
	}
}

func (h *harness) expectEvent(want string) {
	h.t.Helper()
	if got := h.event(); got != want {
		h.t.Errorf("call event = %q, want %q", got, want)
	}
}

func (h *harness) created() *Call {
	h.t.Helper()
	select {
	case c := <-h.agent.created:
		return c
	case <-h.ctx.Done():
		h.t.Fatal("no call created in time")
		return nil
	}
}

func TestAgentThroughAllStates(t *testing.T) {
	h := newHarness(t)
	ctx := h.ctx
	if svcs, err := h.mgr.Services(ctx); err != nil || len(svcs) != 0 {
		t.Fatalf("Services before start = %q %v, want none", svcs, err)
	}
	serviceLists := make(chan string, 10)
	if _, err := h.mgr.WatchServices(ctx, func(s []string) { serviceLists <- strings.Join(s, ",") }); err != nil {
		t.Fatal(err)
	}
	regs := make(chan string, 20)
	if _, err := h.mgr.WatchRegistration(ctx, "asterisk", func(r Registration, ok bool) {
		regs <- fmt.Sprintf("%v %s %s", ok, r.State, r.Operator)
	}); err != nil {
		t.Fatal(err)
	}
	expectOn(t, ctx, serviceLists, "")
	// phoned starts the agent; the service appears in one batch.
	if err := qcop.Send(ctx, h.phoned, qcop.Message{Channel: qcop.ApplicationChannel("testagent"), Name: qcop.TelephonyStart}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`QNetworkRegistration/asterisk/requestChannel = "QPE/Communications/QNetworkRegistration/Request/asterisk"`,
		`QNetworkRegistration/asterisk/responseChannel = "QPE/Communications/QNetworkRegistration/Response/asterisk"`,
		`QNetworkRegistration/asterisk/registrationState = "None"`,
		`QNetworkRegistration/asterisk/operatorMode = "Automatic"`,
		`QNetworkRegistration/asterisk/currentOperator = ""`,
		`QNetworkRegistration/asterisk/currentOperatorId = ""`,
		`QNetworkRegistration/asterisk/currentOperatorTechnology = ""`,
		`QTelephonyConfiguration/asterisk/requestChannel = "QPE/Communications/QTelephonyConfiguration/Request/asterisk"`,
		`QTelephonyConfiguration/asterisk/responseChannel = "QPE/Communications/QTelephonyConfiguration/Response/asterisk"`,
		`QServiceChecker/asterisk/requestChannel = "QPE/Communications/QServiceChecker/Request/asterisk"`,
		`QServiceChecker/asterisk/responseChannel = "QPE/Communications/QServiceChecker/Response/asterisk"`,
		`QServiceChecker/asterisk/valid = false`,
		`QPhoneCallProvider/asterisk/requestChannel = "QPE/Communications/QPhoneCallProvider/Request/asterisk"`,
		`QPhoneCallProvider/asterisk/responseChannel = "QPE/Communications/QPhoneCallProvider/Response/asterisk"`,
		`QPhoneCallProvider/CallTypes/asterisk = ["Asterisk"]`,
	}, "\n")
	if got := h.batchString(); got != want {
		t.Fatalf("Initialize published\n%s\nwant\n%s", got, want)
	}
	expectOn(t, ctx, serviceLists, "asterisk")
	expectOn(t, ctx, regs, "true None ")
	if svcs, _ := h.mgr.Services(ctx); !slices.Equal(svcs, []string{"asterisk"}) {
		t.Errorf("Services = %q, want [asterisk]", svcs)
	}
	if ifs, _ := h.mgr.Interfaces(ctx, "asterisk"); len(ifs) != 4 || slices.Contains(ifs, PresenceInterface) {
		t.Errorf("Interfaces = %q, want four without presence", ifs)
	}
	if types, err := h.mgr.CallTypes(ctx, "asterisk"); err != nil || !slices.Equal(types, []string{"Asterisk"}) {
		t.Errorf("CallTypes = %q %v", types, err)
	}
	if ready, has, _ := h.mgr.Ready(ctx, "asterisk"); ready || !has {
		t.Errorf("Ready = %v %v, want false with a checker", ready, has)
	}

	// Configuration: the settings program's update makes the service valid.
	if err := h.mgr.UpdateConfiguration(ctx, "asterisk", "registration", ""); err != nil {
		t.Fatal(err)
	}
	h.asked("update registration")
	if got := h.batchString(); got != "QServiceChecker/asterisk/valid = true" {
		t.Errorf("after update: %q", got)
	}
	notes := make(chan qcop.Message, 10)
	h.mgr.WatchResponses(ctx, ConfigurationInterface, "asterisk", func(m qcop.Message) { notes <- m })
	h.mgr.RequestConfiguration(ctx, "asterisk", "callerid")
	h.asked("request callerid")
	if m := <-notes; m.Name != MsgNotification || len(m.Args) != 2 {
		t.Errorf("configuration answer = %v", m)
	}

	// Registration, as iaxsettings or phonectl register would ask.
	if err := h.mgr.SetCurrentOperator(ctx, "asterisk", OperatorModeAutomatic, "", ""); err != nil {
		t.Fatal(err)
	}
	h.asked("setCurrentOperator Automatic")
	for _, w := range []string{
		`QNetworkRegistration/asterisk/registrationState = "Searching"`,
		`QNetworkRegistration/asterisk/currentOperator = "pbx.example"` + "\n" +
			`QNetworkRegistration/asterisk/currentOperatorId = "pbx"` + "\n" +
			`QNetworkRegistration/asterisk/currentOperatorTechnology = "IAX2"`,
		`QNetworkRegistration/asterisk/registrationState = "Home"`,
	} {
		if got := h.batchString(); got != w {
			t.Errorf("registration batch = %q, want %q", got, w)
		}
	}
	expectOn(t, ctx, regs, "true Searching ")
	expectOn(t, ctx, regs, "true Searching pbx.example")
	expectOn(t, ctx, regs, "true Home pbx.example")
	if r, err := h.mgr.Registration(ctx, "asterisk"); err != nil || r.State != RegistrationHome || r.Operator != "pbx.example" || r.Mode != OperatorModeAutomatic {
		t.Errorf("Registration = %+v %v", r, err)
	}

	// An outgoing call through every user action.
	id, err := h.mgr.Dial(ctx, "asterisk", "Asterisk", "600")
	if err != nil {
		t.Fatal(err)
	}
	call := h.created()
	if call.ID() != id || call.Number() != "600" {
		t.Errorf("created call %s %s, want %s 600", call.ID(), call.Number(), id)
	}
	h.asked("dial 600")
	h.expectEvent("600:Dialing[none]")
	call.SetState(CallAlerting)
	h.expectEvent("600:Alerting[none]")
	call.p.BeginStateTransaction()
	call.SetState(CallConnected)
	call.SetActions(ActionHold | ActionTone | ActionTransfer)
	call.p.EndStateTransaction()
	h.expectEvent("600:Connected[hold|tone|transfer]")
	h.mgr.Hold(ctx, "asterisk", id)
	h.asked("hold")
	h.expectEvent("600:Hold[hold|tone|transfer]")
	h.mgr.Activate(ctx, "asterisk", id, ScopeCallOnly)
	h.asked("activate CallOnly")
	h.expectEvent("600:Connected[hold|tone|transfer]")
	h.mgr.Tone(ctx, "asterisk", id, "123#")
	h.asked("tone 123#")
	h.mgr.Transfer(ctx, "asterisk", id, "700")
	h.asked("transfer 700")
	h.mgr.Hangup(ctx, "asterisk", id, ScopeGroup)
	h.asked("hangup Group")
	h.expectEvent("600:HangupLocal[hold|tone|transfer]")
	if h.agent.calls.Call(id) != nil {
		t.Errorf("ended call still known to the provider")
	}
	call.SetState(CallConnected) // too late: ignored, nothing announced
	// The call is gone: a request for it fails visibly.
	h.mgr.Hangup(ctx, "asterisk", id, ScopeCallOnly)
	h.expectEvent("failed hangup: telephony: unknown call: " + id)

	// An incoming call announced in one transaction, answered, hung up remotely.
	p := h.agent.calls
	p.BeginStateTransaction()
	tc := &testCall{a: h.agent}
	in := p.NewCall("", "Asterisk", tc)
	tc.c.Store(in)
	in.SetNumber("601")
	in.SetActions(ActionAccept | ActionTransfer)
	in.SetState(CallIncoming)
	p.EndStateTransaction()
	h.expectEvent("601:Incoming[accept|transfer]")
	h.mgr.Accept(ctx, "asterisk", in.ID())
	h.asked("accept")
	h.expectEvent("601:Connected[hold|tone|transfer]")
	in.SetState(CallHangupRemote)
	h.expectEvent("601:HangupRemote[hold|tone|transfer]")

	// Missed, and two calls changing in one transaction.
	m1 := p.NewCall("", "Asterisk", nil)
	p.BeginStateTransaction()
	m1.SetNumber("602")
	m1.SetState(CallIncoming)
	p.EndStateTransaction()
	h.expectEvent("602:Incoming[none]")
	id2, _ := h.mgr.Dial(ctx, "asterisk", "Asterisk", "603")
	c2 := h.created()
	h.asked("dial 603")
	h.expectEvent("603:Dialing[none]")
	p.BeginStateTransaction()
	m1.SetState(CallMissed)
	c2.SetState(CallNetworkFailure)
	p.EndStateTransaction()
	h.expectEvent("602:Missed[none] 603:NetworkFailure[none]")
	_ = id2

	// A call the agent refuses to create.
	h.agent.refuse.Store(true)
	h.mgr.Dial(ctx, "asterisk", "Asterisk", "604")
	h.expectEvent("604:OtherFailure[none]")

	// A call still up when phoned stops the service ends in ServiceHangup,
	// the service vanishes, and the agent's run loop returns.
	h.mgr.Dial(ctx, "asterisk", "Asterisk", "605")
	h.created()
	h.asked("dial 605")
	h.expectEvent("605:Dialing[none]")
	if err := qcop.Send(ctx, h.phoned, qcop.Message{Channel: qcop.ApplicationChannel("testagent"), Name: qcop.TelephonyStop}); err != nil {
		t.Fatal(err)
	}
	h.expectEvent("605:ServiceHangup[none]")
	select {
	case err := <-h.ran:
		if err != nil {
			t.Errorf("agent Run = %v, want nil after stop", err)
		}
	case <-ctx.Done():
		t.Fatal("agent did not exit after stop")
	}
	for {
		b := h.batch()
		if len(b.Changes) > 0 && b.Changes[0].Removed {
			break
		}
	}
	if snap, _ := h.phoned.Snapshot(ctx, CommunicationsPath); len(snap) != 0 {
		t.Errorf("left after stop: %v", snap)
	}
	if svcs, _ := h.mgr.Services(ctx); len(svcs) != 0 {
		t.Errorf("Services after stop = %q", svcs)
	}
	expectOn(t, ctx, serviceLists, "")
	expectOn(t, ctx, regs, "false None ")
	if err := h.mgr.Hangup(ctx, "asterisk", "x", ScopeCallOnly); err == nil {
		t.Errorf("request to a stopped service succeeded")
	}
}

func TestCallStateNamesRoundTrip(t *testing.T) {
	want := []string{"Idle", "Incoming", "Dialing", "Alerting", "Connected", "Hold", "HangupLocal",
		"HangupRemote", "Missed", "NetworkFailure", "OtherFailure", "ServiceHangup"}
	var calls []CallInfo
	for i, st := range CallStates() {
		if st.String() != want[i] {
			t.Errorf("CallState(%d) = %s, want %s", i, st, want[i])
		}
		if got, want := st.Final(), i >= 6; got != want {
			t.Errorf("%s.Final() = %v, want %v", st, got, want)
		}
		calls = append(calls, CallInfo{ID: fmt.Sprint(i), Service: "s", CallType: "T", Number: "n", State: st, Actions: Actions(i)})
	}
	got, err := DecodeCalls("s", EncodeCalls(calls))
	if err != nil || !slices.Equal(got, calls) {
		t.Errorf("DecodeCalls(EncodeCalls) = %v %v", got, err)
	}
	if _, err := DecodeCalls("s", EncodeCalls(calls)[:4]); err == nil {
		t.Errorf("DecodeCalls of a short message succeeded")
	}
	bad := EncodeCalls(calls[:1])
	bad[1+3] = vs.String("Ringing") // after the stride, the state is the fourth field
	old := []vs.Value{vs.String("1"), vs.String("T"), vs.String("n"), vs.String("Connected"), vs.Int(0)}
	if got, err := DecodeCalls("s", old); err != nil || len(got) != 1 || got[0].State != CallConnected {
		t.Errorf("DecodeCalls of the five-field encoding = %v, %v", got, err)
	}
	named := []CallInfo{{ID: "1", Service: "s", CallType: "T", Number: "n", State: CallHangupRemote, Name: "Desk", Reason: "busy (cause 17)"}}
	if got, err := DecodeCalls("s", EncodeCalls(named)); err != nil || !slices.Equal(got, named) {
		t.Errorf("DecodeCalls(EncodeCalls(name, reason)) = %v, %v", got, err)
	}
	if _, err := DecodeCalls("s", bad); err == nil {
		t.Errorf("DecodeCalls accepted state Ringing")
	}
	for _, s := range []string{"None", "Home", "Searching", "Denied", "Unknown", "Roaming"} {
		st, err := ParseRegistrationState(s)
		if err != nil || st.String() != s {
			t.Errorf("ParseRegistrationState(%s) = %v %v", s, st, err)
		}
	}
}

func TestServiceWithoutCheckerIsReadyAfterInitialize(t *testing.T) {
	h := newHarness(t)
	ctx := h.ctx
	svc := NewService(h.phoned, "voip")
	impl := &presenceImpl{asked: make(chan string, 10)}
	impl.p = svc.AddPresence(impl)
	if ready, _, _ := h.mgr.Ready(ctx, "voip"); ready {
		t.Errorf("ready before Initialize")
	}
	if err := svc.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	if ready, has, err := h.mgr.Ready(ctx, "voip"); !ready || has || err != nil {
		t.Errorf("Ready after Initialize = %v %v %v, want true without checker", ready, has, err)
	}
	if got, _, _ := h.phoned.Get(ctx, "/Communications/QPresence/voip/localPresence"); !got.Equal(vs.String("Unavailable")) {
		t.Errorf("localPresence = %v", got)
	}
}

// presenceImpl records requests and reports like a SIP agent would.
type presenceImpl struct {
	p     *Presence
	asked chan string
}

func (i *presenceImpl) StartMonitoring(uri string) bool {
	i.asked <- "start " + uri
	i.p.UpdateMonitoredPresence(uri, PresenceAvailable)
	return true
}

func (i *presenceImpl) StopMonitoring(uri string) bool {
	i.asked <- "stop " + uri
	return false
}

func (i *presenceImpl) SetLocalPresence(st PresenceStatus) {
	i.asked <- "local " + st.String()
	i.p.UpdateLocalPresence(st)
}

// operators answers the operator list with the one configured server.
type operators struct {
	reg atomic.Pointer[NetworkRegistration]
}

func (o *operators) SetCurrentOperator(OperatorMode, string, string) {}

func (o *operators) RequestAvailableOperators() {
	o.reg.Load().AvailableOperators([]AvailableOperator{{Availability: "Current", Name: "pbx", ID: "1", Technology: "IAX2"}})
}

func TestPresenceAndOperatorsOverTheBus(t *testing.T) {
	h := newHarness(t)
	ctx := h.ctx
	svc := NewService(h.phoned, "voip")
	impl := &presenceImpl{asked: make(chan string, 10)}
	impl.p = svc.AddPresence(impl)
	ops := &operators{}
	ops.reg.Store(svc.AddNetworkRegistration(ops))
	if err := svc.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	h.batch() // the initial publication
	responses := make(chan string, 10)
	show := func(m qcop.Message) { responses <- m.Name + " " + fmt.Sprint(m.Args) }
	h.mgr.WatchResponses(ctx, PresenceInterface, "voip", show)
	h.mgr.WatchResponses(ctx, NetworkRegistrationInterface, "voip", show)
	h.mgr.StartMonitoring(ctx, "voip", "sip:bob@example.org")
	expectOn(t, ctx, impl.asked, "start sip:bob@example.org")
	expectOn(t, ctx, responses, `monitoredPresence ["sip:bob@example.org" "Available"]`)
	expectOn(t, ctx, responses, `monitoringResult ["startMonitoring" "sip:bob@example.org" true]`)
	h.mgr.StopMonitoring(ctx, "voip", "sip:bob@example.org")
	expectOn(t, ctx, impl.asked, "stop sip:bob@example.org")
	expectOn(t, ctx, responses, `monitoringResult ["stopMonitoring" "sip:bob@example.org" false]`)
	h.mgr.SetLocalPresence(ctx, "voip", PresenceAvailable)
	expectOn(t, ctx, impl.asked, "local Available")
	if got := h.batchString(); got != `QPresence/voip/localPresence = "Available"` {
		t.Errorf("presence batch = %q", got)
	}
	h.mgr.RequestAvailableOperators(ctx, "voip")
	expectOn(t, ctx, responses, `availableOperators ["Current" "pbx" "1" "IAX2"]`)
}

// expectOn waits for the next string on ch and compares it with want.
func expectOn(t *testing.T, ctx context.Context, ch chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	case <-ctx.Done():
		t.Fatalf("nothing in time, want %q", want)
	}
}
