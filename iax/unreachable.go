package iax

import (
	"encoding/binary"
	"net/netip"
	"syscall"
)

// A client endpoint learns at once that nothing listens where it sends:
// on Linux it asks the kernel to queue the ICMP errors its datagrams draw
// (IP_RECVERR, IPV6_RECVERR) and reads them from the socket's error queue.
// Each report gives the datagram's destination and its first bytes, so
// the frame's source call number names the session that sent it. The
// server role leaves the option off: with it, an error drawn by one peer
// would be reported on the next send or receive, whatever the peer.

// refusal is one ICMP error report for a datagram the endpoint sent.
type refusal struct {
	// to is where the datagram went.
	to netip.AddrPort
	// portUnreachable says the ICMP (or ICMPv6) error was port
	// unreachable: nothing listens at to.
	portUnreachable bool
	// errno is the kernel's translation of the ICMP error.
	errno syscall.Errno
	// head is the start of the datagram, as the ICMP error quoted it.
	head []byte
}

// sourceCall reads the source call number of the frame that starts b (a
// full or mini frame); ok is false for anything else.
func sourceCall(b []byte) (uint16, bool) {
	switch KindOf(b) {
	case KindFull, KindMini:
		return binary.BigEndian.Uint16(b) & 0x7fff, true
	}
	return 0, false
}

func unmapped(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// refused fails the session whose frame drew a port unreachable, or, when
// the quoted bytes do not name one, every session with that peer: there
// is nothing there to wait for. Other ICMP errors (host or network
// unreachable) may pass and are left to the retransmissions.
func (e *Endpoint) refused(r refusal) {
	to := unmapped(r.to)
	if !r.portUnreachable {
		e.log.Debug("ICMP error", "to", to, "err", r.errno.Error())
		return
	}
	var victims []*session
	if n, ok := sourceCall(r.head); ok {
		if s := e.sessions[n]; s != nil && unmapped(s.peer) == to {
			victims = append(victims, s)
		}
	} else {
		for _, s := range e.sessions {
			if unmapped(s.peer) == to {
				victims = append(victims, s)
			}
		}
	}
	if len(victims) == 0 {
		return
	}
	e.log.Info("nothing listening", "peer", to)
	err := &UnreachableError{Addr: to}
	for _, s := range victims {
		s.fail(err)
	}
}

// takeRefusals handles the reports a failed write found (see writeTo).
func (e *Endpoint) takeRefusals() {
	for len(e.refusals) > 0 {
		rs := e.refusals
		e.refusals = nil
		for _, r := range rs {
			e.refused(r)
		}
	}
}
