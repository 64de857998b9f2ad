package telephony

import (
	"context"
	"fmt"
	"slices"

	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Manager is the client side of the telephony services, for phoned,
// phonectl and settings programs: it reads what services publish and sends
// them requests over the bus.
type Manager struct {
	c *bus.Client
}

// NewManager uses the bus connection c.
func NewManager(c *bus.Client) *Manager { return &Manager{c: c} }

// Services returns the names of the initialized services, sorted: every
// service with at least one interface published under /Communications.
func (m *Manager) Services(ctx context.Context) ([]string, error) {
	var all []string
	for _, i := range Interfaces() {
		names, err := m.c.List(ctx, vs.Join(CommunicationsPath, string(i)))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if i == CallProviderInterface && n == "CallTypes" {
				continue
			}
			if !slices.Contains(all, n) {
				all = append(all, n)
			}
		}
	}
	slices.Sort(all)
	return all, nil
}

// Interfaces returns the interfaces service has published.
func (m *Manager) Interfaces(ctx context.Context, service string) ([]Interface, error) {
	var out []Interface
	for _, i := range Interfaces() {
		_, ok, err := m.c.Get(ctx, vs.Join(InterfacePath(i, service), KeyRequestChannel))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, i)
		}
	}
	return out, nil
}

// Registration is a service's published network registration.
type Registration struct {
	State      RegistrationState
	Mode       OperatorMode
	Operator   string
	OperatorID string
	Technology string
}

// Registration reads /Communications/QNetworkRegistration/<service>/.
// It fails with ErrNoService when the service has no such interface.
func (m *Manager) Registration(ctx context.Context, service string) (Registration, error) {
	var r Registration
	base := InterfacePath(NetworkRegistrationInterface, service)
	get := func(key string) (string, error) {
		v, ok, err := m.c.Get(ctx, vs.Join(base, key))
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fmt.Errorf("%w: %s has no %s", ErrNoService, service, vs.Join(base, key))
		}
		s, _ := v.Str()
		return s, nil
	}
	st, err := get(KeyRegistrationState)
	if err != nil {
		return r, err
	}
	if r.State, err = ParseRegistrationState(st); err != nil {
		return r, err
	}
	if mode, err := get(KeyOperatorMode); err == nil {
		r.Mode, _ = ParseOperatorMode(mode)
	}
	r.Operator, _ = get(KeyCurrentOperator)
	r.OperatorID, _ = get(KeyOperatorID)
	r.Technology, _ = get(KeyTechnology)
	return r, nil
}

// RegistrationState reads the service's registration state.
func (m *Manager) RegistrationState(ctx context.Context, service string) (RegistrationState, error) {
	r, err := m.Registration(ctx, service)
	return r.State, err
}

// Ready reports whether service is ready to use: its service checker says
// valid, or it has none and is initialized. hasChecker tells which.
func (m *Manager) Ready(ctx context.Context, service string) (ready, hasChecker bool, err error) {
	v, ok, err := m.c.Get(ctx, vs.Join(InterfacePath(ServiceCheckerInterface, service), KeyValid))
	if err != nil {
		return false, false, err
	}
	if ok {
		b, _ := v.Bool()
		return b, true, nil
	}
	ifs, err := m.Interfaces(ctx, service)
	return len(ifs) > 0, false, err
}

// CallTypes reads /Communications/QPhoneCallProvider/CallTypes/<service>.
func (m *Manager) CallTypes(ctx context.Context, service string) ([]string, error) {
	v, ok, err := m.c.Get(ctx, CallTypesKey(service))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s publishes no call types", ErrNoService, service)
	}
	l, _ := v.List()
	return l, nil
}

// AllCallTypes returns every service's call types.
func (m *Manager) AllCallTypes(ctx context.Context) (map[string][]string, error) {
	names, err := m.c.List(ctx, CallTypesPath)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(names))
	for _, n := range names {
		if out[n], err = m.CallTypes(ctx, n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// request sends a request to a service interface; ErrNoService when the
// service does not listen.
func (m *Manager) request(ctx context.Context, i Interface, service, name string, args ...vs.Value) error {
	err := qcop.Send(ctx, m.c, qcop.Message{Channel: qcop.RequestChannel(string(i), service), Name: name, Args: args})
	if err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrNoService, service, i, err)
	}
	return nil
}

// Dial asks service to place a call of callType to number, and returns the
// new call's identifier. The call's progress arrives through WatchCalls.
func (m *Manager) Dial(ctx context.Context, service, callType, number string) (string, error) {
	if err := CheckNumber(number); err != nil {
		return "", err
	}
	id := NewCallID()
	return id, m.request(ctx, CallProviderInterface, service, MsgDial, vs.String(id), vs.String(callType), vs.String(number))
}

// Hangup asks service to end call id.
func (m *Manager) Hangup(ctx context.Context, service, id string, scope Scope) error {
	return m.request(ctx, CallProviderInterface, service, MsgHangup, vs.String(id), vs.String(scope.String()))
}

// Accept answers an incoming call.
func (m *Manager) Accept(ctx context.Context, service, id string) error {
	return m.request(ctx, CallProviderInterface, service, MsgAccept, vs.String(id))
}

// Hold puts a call on hold.
func (m *Manager) Hold(ctx context.Context, service, id string) error {
	return m.request(ctx, CallProviderInterface, service, MsgHold, vs.String(id))
}

// Activate resumes a held call.
func (m *Manager) Activate(ctx context.Context, service, id string, scope Scope) error {
	return m.request(ctx, CallProviderInterface, service, MsgActivate, vs.String(id), vs.String(scope.String()))
}

// Tone sends DTMF tones on a call.
func (m *Manager) Tone(ctx context.Context, service, id, tones string) error {
	if err := CheckTones(tones); err != nil {
		return err
	}
	return m.request(ctx, CallProviderInterface, service, MsgTone, vs.String(id), vs.String(tones))
}

// Transfer transfers a call to number.
func (m *Manager) Transfer(ctx context.Context, service, id, number string) error {
	if err := CheckNumber(number); err != nil {
		return err
	}
	return m.request(ctx, CallProviderInterface, service, MsgTransfer, vs.String(id), vs.String(number))
}

// ListCalls asks service to announce all its live calls as one transaction
// (for a client that starts late).
func (m *Manager) ListCalls(ctx context.Context, service string) error {
	return m.request(ctx, CallProviderInterface, service, MsgListCalls)
}

// SetCurrentOperator asks service to register (Automatic, Manual, ...) or
// deregister (OperatorModeDeregister).
func (m *Manager) SetCurrentOperator(ctx context.Context, service string, mode OperatorMode, id, technology string) error {
	return m.request(ctx, NetworkRegistrationInterface, service, MsgSetCurrentOperator,
		vs.String(mode.String()), vs.String(id), vs.String(technology))
}

// RequestAvailableOperators asks for the operator list; the answer comes on
// the response channel (see WatchResponses).
func (m *Manager) RequestAvailableOperators(ctx context.Context, service string) error {
	return m.request(ctx, NetworkRegistrationInterface, service, MsgRequestAvailableOperators)
}

// UpdateConfiguration tells service that setting name changed (settings
// programs send "registration" or "callerid" after writing the file).
func (m *Manager) UpdateConfiguration(ctx context.Context, service, name, value string) error {
	return m.request(ctx, ConfigurationInterface, service, MsgUpdate, vs.String(name), vs.String(value))
}

// RequestConfiguration asks for a setting; the answer is a notification
// on the response channel (see WatchResponses).
func (m *Manager) RequestConfiguration(ctx context.Context, service, name string) error {
	return m.request(ctx, ConfigurationInterface, service, MsgRequest, vs.String(name))
}

// StartMonitoring, StopMonitoring and SetLocalPresence drive QPresence.
func (m *Manager) StartMonitoring(ctx context.Context, service, uri string) error {
	return m.request(ctx, PresenceInterface, service, MsgStartMonitoring, vs.String(uri))
}

// StopMonitoring stops watching uri's presence.
func (m *Manager) StopMonitoring(ctx context.Context, service, uri string) error {
	return m.request(ctx, PresenceInterface, service, MsgStopMonitoring, vs.String(uri))
}

// SetLocalPresence asks service to publish the user's presence.
func (m *Manager) SetLocalPresence(ctx context.Context, service string, st PresenceStatus) error {
	return m.request(ctx, PresenceInterface, service, MsgSetLocalPresence, vs.String(st.String()))
}

// CallEvent is what a call provider announced: a state transaction (Calls)
// or the failure of a request (Failure).
type CallEvent struct {
	Service string
	Calls   []CallInfo
	Failure *RequestFailure
}

// RequestFailure says why a call request was refused.
type RequestFailure struct {
	CallID  string
	Request string
	Reason  string
}

func (f *RequestFailure) Error() string {
	return fmt.Sprintf("telephony: %s of call %s failed: %s", f.Request, f.CallID, f.Reason)
}

// WatchCalls calls fn for every transaction and request failure the call
// provider of service announces, in order, on the bus client's dispatch
// goroutine. Close the returned listener to stop.
func (m *Manager) WatchCalls(ctx context.Context, service string, fn func(CallEvent)) (*bus.Listener, error) {
	return qcop.Listen(ctx, m.c, CallResponseChannel(service), func(msg qcop.Message) {
		if e, ok := DecodeCallEvent(service, msg); ok {
			fn(e)
		}
	})
}

// CallResponseChannel is the channel on which service announces its calls.
func CallResponseChannel(service string) string {
	return qcop.ResponseChannel(string(CallProviderInterface), service)
}

// DecodeCallEvent turns a message on a call provider's response channel
// into a CallEvent; ok is false for messages that are not call events. A
// state change that does not decode is a Failure event naming why.
func DecodeCallEvent(service string, msg qcop.Message) (e CallEvent, ok bool) {
	switch msg.Name {
	case MsgStateChanged:
		calls, err := DecodeCalls(service, msg.Args)
		if err != nil {
			return CallEvent{Service: service, Failure: &RequestFailure{Request: MsgStateChanged, Reason: err.Error()}}, true
		}
		return CallEvent{Service: service, Calls: calls}, true
	case MsgRequestFailed:
		id, _ := msg.Str(0)
		req, _ := msg.Str(1)
		reason, _ := msg.Str(2)
		return CallEvent{Service: service, Failure: &RequestFailure{CallID: id, Request: req, Reason: reason}}, true
	}
	return CallEvent{}, false
}

// WatchResponses calls fn for every message on an interface's response
// channel (operator lists, configuration notifications, presence).
func (m *Manager) WatchResponses(ctx context.Context, i Interface, service string, fn func(qcop.Message)) (*bus.Listener, error) {
	return qcop.Listen(ctx, m.c, qcop.ResponseChannel(string(i), service), fn)
}

// CallOps returns the value-space changes that record calls in phoned's
// call list: /Communications/Calls/<id>/state, number, service, callType
// and actions. Recording the start time, counting missed calls and
// removing ended calls are phoned's decisions.
func CallOps(calls []CallInfo) []vs.Op {
	ops := make([]vs.Op, 0, 5*len(calls))
	for _, c := range calls {
		p := CallPath(c.ID)
		ops = append(ops,
			vs.SetOp(vs.Join(p, KeyCallState), vs.String(c.State.String())),
			vs.SetOp(vs.Join(p, KeyCallNumber), vs.String(c.Number)),
			vs.SetOp(vs.Join(p, KeyCallService), vs.String(c.Service)),
			vs.SetOp(vs.Join(p, KeyCallType), vs.String(c.CallType)),
			vs.SetOp(vs.Join(p, KeyCallActions), vs.String(c.Actions.String())))
		if c.Name != "" {
			ops = append(ops, vs.SetOp(vs.Join(p, KeyCallName), vs.String(c.Name)))
		}
		if c.Reason != "" {
			ops = append(ops, vs.SetOp(vs.Join(p, KeyCallReason), vs.String(c.Reason)))
		}
	}
	return ops
}
