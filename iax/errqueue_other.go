//go:build !linux

package iax

import (
	"errors"
	"net"
)

// errQueue is Linux's ICMP error queue; elsewhere an unconnected UDP
// socket is not told of ICMP errors, and a peer that is not there is
// found out by the retransmissions running out.
type errQueue struct{}

func openErrQueue(net.PacketConn) (*errQueue, error) { return nil, errors.ErrUnsupported }

func (*errQueue) drain() []refusal { return nil }

func errorReport(error) bool { return false }
