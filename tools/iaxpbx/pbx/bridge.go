package pbx

import (
	"errors"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/telephony/media"
)

// connect rings user where it registered and joins the two calls until
// one ends or asks for a transfer. It returns the extension c must go to
// next ("" when c is done).
func (p *PBX) connect(a *iax.Call, user string) string {
	id := a.Info().LocalCall
	addr, ok := p.ep.Lookup(user)
	if !ok {
		p.log.Info("user not registered", "call", id, "user", user)
		p.refuse(a, 20) // subscriber absent
		return ""
	}
	info := a.Info()
	number, name := info.CallingNumber, info.CallingName
	if u, ok := p.users[info.Username]; ok {
		if number == "" {
			number = u.Number
		}
		if name == "" {
			name = u.CallerName
		}
	}
	if number == "" {
		number = info.Username
	}
	formats := []iax.Format{info.Format}
	for _, f := range []iax.Format{iax.FormatULaw, iax.FormatALaw} {
		if f != info.Format {
			formats = append(formats, f)
		}
	}
	b, err := p.ep.Dial(iax.DialOptions{Peer: addr, Called: user, CallingNumber: number, CallingName: name, Formats: formats})
	if err != nil {
		p.log.Error("cannot dial", "call", id, "user", user, "err", err)
		p.refuse(a, iax.CauseCongestion)
		return ""
	}
	bid := b.Info().LocalCall
	p.log.Info("dial", "call", id, "leg", bid, "user", user, "addr", addr)
	for {
		select {
		case v := <-a.Voice():
			relay(v, b)
		case v := <-b.Voice():
			relay(v, a)
		case ev := <-a.Events():
			if x := p.event(a, ev); x != "" {
				// a hands b over to x and leaves.
				p.log.Info("transfer", "call", bid, "to", x, "by", id)
				_ = a.Hangup(iax.CauseNormal)
				p.wg.Add(1)
				go func() {
					defer p.wg.Done()
					p.route(b, x)
				}()
				return ""
			}
			pass(ev, b)
		case ev := <-b.Events():
			if ev.Type == iax.EventState && ev.State == iax.StateConnected {
				p.log.Info("answered", "call", id, "leg", bid)
				p.answer(a)
			}
			if x := p.event(b, ev); x != "" {
				_ = b.Hangup(iax.CauseNormal)
				p.finish(b)
				return x
			}
			pass(ev, a)
		case <-a.Done():
			_ = b.Hangup(causeOf(a.Err()))
			p.finish(b)
			return ""
		case <-b.Done():
			p.refuse(a, causeOf(b.Err()))
			p.finish(b)
			return ""
		case <-p.ctx.Done():
			_ = b.Hangup(0)
			p.finish(b)
			return ""
		}
	}
}

// relay sends voice on, converting between the two G.711 laws.
func relay(v iax.Voice, to *iax.Call) {
	f := to.Info().Format
	if f == v.Format || f == 0 {
		_ = to.SendVoice(v.Payload)
		return
	}
	var pcm [media.FrameSamples * 2]int16
	out := make([]byte, min(len(v.Payload), len(pcm)))
	n := decode(v.Format, pcm[:len(out)], v.Payload)
	encode(f, out[:n], pcm[:n])
	_ = to.SendVoice(out[:n])
}

// pass forwards the events a caller expects to reach the other party.
func pass(ev iax.CallEvent, to *iax.Call) {
	switch ev.Type {
	case iax.EventDTMFBegin:
		_ = to.DTMFBegin(ev.Digit)
	case iax.EventDTMFEnd:
		_ = to.DTMFEnd(ev.Digit)
	case iax.EventText:
		_ = to.SendText(ev.Text)
	case iax.EventHold:
		_ = to.Indicate(iax.CtlHold)
	case iax.EventUnhold:
		_ = to.Indicate(iax.CtlUnhold)
	}
}

// causeOf is the cause to pass on when one side of a bridge ended.
func causeOf(err error) uint8 {
	var he *iax.HangupError
	if errors.As(err, &he) && he.CauseCode != 0 {
		return he.CauseCode
	}
	if err != nil && !errors.Is(err, iax.ErrHangup) {
		return iax.CauseCongestion
	}
	return iax.CauseNormal
}
