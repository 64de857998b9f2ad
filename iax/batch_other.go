//go:build !linux

package iax

import (
	"errors"
	"net"
)

// mmsgConn is Linux's batched socket I/O; elsewhere the endpoint reads
// and writes one datagram per system call.
type mmsgConn struct{}

func openMmsg(net.PacketConn, int) (*mmsgConn, error) { return nil, errors.ErrUnsupported }

func (*mmsgConn) readBatch(*rxBatch) (int, error) { return 0, errors.ErrUnsupported }

func (*mmsgConn) writeBatch(ps []txPacket) (int, error) { return len(ps), errors.ErrUnsupported }
