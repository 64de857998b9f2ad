package server

import (
	"fmt"
	"maps"
	"slices"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/policy"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// An emergency call through the modem that ends before it connected (NO
// CARRIER, an error, the network gone) is placed at once on a VoIP
// service that can take it (an emergency-capable Asterisk account, Home),
// and phoned says both: in its log and on the console.

// trackEmergencyLocked remembers an emergency call dialled through a
// modem until it connects or ends.
func (s *Server) trackEmergencyLocked(id, number string) {
	if s.emergencyDials == nil {
		s.emergencyDials = map[string]string{}
	}
	s.emergencyDials[id] = number
}

// emergencyFailedLocked reports whether c is a tracked emergency call that
// ended without connecting; a call that connected or ended is forgotten.
func (s *Server) emergencyFailedLocked(c telephony.CallInfo) bool {
	if _, ok := s.emergencyDials[c.ID]; !ok {
		return false
	}
	switch {
	case c.State == telephony.CallConnected || c.State == telephony.CallHold:
		delete(s.emergencyDials, c.ID)
	case c.State.Final():
		delete(s.emergencyDials, c.ID)
		// Hung up here or by phoned: not a failure to connect.
		return c.State != telephony.CallHangupLocal && c.State != telephony.CallServiceHangup
	}
	return false
}

// failedEmergency says why the modem's emergency call c did not connect.
func failedEmergency(c telephony.CallInfo) string {
	why := c.State.String()
	if c.Reason != "" {
		why += ": " + telephony.Printable(c.Reason, 200)
	}
	return why
}

// failover places the emergency call the modem could not on a VoIP
// service that can take it, and says so (on the dispatch goroutine).
func (s *Server) failover(c telephony.CallInfo) {
	log := s.opts.Logger.With("category", "policy")
	why := failedEmergency(c)
	s.mu.Lock()
	var target policy.Manager
	for _, name := range slices.Sorted(maps.Keys(s.services)) {
		st := s.services[name]
		if kind, _ := s.policy.ManagerKind(name); st.manager == nil || st.manager.CallType() == "" || kind == policy.KindModem {
			continue
		}
		if h := st.manager.Handling(c.Number); h == policy.CanHandle || h == policy.MustHandle {
			target = st.manager
			break
		}
	}
	s.mu.Unlock()
	log.Warn("emergency call failed on the modem", "call", c.ID, "service", c.Service, "number", c.Number, "reason", why)
	if target == nil {
		log.Warn("no VoIP service can place the emergency call instead", "number", c.Number)
		s.notes.say(fmt.Sprintf("\r\nringo: the emergency call to %s through %s failed (%s); no emergency-capable VoIP "+
			"account is registered to place it instead — dial %s again, or call from another phone\r\n", c.Number, c.Service, why, c.Number))
		return
	}
	id := telephony.NewCallID()
	if !s.send(qcop.RequestChannel(string(telephony.CallProviderInterface), target.Service()), telephony.MsgDial,
		vs.String(id), vs.String(target.CallType()), vs.String(c.Number)) {
		log.Error("the VoIP service did not take the emergency call", "service", target.Service(), "number", c.Number)
		s.notes.say(fmt.Sprintf("\r\nringo: the emergency call to %s through %s failed (%s), and %s is not listening "+
			"for calls — dial %s again\r\n", c.Number, c.Service, why, target.Service(), c.Number))
		return
	}
	log.Warn("emergency call placed on VoIP instead", "number", c.Number, "call", id, "service", target.Service(),
		"callType", target.CallType(), "failed", c.ID)
	s.notes.say(fmt.Sprintf("\r\nringo: the emergency call to %s through %s failed (%s); placing it on %s (%s) "+
		"now, call %s\r\n", c.Number, c.Service, why, target.Service(), target.CallType(), id))
}
