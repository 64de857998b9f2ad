package agent

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// peer is a small IAX2 server standing in for Asterisk: handset1/s3cret
// and handset2/other, extensions 600 (answer, echo), 601 (ring, then
// answer), 100 (answer, then hang up), 404 (refused: Unallocated number,
// cause 1), 486 (busy), anything else rings forever.
type peer struct {
	t    *testing.T
	ep   *iax.Endpoint
	addr netip.AddrPort
	stop context.CancelFunc
	done chan struct{}

	mu     sync.Mutex
	events []string // DTMF and transfers seen by the peer, in order
	noted  chan struct{}
	calls  chan *iax.Call
}

func startPeer(t *testing.T, addr string) *peer {
	t.Helper()
	return startPeerWith(t, addr, iax.ServerConfig{})
}

// startPeerWith starts the peer with sc's registrar settings (its Users
// are the peer's own).
func startPeerWith(t *testing.T, addr string, sc iax.ServerConfig) *peer {
	t.Helper()
	users := map[string]iax.User{
		"handset1": {Name: "handset1", Secret: "s3cret"},
		"handset2": {Name: "handset2", Secret: "other"},
	}
	sc.Users = func(n string) (iax.User, bool) { u, ok := users[n]; return u, ok }
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := iax.Listen(ctx, addr, iax.Config{Server: &sc,
		Retransmit: iax.Retransmit{Initial: 100 * time.Millisecond, Tries: 4}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	p := &peer{t: t, ep: ep, addr: ep.LocalAddr(), stop: cancel, done: make(chan struct{}), noted: make(chan struct{}, 64), calls: make(chan *iax.Call, 16)}
	go func() {
		defer close(p.done)
		ep.Serve(ctx, p.handle)
	}()
	t.Cleanup(p.close)
	return p
}

func (p *peer) close() {
	p.stop()
	p.ep.Close()
	<-p.done
}

func (p *peer) note(s string) {
	p.mu.Lock()
	p.events = append(p.events, s)
	p.mu.Unlock()
	p.noted <- struct{}{}
}

// waitSeen waits until what the peer saw is want.
func (p *peer) waitSeen(ctx context.Context, want string) {
	p.t.Helper()
	for p.seen() != want {
		select {
		case <-p.noted:
		case <-ctx.Done():
			p.t.Fatalf("the server saw %q, want %q", p.seen(), want)
		}
	}
}

func (p *peer) seen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.events, " ")
}

func (p *peer) handle(ctx context.Context, c *iax.Call) {
	p.calls <- c
	switch c.Info().Called {
	case "600":
		c.Answer()
	case "601":
		c.Indicate(iax.CtlRinging)
		time.AfterFunc(50*time.Millisecond, func() { c.Answer() })
	case "100":
		c.Answer()
		c.Hangup(iax.CauseNormal)
		return
	case "404":
		c.Reject(iax.CauseUnallocated)
		return
	case "486":
		c.Indicate(iax.CtlBusy)
		select {
		case <-c.Done():
		case <-ctx.Done():
		}
		return
	default:
		c.Indicate(iax.CtlRinging)
	}
	for {
		select {
		case ev := <-c.Events():
			switch ev.Type {
			case iax.EventDTMFEnd:
				p.note("dtmf:" + string(ev.Digit))
			case iax.EventTransfer:
				p.note("transfer:" + ev.Text)
			}
		case v := <-c.Voice():
			c.SendVoice(v.Payload)
		case <-c.Done():
			return
		case <-ctx.Done():
			return
		}
	}
}

// rig is phoned's side: a bus, the agent, and a Manager watching it.
type rig struct {
	t      *testing.T
	ctx    context.Context
	config string
	agent  *Agent
	// bus is phonectl's connection, for requests a Manager would check
	// before sending (a third-party client need not).
	bus   *bus.Client
	mgr   *telephony.Manager
	regs  chan telephony.RegistrationState
	calls chan []telephony.CallInfo
	// problems gets each registrationProblem the agent publishes, "" for
	// its removal.
	problems chan string
}

func newRig(t *testing.T, s asteriskconf.Settings, opts Options) *rig {
	t.Helper()
	return newRigConf(t, func(dir string) {
		if s.Server != "" {
			if err := asteriskconf.Save(dir, s); err != nil {
				t.Fatal(err)
			}
		}
	}, opts)
}

// newRigConf starts the rig after write has put the agent's configuration
// in its config directory.
func newRigConf(t *testing.T, write func(dir string), opts Options) *rig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	r := &rig{t: t, ctx: ctx, config: t.TempDir(),
		regs: make(chan telephony.RegistrationState, 64), calls: make(chan []telephony.CallInfo, 64),
		problems: make(chan string, 64)}
	write(r.config)
	sock := bus.SocketPath(t.TempDir())
	srv, err := bus.Listen(sock, bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dial := func(name string) *bus.Client {
		c, err := bus.Dial(ctx, sock, bus.ClientOptions{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	watcher := dial("phonectl")
	r.bus = watcher
	r.mgr = telephony.NewManager(watcher)
	problemKey := vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, ServiceName), telephony.KeyRegistrationProblem)
	if _, err := watcher.Subscribe(ctx, problemKey, func(b vs.Batch) {
		for _, c := range b.Changes {
			if c.Path == problemKey {
				text, _ := c.Value.Str()
				r.problems <- text
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.mgr.WatchRegistration(ctx, ServiceName, func(reg telephony.Registration, ok bool) {
		if ok {
			r.regs <- reg.State
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
	opts.ConfigDir = r.config
	opts.Listen = "127.0.0.1:0"
	opts.RegisterDelay = time.Millisecond
	if opts.RetryMin == 0 {
		opts.RetryMin, opts.RetryMax = 50*time.Millisecond, 200*time.Millisecond
	}
	opts.Retransmit = iax.Retransmit{Initial: 100 * time.Millisecond, Max: 200 * time.Millisecond, Tries: 3}
	a, err := Start(ctx, dial("iaxagent"), opts)
	if err != nil {
		t.Fatal(err)
	}
	r.agent = a
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		a.Stop(sctx)
	})
	return r
}

func settingsFor(p *peer, user, secret string) asteriskconf.Settings {
	s := asteriskconf.Default()
	s.Server, s.Port, s.UserID, s.Password = "127.0.0.1", int(p.addr.Port()), user, secret
	s.CallerIDName, s.CallerIDNumber = "Handset One", "201"
	return s
}

// waitReg waits until the registration state is want.
func (r *rig) waitReg(want telephony.RegistrationState) {
	r.t.Helper()
	var seen []string
	for {
		select {
		case st := <-r.regs:
			seen = append(seen, st.String())
			if st == want {
				return
			}
		case <-r.ctx.Done():
			r.t.Fatalf("registration never %v; saw %v", want, seen)
		}
	}
}

// waitProblem waits until the registration problem published contains
// want ("" waits for its removal), and returns it.
func (r *rig) waitProblem(want string) string {
	r.t.Helper()
	var seen []string
	for {
		select {
		case p := <-r.problems:
			seen = append(seen, fmt.Sprintf("%q", p))
			if (want == "" && p == "") || (want != "" && strings.Contains(p, want)) {
				return p
			}
		case <-r.ctx.Done():
			r.t.Fatalf("registration problem never had %q; saw %v", want, seen)
		}
	}
}

// waitCall waits for a transaction in which call id (or, with id "",
// any call) has state want, and returns that call's info and the whole
// transaction rendered as "number:State" items.
func (r *rig) waitCall(id string, want telephony.CallState) (telephony.CallInfo, string) {
	r.t.Helper()
	var seen []string
	for {
		select {
		case calls := <-r.calls:
			var items []string
			for _, c := range calls {
				items = append(items, c.Number+":"+c.State.String())
			}
			tx := strings.Join(items, ",")
			seen = append(seen, "["+tx+"]")
			for _, c := range calls {
				if (id == "" || c.ID == id) && c.State == want {
					return c, tx
				}
			}
		case <-r.ctx.Done():
			r.t.Fatalf("call %q never %v; transactions seen: %v", id, want, seen)
		}
	}
}

func (r *rig) dial(number string) string {
	r.t.Helper()
	id, err := r.mgr.Dial(r.ctx, ServiceName, CallType, number)
	if err != nil {
		r.t.Fatalf("Dial(%s): %v", number, err)
	}
	return id
}

func TestRegisterCallsAndHangups(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{})
	r.waitReg(telephony.RegistrationHome)
	if ready, hasChecker, err := r.mgr.Ready(r.ctx, ServiceName); err != nil || !ready || !hasChecker {
		t.Errorf("Ready = %v, %v, %v; want ready with a checker", ready, hasChecker, err)
	}
	if types, err := r.mgr.CallTypes(r.ctx, ServiceName); err != nil || strings.Join(types, ",") != CallType {
		t.Errorf("call types = %q, %v", types, err)
	}
	if ifs, _ := r.mgr.Interfaces(r.ctx, ServiceName); strings.Contains(fmt.Sprint(ifs), "Presence") {
		t.Errorf("the asterisk service offers presence: %v", ifs)
	}

	// 600 answers at once: Dialing → Connected; we hang up.
	id := r.dial("600")
	r.waitCall(id, telephony.CallDialing)
	c, _ := r.waitCall(id, telephony.CallConnected)
	if c.Actions != telephony.ActionHold|telephony.ActionTone|telephony.ActionTransfer {
		t.Errorf("connected call actions = %v", c.Actions)
	}
	pc := <-p.calls
	if info := pc.Info(); info.Called != "600" || info.CallingNumber != "201" || info.CallingName != "Handset One" || info.Username != "handset1" {
		t.Errorf("the server saw %+v", info)
	}
	if err := r.mgr.Tone(r.ctx, ServiceName, id, "123"); err != nil {
		t.Fatal(err)
	}
	p.waitSeen(r.ctx, "dtmf:1 dtmf:2 dtmf:3")
	if err := r.mgr.Hangup(r.ctx, ServiceName, id, telephony.ScopeCallOnly); err != nil {
		t.Fatal(err)
	}
	r.waitCall(id, telephony.CallHangupLocal)

	// 601 rings first: Alerting, then Connected.
	id = r.dial("601")
	r.waitCall(id, telephony.CallAlerting)
	r.waitCall(id, telephony.CallConnected)
	r.mgr.Hangup(r.ctx, ServiceName, id, telephony.ScopeCallOnly)
	r.waitCall(id, telephony.CallHangupLocal)
	<-p.calls

	// 100 answers and hangs up: HangupRemote.
	id = r.dial("100")
	r.waitCall(id, telephony.CallHangupRemote)
	<-p.calls
}

func TestHoldActivateSwapAndTransfer(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{})
	r.waitReg(telephony.RegistrationHome)
	a := r.dial("600")
	r.waitCall(a, telephony.CallConnected)
	// Dialing a second call holds the first in the same transaction.
	b := r.dial("600")
	_, tx := r.waitCall(a, telephony.CallHold)
	if tx != "600:Hold,600:Dialing" && tx != "600:Dialing,600:Hold" {
		t.Errorf("dialing the second call published %q, want both changes at once", tx)
	}
	r.waitCall(b, telephony.CallConnected)
	// Activate the first: the second goes on hold in the same transaction.
	if err := r.mgr.Activate(r.ctx, ServiceName, a, telephony.ScopeCallOnly); err != nil {
		t.Fatal(err)
	}
	_, tx = r.waitCall(a, telephony.CallConnected)
	if tx != "600:Hold,600:Connected" && tx != "600:Connected,600:Hold" {
		t.Errorf("the swap published %q, want both changes in one transaction", tx)
	}
	// Blind transfer of the connected call.
	if err := r.mgr.Transfer(r.ctx, ServiceName, a, "602"); err != nil {
		t.Fatal(err)
	}
	p.waitSeen(r.ctx, "transfer:602")
}

func TestIncomingAnsweredAndMissed(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{})
	r.waitReg(telephony.RegistrationHome)
	where, ok := p.ep.Lookup("handset1")
	if !ok {
		t.Fatal("the server does not know where handset1 is")
	}
	in, err := p.ep.Dial(iax.DialOptions{Peer: where, Called: "s", CallingNumber: "202", CallingName: "Handset Two"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := r.waitCall("", telephony.CallIncoming)
	if c.Number != "202" || c.Actions != telephony.ActionAccept|telephony.ActionTransfer {
		t.Errorf("incoming call = %+v", c)
	}
	if err := r.mgr.Accept(r.ctx, ServiceName, c.ID); err != nil {
		t.Fatal(err)
	}
	r.waitCall(c.ID, telephony.CallConnected)
	in.Hangup(iax.CauseNormal)
	r.waitCall(c.ID, telephony.CallHangupRemote)

	// A caller who gives up before we answer: Missed.
	in, err = p.ep.Dial(iax.DialOptions{Peer: where, Called: "s", CallingNumber: "203"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ = r.waitCall("", telephony.CallIncoming)
	in.Hangup(iax.CauseNormal)
	r.waitCall(c.ID, telephony.CallMissed)
}

func TestRefusedDials(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{MaxCalls: 2})
	r.waitReg(telephony.RegistrationHome)
	var ids []string
	for i := 0; i < 2; i++ {
		ids = append(ids, r.dial("700"))
		r.waitCall(ids[i], telephony.CallAlerting)
	}
	r.waitCall(r.dial("700"), telephony.CallOtherFailure)
	for _, id := range ids {
		r.mgr.Hangup(r.ctx, ServiceName, id, telephony.ScopeCallOnly)
		r.waitCall(id, telephony.CallHangupLocal)
	}

	// Not registered: NetworkFailure.
	if err := r.mgr.SetCurrentOperator(r.ctx, ServiceName, telephony.OperatorModeDeregister, "", ""); err != nil {
		t.Fatal(err)
	}
	r.waitReg(telephony.RegistrationNone)
	r.waitCall(r.dial("600"), telephony.CallNetworkFailure)
	if _, ok := p.ep.Lookup("handset1"); ok {
		t.Error("deregister did not release the registration (REGREL)")
	}
}

func TestDeniedThenFixedByUpdate(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "wrong"), Options{})
	r.waitReg(telephony.RegistrationDenied)
	if err := asteriskconf.Save(r.config, settingsFor(p, "handset1", "s3cret")); err != nil {
		t.Fatal(err)
	}
	if err := r.mgr.UpdateConfiguration(r.ctx, ServiceName, "registration", ""); err != nil {
		t.Fatal(err)
	}
	r.waitReg(telephony.RegistrationHome)
}

func TestServerGoneAndBack(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	addr := p.addr.String()
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{})
	r.waitReg(telephony.RegistrationHome)
	// Stop the server; a re-registration request finds nobody.
	p.close()
	r.mgr.SetCurrentOperator(r.ctx, ServiceName, telephony.OperatorModeAutomatic, "", "")
	r.waitReg(telephony.RegistrationSearching)
	r.waitReg(telephony.RegistrationNone)
	// It comes back on the same port: the agent's retries find it.
	startPeer(t, addr)
	r.waitReg(telephony.RegistrationHome)
}

// TestRefreshStaysHome: the registration's refreshes (REGREQ again before
// the grant expires) keep the service Home; it never flickers to
// Searching, when a dial would be refused.
func TestRefreshStaysHome(t *testing.T) {
	binds := make(chan struct{}, 64)
	p := startPeerWith(t, "127.0.0.1:0", iax.ServerConfig{
		// A one-second grant: the agent refreshes every 800 ms.
		MinRefresh: time.Second, MaxRefresh: time.Second,
		OnRegister: func(user string, _ netip.AddrPort, registered bool) {
			if registered {
				binds <- struct{}{}
			}
		},
	})
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{})
	r.waitReg(telephony.RegistrationHome)
	for i := 0; i < 4; i++ { // the registration and three refreshes
		select {
		case <-binds:
		case <-r.ctx.Done():
			t.Fatalf("the server saw %d registrations, want 4", i)
		}
	}
	// Each refresh's state (if it had one) was published long before the
	// next REGREQ reached the server.
	for drained := false; !drained; {
		select {
		case st := <-r.regs:
			if st != telephony.RegistrationHome {
				t.Fatalf("registration state %v during refreshes, want Home throughout", st)
			}
		default:
			drained = true
		}
	}
	r.waitCall(r.dial("600"), telephony.CallConnected)
}

func TestNotConfigured(t *testing.T) {
	r := newRig(t, asteriskconf.Settings{}, Options{})
	// The checker is published before the first registration state, on
	// the same connection.
	r.waitReg(telephony.RegistrationNone)
	ready, hasChecker, err := r.mgr.Ready(r.ctx, ServiceName)
	if err != nil || ready || !hasChecker {
		t.Errorf("Ready without a server = %v, %v, %v; want not ready", ready, hasChecker, err)
	}
}

// TestCallsNeverAnnouncedIdle: the agent's outgoing and incoming calls
// first appear in Dialing and Incoming, never in Idle (phoned warns about
// calls it sees in Idle: they look unannounced).
func TestCallsNeverAnnouncedIdle(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{})
	r.waitReg(telephony.RegistrationHome)
	// until reads every transaction up to one with a call in state want,
	// failing on any call announced Idle on the way.
	until := func(want telephony.CallState) telephony.CallInfo {
		t.Helper()
		for {
			select {
			case calls := <-r.calls:
				for _, c := range calls {
					if c.State == telephony.CallIdle {
						t.Errorf("call %s (%s) announced Idle", c.ID, c.Number)
					}
				}
				for _, c := range calls {
					if c.State == want {
						return c
					}
				}
			case <-r.ctx.Done():
				t.Fatalf("no call reached %v", want)
			}
		}
	}
	id := r.dial("600")
	if c := until(telephony.CallDialing); c.ID != id || c.Number != "600" {
		t.Errorf("first announcement = %+v, want call %s to 600", c, id)
	}
	until(telephony.CallConnected)
	where, _ := p.ep.Lookup("handset1")
	if _, err := p.ep.Dial(iax.DialOptions{Peer: where, Called: "s", CallingNumber: "202"}); err != nil {
		t.Fatal(err)
	}
	if in := until(telephony.CallIncoming); in.Number != "202" {
		t.Errorf("incoming call announced with number %q", in.Number)
	}
}
