package server

import (
	"context"

	"github.com/ringo-phone/ringo/drivers/keypad"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/qcop"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// volumeStep is how much one volume key changes the codec's volume.
const volumeStep = 10

// onKey is the handset's dialer, on the dispatch goroutine: digits
// collect at /Hardware/Keypad/Digits (or, during a connected call, go to
// it as DTMF); send dials them through the dial decision; end hangs up
// the newest call, rejects an incoming one, or clears the digits; the
// volume keys set the codec's volume.
func (s *Server) onKey(k keypad.Keypad, e keypad.Event) {
	h := s.hw
	log := s.opts.Logger.With("category", "keypad")
	s.mu.Lock()
	live := s.calls.live()
	s.mu.Unlock()
	var connected, newest *telephony.CallInfo
	for i := range live {
		c := &live[i]
		newest = c
		if c.State == telephony.CallConnected {
			connected = c
		}
	}
	switch e.Kind {
	case keypad.Connected, keypad.Disconnected:
		log.Info("keypad", "event", e.String())
		s.apply(vs.SetOp(HardwareKeypadDevPath, vs.String(keypadDevices(h.keypads))))
	case keypad.Digit:
		if connected != nil {
			s.callRequest(connected.Service, telephony.MsgTone, vs.String(connected.ID), vs.String(string(e.Digit)))
			return
		}
		h.digits += string(e.Digit)
		s.apply(vs.SetOp(HardwareKeypadDigitPath, vs.String(h.digits)))
	case keypad.Send:
		if h.digits == "" {
			return
		}
		number := h.digits
		h.digits = ""
		s.apply(vs.SetOp(HardwareKeypadDigitPath, vs.String("")))
		ctx, cancel := context.WithTimeout(context.Background(), hardwareWait)
		defer cancel()
		r, err := s.Dial(ctx, number, "")
		if err != nil {
			log.Warn("keypad dial refused", "number", number, "err", err)
			s.notes.say("Cannot call " + number + ": " + err.Error())
			return
		}
		log.Info("keypad dial", "number", number, "service", r.Service, "call", r.ID)
	case keypad.End:
		switch {
		case newest != nil:
			// Hanging up an incoming call rejects it.
			s.callRequest(newest.Service, telephony.MsgHangup, vs.String(newest.ID), vs.String(telephony.ScopeCallOnly.String()))
		case h.digits != "":
			h.digits = ""
			s.apply(vs.SetOp(HardwareKeypadDigitPath, vs.String("")))
		}
	case keypad.VolumeUp:
		s.setVolume(volumeStep)
	case keypad.VolumeDown:
		s.setVolume(-volumeStep)
	case keypad.Power:
		log.Info("power key held: no power menu yet")
	}
}

// callRequest sends a call request to a service's call provider.
func (s *Server) callRequest(service, name string, args ...vs.Value) {
	if !s.send(qcop.RequestChannel(string(telephony.CallProviderInterface), service), name, args...) {
		s.log.Warn("call request: nobody listens", "service", service, "request", name)
	}
}
