package iax

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"time"
)

// callCrypt is a session's encryption. A server sets it once it has sent
// the AUTHREQ that asks for AES-128; a client once it answers one. From
// then on every frame of the session is encrypted both ways (chan_iax2
// does the same), except retransmissions of frames first sent in the
// clear.
type callCrypt struct {
	// tx encrypts what we send now; a frame waiting for its
	// acknowledgement keeps the key it was first sent with (outFrame.key).
	tx *FrameCipher
	// rx decrypts what the peer sends; rxPrev is its key before its
	// last RTKEY, for its retransmissions of older frames.
	rx, rxPrev *FrameCipher
	// rotate says we rotate our key (both sides offered
	// EncryptKeyRotate); rotation is the next rotation, nil until the
	// first voice frame.
	rotate   bool
	rotation Timer
	// heard says a frame from the peer decrypted to a frame: it has
	// the key.
	heard bool
	// clear says the call fell back to the clear to end it, because the
	// peer showed it has no key (a wrong secret): a REJECT or HANGUP in
	// the clear, and the acknowledgements of it.
	clear bool
}

// endpointCrypt is the endpoint's scratch for encryption (loop-owned).
type endpointCrypt struct {
	rng  *rand.ChaCha8 // padding octets, seeded from Config.Rand
	pad  [MaxPadding]byte
	seal []byte
	open []byte
}

// padding returns fresh random padding for one frame.
func (e *Endpoint) padding() []byte {
	if e.crypt.rng == nil {
		var seed [32]byte
		if _, err := io.ReadFull(e.cfg.Rand, seed[:]); err != nil {
			panic("iax: random source failed: " + err.Error())
		}
		e.crypt.rng = rand.NewChaCha8(seed)
	}
	_, _ = e.crypt.rng.Read(e.crypt.pad[:])
	return e.crypt.pad[:]
}

// openBuf is scratch room to decrypt n octets into; the frame is copied
// back into the datagram's own buffer, which its consumers may keep.
func (e *Endpoint) openBuf(n int) []byte {
	if cap(e.crypt.open) < n {
		e.crypt.open = make([]byte, max(n, 2048))
	}
	return e.crypt.open[:n]
}

// TraceFrame is one datagram as Config.Trace sees it.
type TraceFrame struct {
	Sent bool
	Peer netip.AddrPort
	At   time.Time
	// Frame is the datagram in the clear: as decrypted when it arrived
	// encrypted, as it was before encryption when it left encrypted. It
	// is only valid during the call to Trace. It holds what the frames
	// hold (an MD5 answer, an RTKEY's key): show it, do not keep it.
	Frame []byte
	// Encrypted says the datagram travelled encrypted; Undecrypted that
	// it could not be decrypted (Frame is then as it arrived).
	Encrypted, Undecrypted bool
}

func (e *Endpoint) trace(sent bool, peer netip.AddrPort, b []byte, encrypted, undecrypted bool) {
	if e.cfg.Trace != nil {
		e.cfg.Trace(TraceFrame{Sent: sent, Peer: peer, At: e.clk.Now(), Frame: b, Encrypted: encrypted, Undecrypted: undecrypted})
	}
}

// txKey is the key new frames of the session are sent with (nil: clear).
func (s *session) txKey() *FrameCipher {
	if s.crypt == nil || s.crypt.clear {
		return nil
	}
	return s.crypt.tx
}

// transmit sends a marshalled frame, encrypted with k unless k is nil.
func (e *Endpoint) transmit(b []byte, to netip.AddrPort, k *FrameCipher) {
	e.trace(true, to, b, k != nil, false)
	if k != nil {
		sealed, err := k.Seal(e.crypt.seal[:0], b, e.padding())
		if err != nil {
			e.log.Warn("cannot encrypt frame", "to", to, "err", err)
			return
		}
		e.crypt.seal = sealed
		b = sealed
	}
	e.writeTo(b, to)
}

// sendSealed is sendRaw with encryption: f is encrypted with k unless k
// is nil.
func (e *Endpoint) sendSealed(f *FullFrame, to netip.AddrPort, k *FrameCipher) {
	if k == nil {
		e.sendRaw(f, to)
		return
	}
	n, err := f.MarshalTo(e.txbuf)
	if err != nil {
		e.log.Warn("cannot marshal frame", "frame", f.String(), "err", err)
		return
	}
	if e.log.Enabled(context.Background(), slog.LevelDebug) {
		e.log.Debug("tx", "to", to, "frame", f.String(), "encrypted", true)
	}
	e.transmit(e.txbuf[:n], to, k)
}

// encryptedSession returns the encrypted session a datagram belongs to,
// from its clear header, or nil.
func (e *Endpoint) encryptedSession(p *inbound) (s *session, full bool) {
	switch KindOf(p.b) {
	case KindFull:
		dest := binary.BigEndian.Uint16(p.b[2:]) & 0x7fff
		if dest == 0 {
			return nil, true // opens a transaction: never encrypted
		}
		s = e.sessions[dest]
		if s == nil || s.peer != p.from {
			return nil, true
		}
		full = true
	case KindMini:
		s = e.byRemote[remoteKey{p.from, binary.BigEndian.Uint16(p.b)}]
		p.mini, p.miniFound = s, true // receive needs it too
	}
	if s == nil || s.crypt == nil {
		return nil, full
	}
	return s, full
}

// decrypt replaces an encrypted datagram by the frame it carries, shows
// every datagram to Config.Trace, and reports whether to go on with it.
//
// A full frame that no key of the session reads as a frame fitting its
// sequence numbers is taken in the clear only when it is a frame first
// sent before encryption began, sent again (R set, already seen), an
// INVAL (the peer has no such call, so no key either), or,
// before the peer has shown it has the key, a REJECT or HANGUP: a peer
// that cannot decrypt (a wrong secret) can say no only in the clear. A
// server whose caller sends such noise before anything decrypted
// refuses the call in the clear ("Authentication failed").
func (e *Endpoint) decrypt(p *inbound) bool {
	s, full := e.encryptedSession(p)
	if s == nil {
		e.trace(false, p.from, p.b, false, false)
		return true
	}
	c := s.crypt
	if !full {
		out, err := c.rx.Open(e.openBuf(len(p.b)), p.b)
		if err != nil {
			e.log.Debug("mini frame cannot be decrypted", "from", p.from, "err", err)
			e.trace(false, p.from, p.b, true, true)
			return false
		}
		p.b = p.b[:copy(p.b, out)]
		e.trace(false, p.from, p.b, true, false)
		return true
	}
	for _, k := range [2]*FrameCipher{c.rx, c.rxPrev} {
		if k == nil {
			continue
		}
		out, err := k.Open(e.openBuf(len(p.b)), p.b)
		if err != nil || !plausibleFull(out) || !s.fits(out) {
			continue
		}
		c.heard = true
		p.b = p.b[:copy(p.b, out)]
		e.trace(false, p.from, p.b, true, false)
		return true
	}
	if s.clearAllowed(p.b) {
		e.trace(false, p.from, p.b, false, false)
		return true
	}
	e.log.Debug("full frame cannot be decrypted", "from", p.from, "call", s.local, "len", len(p.b))
	e.trace(false, p.from, p.b, true, true)
	if !c.heard && len(p.b) >= 20 && (len(p.b)-4)%16 == 0 {
		if call, ok := s.h.(*Call); ok && call.info.Incoming {
			call.refuseUndecryptable(s)
		}
	}
	return false
}

// fits reports whether a decrypted full frame's sequence numbers fit the
// session: it acknowledges nothing we did not send, and its own number
// is near the one expected.
func (s *session) fits(b []byte) bool {
	oseq, iseq := b[8], b[9]
	d := int8(oseq - s.iseq)
	return !seqBefore(s.oseq, iseq) && d > -64 && d < 64
}

// clearAllowed reports whether a full frame of an encrypted session may
// be taken in the clear (see decrypt).
func (s *session) clearAllowed(b []byte) bool {
	if !plausibleFull(b) {
		return false
	}
	var f FullFrame
	_ = f.Unmarshal(b)
	switch {
	case s.crypt.clear:
		return true
	case f.Retransmitted && seqBefore(f.OSeq, s.iseq):
		return true
	case f.IsCommand(CmdInval):
		// The peer has no such call: it answers from no call, so in
		// the clear (the session decides whether to believe it).
		return true
	case !s.crypt.heard && (f.IsCommand(CmdReject) || f.IsCommand(CmdHangup)):
		s.crypt.clear = true // acknowledge it in the clear
		return true
	}
	return false
}
