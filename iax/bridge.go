package iax

import (
	"context"
	"errors"
)

// Bridge joins two calls, as a PBX does when it routes a call: voice,
// DTMF, text and hold indications received on one are sent on the other,
// and a (an incoming call still ringing) is answered when b answers.
// When either call ends the other is hung up with the same cause; when
// ctx ends both are hung up. Bridge consumes both calls' Events and Voice.
// Voice is relayed as it is, so both calls must have agreed the same
// format; frames in another format are dropped. Two calls of one
// endpoint (a PBX's) relay their voice on the endpoint's loop
// (RelayVoice), with no goroutine per frame.
func Bridge(ctx context.Context, a, b *Call) error {
	if a.e == b.e && a.RelayVoice(b) == nil {
		defer a.RelayVoice(nil)
		if b.RelayVoice(a) == nil {
			defer b.RelayVoice(nil)
		}
	}
	for {
		// Frames still come on Voice from before the relay began, and
		// from calls of two endpoints.
		select {
		case v := <-a.Voice():
			relayVoice(v, b)
		case v := <-b.Voice():
			relayVoice(v, a)
		case ev := <-a.Events():
			relayEvent(ev, b, a)
		case ev := <-b.Events():
			relayEvent(ev, a, b)
			if ev.Type == EventState && ev.State == StateConnected && a.State() == StateIncoming {
				_ = a.Answer()
			}
		case <-a.Done():
			_ = b.Hangup(causeOf(a.Err()))
			return nil
		case <-b.Done():
			_ = a.Hangup(causeOf(b.Err()))
			return nil
		case <-ctx.Done():
			_ = a.Hangup(0)
			_ = b.Hangup(0)
			return ctx.Err()
		}
	}
}

func relayVoice(v Voice, to *Call) {
	if to.Info().Format == v.Format {
		_ = to.SendVoice(v.Payload)
	}
}

func relayEvent(ev CallEvent, to, from *Call) {
	switch ev.Type {
	case EventDTMFBegin:
		_ = to.DTMFBegin(ev.Digit)
	case EventDTMFEnd:
		_ = to.DTMFEnd(ev.Digit)
	case EventText:
		_ = to.SendText(ev.Text)
	case EventHold:
		_ = to.Indicate(CtlHold)
	case EventUnhold:
		_ = to.Indicate(CtlUnhold)
	case EventState:
		if ev.State == StateAlerting && to.State() == StateIncoming {
			_ = to.Indicate(CtlRinging)
		}
	}
}

// causeOf maps how a call ended to the cause to pass on.
func causeOf(err error) uint8 {
	var he *HangupError
	if errors.As(err, &he) && he.CauseCode != 0 {
		return he.CauseCode
	}
	if err != nil && !errors.Is(err, ErrHangup) {
		return CauseCongestion
	}
	return CauseNormal
}
