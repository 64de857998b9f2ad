package telephony

import (
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Request and response message names of QNetworkRegistration.
const (
	MsgSetCurrentOperator        = "setCurrentOperator"        // mode, id, technology
	MsgRequestAvailableOperators = "requestAvailableOperators" // no arguments
	MsgAvailableOperators        = "availableOperators"        // response: 4 strings per operator
)

// NetworkRegistrationImpl is what an agent implements for network
// registration (the slots of QNetworkRegistrationServer).
type NetworkRegistrationImpl interface {
	// SetCurrentOperator registers (any mode but Deregister) or
	// deregisters. The agent reports the outcome with
	// UpdateRegistrationState.
	SetCurrentOperator(mode OperatorMode, id, technology string)
	// RequestAvailableOperators asks for the operators in range; the agent
	// answers with AvailableOperators (an empty list is fine).
	RequestAvailableOperators()
}

// AvailableOperator is one entry of an operator list.
type AvailableOperator struct {
	Availability string // "Available", "Current", "Forbidden" or "Unavailable"
	Name         string
	ID           string
	Technology   string
}

// NetworkRegistration is the server helper of the QNetworkRegistration
// interface: it serves requests to the agent's implementation and publishes
// registrationState, operatorMode, currentOperator, currentOperatorId and
// currentOperatorTechnology (and registrationProblem, while there is one) under
// /Communications/QNetworkRegistration/<service>/.
type NetworkRegistration struct {
	base
	impl       NetworkRegistrationImpl
	state      RegistrationState
	mode       OperatorMode
	opName     string
	opID       string
	technology string
	problem    string
}

// AddNetworkRegistration adds the interface; the state starts at None,
// mode Automatic.
func (s *Service) AddNetworkRegistration(impl NetworkRegistrationImpl) *NetworkRegistration {
	r := &NetworkRegistration{base: base{svc: s, kind: NetworkRegistrationInterface}, impl: impl}
	s.add(r)
	return r
}

func (r *NetworkRegistration) valuesLocked() []vs.Op {
	ops := []vs.Op{
		vs.SetOp(r.path(KeyRegistrationState), vs.String(r.state.String())),
		vs.SetOp(r.path(KeyOperatorMode), vs.String(r.mode.String())),
		vs.SetOp(r.path(KeyCurrentOperator), vs.String(r.opName)),
		vs.SetOp(r.path(KeyOperatorID), vs.String(r.opID)),
		vs.SetOp(r.path(KeyTechnology), vs.String(r.technology)),
	}
	if r.problem != "" {
		ops = append(ops, vs.SetOp(r.path(KeyRegistrationProblem), vs.String(r.problem)))
	}
	return ops
}

// UpdateRegistrationProblem publishes what keeps the service from
// registering, in words a person can act on; "" removes it.
// phoned lists it among the phone's problems.
func (r *NetworkRegistration) UpdateRegistrationProblem(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.problem == text {
		return
	}
	r.problem = text
	if text == "" {
		r.publishLocked(vs.RemoveOp(r.path(KeyRegistrationProblem)))
		return
	}
	r.publishLocked(vs.SetOp(r.path(KeyRegistrationProblem), vs.String(text)))
}

// UpdateRegistrationState publishes a new registration state.
func (r *NetworkRegistration) UpdateRegistrationState(st RegistrationState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state == st {
		return
	}
	r.state = st
	r.svc.log.Info("registration state", "state", st.String())
	r.publishLocked(vs.SetOp(r.path(KeyRegistrationState), vs.String(st.String())))
}

// UpdateCurrentOperator publishes the operator mode and the current
// operator's name, id and technology.
func (r *NetworkRegistration) UpdateCurrentOperator(mode OperatorMode, name, id, technology string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mode, r.opName, r.opID, r.technology = mode, name, id, technology
	r.publishLocked(r.valuesLocked()[1:5]...)
}

// RegistrationState returns the last state set.
func (r *NetworkRegistration) RegistrationState() RegistrationState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// AvailableOperators answers RequestAvailableOperators on the response
// channel.
func (r *NetworkRegistration) AvailableOperators(ops []AvailableOperator) {
	args := make([]vs.Value, 0, 4*len(ops))
	for _, o := range ops {
		args = append(args, vs.String(o.Availability), vs.String(o.Name), vs.String(o.ID), vs.String(o.Technology))
	}
	r.respond(MsgAvailableOperators, args...)
}

func (r *NetworkRegistration) handle(m qcop.Message) {
	switch m.Name {
	case MsgSetCurrentOperator:
		ms, err := m.Str(0)
		if err != nil {
			r.svc.log.Warn("bad request", "message", m.String(), "err", err)
			return
		}
		mode, err := ParseOperatorMode(ms)
		if err != nil {
			r.svc.log.Warn("bad request", "message", m.String(), "err", err)
			return
		}
		id, _ := m.Str(1)
		tech, _ := m.Str(2)
		r.impl.SetCurrentOperator(mode, id, tech)
	case MsgRequestAvailableOperators:
		r.impl.RequestAvailableOperators()
	default:
		r.svc.log.Warn("unknown request", "message", m.String())
	}
}

func (r *NetworkRegistration) close() { r.closeBase() }
