package telephony

import (
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Request and response message names of QPresence.
const (
	MsgStartMonitoring   = "startMonitoring"   // uri
	MsgStopMonitoring    = "stopMonitoring"    // uri
	MsgSetLocalPresence  = "setLocalPresence"  // status
	MsgMonitoringResult  = "monitoringResult"  // response: request, uri, ok
	MsgMonitoredPresence = "monitoredPresence" // response: uri, status
)

// PresenceImpl is what an agent implements for presence (IAX2 has none;
// SIP agents do).
type PresenceImpl interface {
	StartMonitoring(uri string) bool
	StopMonitoring(uri string) bool
	SetLocalPresence(status PresenceStatus)
}

// Presence serves QPresence requests and publishes localPresence under
// /Communications/QPresence/<service>/.
type Presence struct {
	base
	impl  PresenceImpl
	local PresenceStatus
}

// AddPresence adds the interface; local presence starts Unavailable.
func (s *Service) AddPresence(impl PresenceImpl) *Presence {
	p := &Presence{base: base{svc: s, kind: PresenceInterface}, impl: impl}
	s.add(p)
	return p
}

func (p *Presence) valuesLocked() []vs.Op {
	return []vs.Op{vs.SetOp(p.path(KeyLocalPresence), vs.String(p.local.String()))}
}

// UpdateLocalPresence publishes the user's own presence.
func (p *Presence) UpdateLocalPresence(status PresenceStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.local = status
	p.publishLocked(p.valuesLocked()...)
}

// UpdateMonitoredPresence announces a monitored contact's presence on the
// response channel.
func (p *Presence) UpdateMonitoredPresence(uri string, status PresenceStatus) {
	p.respond(MsgMonitoredPresence, vs.String(uri), vs.String(status.String()))
}

func (p *Presence) handle(m qcop.Message) {
	arg, err := m.Str(0)
	if err != nil {
		p.svc.log.Warn("bad request", "message", m.String(), "err", err)
		return
	}
	switch m.Name {
	case MsgStartMonitoring:
		ok := p.impl.StartMonitoring(arg)
		p.respond(MsgMonitoringResult, vs.String(m.Name), vs.String(arg), vs.Bool(ok))
	case MsgStopMonitoring:
		ok := p.impl.StopMonitoring(arg)
		p.respond(MsgMonitoringResult, vs.String(m.Name), vs.String(arg), vs.Bool(ok))
	case MsgSetLocalPresence:
		st, err := ParsePresenceStatus(arg)
		if err != nil {
			p.svc.log.Warn("bad request", "message", m.String(), "err", err)
			return
		}
		p.impl.SetLocalPresence(st)
	default:
		p.svc.log.Warn("unknown request", "message", m.String())
	}
}

func (p *Presence) close() { p.closeBase() }
