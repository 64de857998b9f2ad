package telephony

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"

	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Request and response message names of QPhoneCallProvider. Every call
// request names the call by its identifier first.
const (
	MsgDial      = "dial"     // id, callType, number
	MsgHangup    = "hangup"   // id, scope
	MsgAccept    = "accept"   // id
	MsgHold      = "hold"     // id
	MsgActivate  = "activate" // id, scope
	MsgTone      = "tone"     // id, tones
	MsgTransfer  = "transfer" // id, number
	MsgListCalls = "listCalls"
	// MsgStateChanged is the transaction announcement: five values per
	// call (id, callType, number, state, actions as int).
	MsgStateChanged = "stateChanged"
	// MsgRequestFailed answers a request that could not be served:
	// id, request name, reason.
	MsgRequestFailed = "requestFailed"
)

// DialOptions are the parameters of an outgoing call.
type DialOptions struct {
	Number string
}

// CallImpl is what an agent implements for one call (QPhoneCallImpl). The
// agent reports progress with the Call's setters.
type CallImpl interface {
	Dial(opts DialOptions)
	Hangup(scope Scope)
	Accept()
	Hold()
	Activate(scope Scope)
	Tone(tones string)
	Transfer(number string)
}

// CallProviderImpl creates the implementation of an outgoing call that the
// system asked for; Dial follows at once. Returning nil refuses the call
// (it ends in OtherFailure).
type CallProviderImpl interface {
	Create(call *Call) CallImpl
}

// CallInfo is a call as announced in a transaction.
type CallInfo struct {
	ID       string
	Service  string
	CallType string
	Number   string
	State    CallState
	Actions  Actions
	// Name is the remote party's name when the network gives one (the
	// caller's name of an incoming call), else "".
	Name string `json:",omitempty"`
	// Reason says why a call ended, in words, when the network or the
	// service said more than the final state ("no such extension", with
	// the cause code); "" while the call is live.
	Reason string `json:",omitempty"`
}

// CallProvider is the QPhoneCallProvider interface of a service: it
// publishes the call types at /Communications/QPhoneCallProvider/CallTypes/
// <service>, turns call requests into CallImpl calls, and announces call
// state changes on its response channel, grouped by state transactions.
type CallProvider struct {
	base
	impl      CallProviderImpl
	callTypes []string
	calls     map[string]*Call
	txDepth   int
	changed   []*Call // calls changed in the open transaction, in order
}

// SetCallProvider adds the call provider with the call types the service
// handles (for Asterisk: "Asterisk").
func (s *Service) SetCallProvider(impl CallProviderImpl, callTypes ...string) *CallProvider {
	p := &CallProvider{
		base:      base{svc: s, kind: CallProviderInterface},
		impl:      impl,
		callTypes: slices.Clone(callTypes),
		calls:     make(map[string]*Call),
	}
	s.add(p)
	return p
}

// CallProvider returns the service's call provider, or nil.
func (s *Service) CallProvider() *CallProvider {
	p, _ := s.part(CallProviderInterface).(*CallProvider)
	return p
}

func (s *Service) part(i Interface) part {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.parts[i]
}

func (p *CallProvider) valuesLocked() []vs.Op {
	return []vs.Op{vs.SetOp(CallTypesKey(p.svc.name), vs.Strings(p.callTypes...))}
}

// SetCallTypes replaces the call types and publishes them.
func (p *CallProvider) SetCallTypes(types ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.callTypes = slices.Clone(types)
	p.publishLocked(p.valuesLocked()...)
}

// CallTypes returns the call types.
func (p *CallProvider) CallTypes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.callTypes)
}

// NewCallID returns a fresh random call identifier.
func NewCallID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NewCall registers a call the agent detected (an incoming call). An empty
// id gets a fresh one. Set its number, actions and state (Incoming) inside
// a state transaction so that they are announced together.
func (p *CallProvider) NewCall(id, callType string, impl CallImpl) *Call {
	if id == "" {
		id = NewCallID()
	}
	c := &Call{p: p, id: id, callType: callType, impl: impl}
	p.mu.Lock()
	p.calls[id] = c
	p.mu.Unlock()
	return c
}

// Call returns the live call with the identifier, or nil.
func (p *CallProvider) Call(id string) *Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[id]
}

// Calls returns the live calls sorted by identifier.
func (p *CallProvider) Calls() []*Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Call, 0, len(p.calls))
	for _, c := range p.calls {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// BeginStateTransaction starts grouping call changes; they are announced
// together by the matching EndStateTransaction. Transactions nest.
func (p *CallProvider) BeginStateTransaction() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.txDepth++
}

// EndStateTransaction closes a transaction; the outermost one announces
// every call changed since its Begin in one message.
func (p *CallProvider) EndStateTransaction() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.txDepth == 0 {
		p.svc.log.Error("EndStateTransaction without Begin")
		return
	}
	p.txDepth--
	if p.txDepth == 0 {
		p.flushLocked()
	}
}

// changedLocked records c as changed and announces at once outside a
// transaction.
func (p *CallProvider) changedLocked(c *Call) {
	if c.ended {
		p.svc.log.Warn("change to an ended call ignored", "call", c.id)
		return
	}
	if !slices.Contains(p.changed, c) {
		p.changed = append(p.changed, c)
	}
	if p.txDepth == 0 {
		p.flushLocked()
	}
}

func (p *CallProvider) flushLocked() {
	if len(p.changed) == 0 {
		return
	}
	infos := make([]CallInfo, len(p.changed))
	for i, c := range p.changed {
		infos[i] = c.infoLocked()
		if c.state.Final() {
			c.ended = true
			delete(p.calls, c.id)
		}
	}
	p.changed = p.changed[:0]
	p.announceLocked(infos)
}

func (p *CallProvider) announceLocked(infos []CallInfo) {
	for _, ci := range infos {
		p.svc.log.Info("call state", "call", ci.ID, "state", ci.State.String(), "number", ci.Number)
	}
	// Posting only queues, so the lock keeps announcements in order.
	p.respond(MsgStateChanged, EncodeCalls(infos)...)
}

// callStride is the number of arguments per call in stateChanged: id,
// call type, number, state, actions, name, reason. The first argument is
// the stride itself (an int), which tells this encoding from the first
// one: five arguments per call, starting with the id (a string).
const callStride = 7

// EncodeCalls returns the stateChanged arguments for calls.
func EncodeCalls(calls []CallInfo) []vs.Value {
	args := make([]vs.Value, 0, 1+callStride*len(calls))
	args = append(args, vs.Int(callStride))
	for _, c := range calls {
		args = append(args, vs.String(c.ID), vs.String(c.CallType), vs.String(c.Number),
			vs.String(c.State.String()), vs.Int(int64(c.Actions)), vs.String(c.Name), vs.String(c.Reason))
	}
	return args
}

// DecodeCalls parses stateChanged arguments of service, in either
// encoding (see callStride).
func DecodeCalls(service string, args []vs.Value) ([]CallInfo, error) {
	stride := 5
	if len(args) > 0 {
		if n, ok := args[0].Int(); ok {
			if n < 5 || n > 64 {
				return nil, fmt.Errorf("%w: %d arguments per call, want 5 or more", ErrBadTransaction, n)
			}
			stride, args = int(n), args[1:]
		}
	}
	if len(args)%stride != 0 {
		return nil, fmt.Errorf("%w: %d arguments, want %d per call", ErrBadTransaction, len(args), stride)
	}
	m := qcop.Message{Name: MsgStateChanged, Args: args}
	out := make([]CallInfo, 0, len(args)/stride)
	for i := 0; i < len(args); i += stride {
		id, e1 := m.Str(i)
		ct, e2 := m.Str(i + 1)
		num, e3 := m.Str(i + 2)
		st, e4 := m.Str(i + 3)
		act, e5 := m.Int(i + 4)
		if err := firstErr(e1, e2, e3, e4, e5); err != nil {
			return nil, fmt.Errorf("%w: call %d: %w", ErrBadTransaction, i/stride, err)
		}
		state, err := ParseCallState(st)
		if err != nil {
			return nil, fmt.Errorf("%w: call %d: %w", ErrBadTransaction, i/stride, err)
		}
		c := CallInfo{ID: id, Service: service, CallType: ct, Number: num, State: state, Actions: Actions(act)}
		if stride >= 7 {
			// Later fields of a newer encoding are skipped.
			c.Name, _ = m.Str(i + 5)
			c.Reason, _ = m.Str(i + 6)
		}
		out = append(out, c)
	}
	return out, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (p *CallProvider) fail(id, request string, err error) {
	p.svc.log.Warn("call request failed", "call", id, "request", request, "err", err)
	p.respond(MsgRequestFailed, vs.String(id), vs.String(request), vs.String(err.Error()))
}

func (p *CallProvider) handle(m qcop.Message) {
	if m.Name == MsgListCalls {
		p.mu.Lock()
		infos := make([]CallInfo, 0, len(p.calls))
		for _, c := range p.calls {
			infos = append(infos, c.infoLocked())
		}
		sort.Slice(infos, func(i, j int) bool { return infos[i].ID < infos[j].ID })
		p.announceLocked(infos)
		p.mu.Unlock()
		return
	}
	id, err := m.Str(0)
	if err != nil {
		p.fail("", m.Name, err)
		return
	}
	if m.Name == MsgDial {
		p.dial(id, m)
		return
	}
	p.mu.Lock()
	c := p.calls[id]
	p.mu.Unlock()
	if c == nil || c.impl == nil {
		p.fail(id, m.Name, fmt.Errorf("%w: %s", ErrUnknownCall, id))
		return
	}
	switch m.Name {
	case MsgHangup, MsgActivate:
		scope := ScopeCallOnly
		if s, err := m.Str(1); err == nil {
			if scope, err = ParseScope(s); err != nil {
				p.fail(id, m.Name, err)
				return
			}
		}
		if m.Name == MsgHangup {
			c.impl.Hangup(scope)
		} else {
			c.impl.Activate(scope)
		}
	case MsgAccept:
		c.impl.Accept()
	case MsgHold:
		c.impl.Hold()
	case MsgTone, MsgTransfer:
		arg, err := m.Str(1)
		if err != nil {
			p.fail(id, m.Name, err)
			return
		}
		if m.Name == MsgTone {
			c.impl.Tone(arg)
		} else {
			c.impl.Transfer(arg)
		}
	default:
		p.fail(id, m.Name, fmt.Errorf("unknown request %q", m.Name))
	}
}

func (p *CallProvider) dial(id string, m qcop.Message) {
	callType, e1 := m.Str(1)
	number, e2 := m.Str(2)
	if err := firstErr(e1, e2); err != nil {
		p.fail(id, m.Name, err)
		return
	}
	p.mu.Lock()
	if _, dup := p.calls[id]; dup || id == "" {
		p.mu.Unlock()
		p.fail(id, m.Name, fmt.Errorf("call identifier %q in use or empty", id))
		return
	}
	c := &Call{p: p, id: id, callType: callType, number: number}
	p.calls[id] = c
	p.mu.Unlock()
	impl := p.impl.Create(c)
	if impl == nil {
		c.SetState(CallOtherFailure)
		return
	}
	p.mu.Lock()
	c.impl = impl
	p.mu.Unlock()
	impl.Dial(DialOptions{Number: number})
}

// close ends every live call in ServiceHangup, in one transaction.
func (p *CallProvider) close() {
	p.mu.Lock()
	for _, c := range p.calls {
		if !c.state.Final() && !c.ended {
			c.state = CallServiceHangup
			if !slices.Contains(p.changed, c) {
				p.changed = append(p.changed, c)
			}
		}
	}
	sort.Slice(p.changed, func(i, j int) bool { return p.changed[i].id < p.changed[j].id })
	p.txDepth = 0
	p.flushLocked()
	p.closed = true
	p.mu.Unlock()
}

// Call is one phone call of a provider, as the agent sees it. Its setters
// announce changes (at once, or at the end of the open transaction).
type Call struct {
	p        *CallProvider
	id       string
	callType string
	impl     CallImpl
	// Guarded by p.mu.
	ended   bool // a final state was announced; later changes are ignored
	number  string
	name    string
	reason  string
	state   CallState
	actions Actions
}

// ID returns the call identifier.
func (c *Call) ID() string { return c.id }

// CallType returns the call type, e.g. "Asterisk".
func (c *Call) CallType() string { return c.callType }

// Number returns the remote number.
func (c *Call) Number() string {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.number
}

// State returns the call state.
func (c *Call) State() CallState {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.state
}

// Actions returns the actions currently possible.
func (c *Call) Actions() Actions {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.actions
}

// SetNumber sets the remote number.
func (c *Call) SetNumber(n string) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.number = n
	c.p.changedLocked(c)
}

// SetName sets the remote party's name.
func (c *Call) SetName(n string) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.name = n
	c.p.changedLocked(c)
}

// SetReason records why the call ends, in words; set it before or with
// the final state.
func (c *Call) SetReason(r string) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.reason = r
	c.p.changedLocked(c)
}

// SetActions sets the actions possible now.
func (c *Call) SetActions(a Actions) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.actions = a
	c.p.changedLocked(c)
}

// SetState moves the call to st. A final state ends the call: it is
// announced and then forgotten by the provider, and later changes to the
// call are ignored.
func (c *Call) SetState(st CallState) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.state = st
	c.p.changedLocked(c)
}

// Info returns the call as it would be announced.
func (c *Call) Info() CallInfo {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.infoLocked()
}

func (c *Call) infoLocked() CallInfo {
	return CallInfo{ID: c.id, Service: c.p.svc.name, CallType: c.callType, Number: c.number, State: c.state,
		Actions: c.actions, Name: c.name, Reason: c.reason}
}
