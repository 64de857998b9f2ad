package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	"github.com/ringo-phone/ringo/telephony/policy"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// onControl serves requests on phoned's control channel.
func (s *Server) onControl(m qcop.Message) {
	reply, err := m.Str(0)
	if err != nil || !strings.HasPrefix(reply, phoneapi.ReplyChannelPrefix) {
		s.log.Warn("control request without a reply channel", "message", m.String())
		return
	}
	switch m.Name {
	case phoneapi.MsgDial:
		number, _ := m.Str(1)
		callType, _ := m.Str(2)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, err := s.Dial(ctx, number, callType)
		var ce *choiceNeeded
		switch {
		case errors.As(err, &ce):
			args := []vs.Value{vs.String(err.Error())}
			for _, t := range ce.callTypes {
				args = append(args, vs.String(t))
			}
			s.send(reply, phoneapi.MsgChoose, args...)
			return
		case err != nil:
			s.send(reply, phoneapi.MsgFailed, vs.String(err.Error()))
			return
		}
		s.send(reply, phoneapi.MsgDialed, vs.String(r.ID), vs.String(r.Service), vs.String(r.CallType))
	case phoneapi.MsgSet:
		path, err := m.Str(1)
		if err == nil && len(m.Args) < 3 {
			err = fmt.Errorf("set needs a value")
		}
		if err == nil && path == telephony.FlightModePath {
			// phoned alone writes the effective mode: a console set is a
			// software request.
			on, ok := m.Args[2].Bool()
			if !ok {
				err = fmt.Errorf("%s takes true or false", path)
			} else {
				err = s.SetFlightRequest(on)
			}
		} else if err == nil {
			err = s.tree.Set(0, path, m.Args[2])
		}
		if err != nil {
			s.send(reply, phoneapi.MsgFailed, vs.String(err.Error()))
			return
		}
		s.log.Info("value set for the console", "path", path, "value", m.Args[2].String())
		s.send(reply, phoneapi.MsgDone)
	case phoneapi.MsgResetMissed:
		s.mu.Lock()
		s.apply(s.calls.resetMissed()...)
		s.historyChangedLocked()
		s.mu.Unlock()
		s.log.Info("missed calls seen: count reset", "category", "calls")
		s.send(reply, phoneapi.MsgDone)
	case phoneapi.MsgFlight:
		on, err := m.Bool(1)
		if err != nil {
			s.send(reply, phoneapi.MsgFailed, vs.String("flight needs on or off"))
			return
		}
		if err := s.SetFlightRequest(on); err != nil {
			s.send(reply, phoneapi.MsgFailed, vs.String(err.Error()))
			return
		}
		s.send(reply, phoneapi.MsgDone)
	default:
		s.send(reply, phoneapi.MsgFailed, vs.String(fmt.Sprintf("unknown request %q", m.Name)))
	}
}

// Decide applies the dial decision to number across the call policy
// managers of the services that are present and ready.
func (s *Server) Decide(number string) policy.Decision {
	s.mu.Lock()
	var managers []policy.Manager
	modem := false
	for _, st := range s.services {
		if kind, _ := s.policy.ManagerKind(st.name); kind == policy.KindModem {
			modem = true
		}
		if st.manager == nil || st.manager.CallType() == "" {
			continue
		}
		managers = append(managers, st.manager)
	}
	if !modem {
		// No modem agent runs: the placeholder still refuses emergency
		// numbers in flight mode, and says there is no modem.
		s.feedNoModemLocked()
		managers = append(managers, s.noModem)
	}
	cfg := s.policy
	cfg.Emergency = cfg.Emergency.With(s.simEmergencyLocked()...)
	s.mu.Unlock()
	return policy.Decide(number, managers, cfg)
}

// Dial makes the dial decision for number (callType "" when the user named
// none) and asks the chosen service to place the call. A refused number
// (telephony.CheckNumber) wraps telephony.ErrBadNumber; a refused decision
// wraps the policy's errors.
func (s *Server) Dial(ctx context.Context, number, callType string) (phoneapi.DialResult, error) {
	log := s.opts.Logger.With("category", "policy")
	// The refusal's words travel to phoneapi.Dial, which says "dial
	// refused" before them: no prefix here.
	if err := telephony.CheckNumber(number); err != nil {
		return phoneapi.DialResult{}, err
	}
	d := s.Decide(number)
	m, err := d.Resolve(callType)
	if err != nil {
		log.Info("dial refused", "number", d.Number, "outcome", d.Outcome.String(), "err", err)
		if errors.Is(err, policy.ErrChoiceNeeded) {
			ce := &choiceNeeded{err: err}
			for _, c := range d.Candidates {
				ce.callTypes = append(ce.callTypes, c.CallType())
			}
			return phoneapi.DialResult{}, ce
		}
		return phoneapi.DialResult{}, err
	}
	log.Info("dial", "number", d.Number, "service", m.Service(), "callType", m.CallType(), "emergency", d.Emergency)
	id := telephony.NewCallID()
	if kind, _ := s.policy.ManagerKind(m.Service()); d.Emergency && kind == policy.KindModem {
		s.mu.Lock()
		s.trackEmergencyLocked(id, d.Number)
		s.mu.Unlock()
	}
	if !s.send(qcop.RequestChannel(string(telephony.CallProviderInterface), m.Service()), telephony.MsgDial,
		vs.String(id), vs.String(m.CallType()), vs.String(d.Number)) {
		s.mu.Lock()
		delete(s.emergencyDials, id)
		s.mu.Unlock()
		return phoneapi.DialResult{}, fmt.Errorf("service %s is not listening for call requests (is its agent running? phonectl status)", m.Service())
	}
	return phoneapi.DialResult{ID: id, Service: m.Service(), CallType: m.CallType()}, nil
}

// choiceNeeded is a dial that needs the user to pick one of callTypes.
type choiceNeeded struct {
	err       error
	callTypes []string
}

func (e *choiceNeeded) Error() string { return e.err.Error() }
func (e *choiceNeeded) Unwrap() error { return e.err }
