package iax

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// errQueue reads the ICMP errors the kernel queued on a UDP socket.
type errQueue struct {
	rc syscall.RawConn
}

// openErrQueue turns on IP_RECVERR and IPV6_RECVERR on conn's socket
// (one of them is enough: an IPv4 socket has no IPv6 options).
func openErrQueue(conn net.PacketConn) (*errQueue, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("%T gives no access to its socket", conn)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var err4, err6 error
	if err := rc.Control(func(fd uintptr) {
		err4 = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_RECVERR, 1)
		err6 = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1)
	}); err != nil {
		return nil, err
	}
	if err4 != nil && err6 != nil {
		return nil, fmt.Errorf("IP_RECVERR: %w; IPV6_RECVERR: %w", err4, err6)
	}
	return &errQueue{rc: rc}, nil
}

// drain reads every queued report without blocking. It runs in
// RawConn.Control, which does not wait for a read in progress, so both
// the reader and the loop may call it.
func (q *errQueue) drain() []refusal {
	var out []refusal
	head := make([]byte, 64) // the frame header is all we read
	oob := make([]byte, 256)
	_ = q.rc.Control(func(fd uintptr) {
		for range 256 {
			n, oobn, _, from, err := unix.Recvmsg(int(fd), head, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
			if err != nil {
				return // EAGAIN: empty
			}
			to, ok := sockaddrAddrPort(from)
			if !ok {
				continue
			}
			r, ok := parseRecvErr(oob[:oobn])
			if !ok {
				continue
			}
			r.to = to
			r.head = append([]byte(nil), head[:min(n, len(head))]...)
			out = append(out, r)
		}
	})
	return out
}

// sockaddrAddrPort is the destination of a queued datagram.
func sockaddrAddrPort(sa unix.Sockaddr) (netip.AddrPort, bool) {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)), true
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port)), true
	}
	return netip.AddrPort{}, false
}

// ICMP types and codes of port unreachable.
const (
	icmpDestUnreach  = 3 // ICMPv4 destination unreachable
	icmpPortUnreach  = 3 // its code for port unreachable
	icmp6DestUnreach = 1 // ICMPv6 destination unreachable
	icmp6PortUnreach = 4 // its code for port unreachable
)

// sockExtendedErrSize is the size of struct sock_extended_err (the
// offender's address follows it and is not needed).
const sockExtendedErrSize = 16

// parseRecvErr reads the IP_RECVERR or IPV6_RECVERR control message of
// a datagram from the error queue: the errno and whether the error was
// an ICMP port unreachable. ok is false when oob holds no such message.
func parseRecvErr(oob []byte) (r refusal, ok bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return refusal{}, false
	}
	for _, m := range msgs {
		isV4 := m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_RECVERR
		isV6 := m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_RECVERR
		if !isV4 && !isV6 || len(m.Data) < sockExtendedErrSize {
			continue
		}
		// struct sock_extended_err { u32 ee_errno; u8 ee_origin, ee_type, ee_code, ee_pad; u32 ee_info, ee_data; }
		errno := binary.NativeEndian.Uint32(m.Data[0:4])
		origin, typ, code := m.Data[4], m.Data[5], m.Data[6]
		r.errno = syscall.Errno(errno)
		switch origin {
		case unix.SO_EE_ORIGIN_ICMP:
			r.portUnreachable = typ == icmpDestUnreach && code == icmpPortUnreach
		case unix.SO_EE_ORIGIN_ICMP6:
			r.portUnreachable = typ == icmp6DestUnreach && code == icmp6PortUnreach
		}
		return r, true
	}
	return refusal{}, false
}

// errorReport reports whether a read or write error is the kernel
// handing over an ICMP error queued for an earlier datagram (with
// IP_RECVERR on, the next receive or send on the socket returns it once).
func errorReport(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	switch errno {
	case unix.ECONNREFUSED, unix.EHOSTUNREACH, unix.ENETUNREACH, unix.EHOSTDOWN, unix.ENONET,
		unix.ENOPROTOOPT, unix.EOPNOTSUPP, unix.EMSGSIZE, unix.EACCES, unix.EPROTO:
		return true
	}
	return false
}
