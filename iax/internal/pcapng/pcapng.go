// Package pcapng reads packet captures in the pcapng format and extracts
// UDP datagrams from them, enough for the iax package's golden and replay
// tests to use captures recorded against a real Asterisk without any
// outside program.
//
// It understands section header, interface description, enhanced packet
// and simple packet blocks in either byte order, skips every other block,
// and decodes Ethernet, BSD loopback, Linux cooked (v1 and v2) and raw IP
// link layers carrying IPv4 or IPv6 with UDP.
package pcapng

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Errors returned by Parse and UDP.
var (
	ErrFormat    = errors.New("pcapng: malformed capture")
	ErrNotUDP    = errors.New("pcapng: not a UDP datagram")
	ErrLinkType  = errors.New("pcapng: unsupported link type")
	ErrTruncated = errors.New("pcapng: truncated packet")
)

const (
	blockSHB = 0x0A0D0D0A
	blockIDB = 0x00000001
	blockSPB = 0x00000003
	blockEPB = 0x00000006
	bomMagic = 0x1A2B3C4D
)

// Link types (LINKTYPE_* values of the tcpdump registry).
const (
	LinkNull     = 0
	LinkEthernet = 1
	LinkRaw      = 101
	LinkLinuxSLL = 113
	LinkIPv4     = 228
	LinkIPv6     = 229
	LinkLoop     = 108
	LinkSLL2     = 276
)

// Packet is one captured frame. Data refers into the buffer given to Parse.
type Packet struct {
	Time     time.Time
	LinkType uint16
	Data     []byte
}

type iface struct {
	link  uint16
	tsres uint64 // ticks per second
}

// Parse reads every packet of a pcapng capture held in b.
func Parse(b []byte) ([]Packet, error) {
	var (
		out    []Packet
		order  binary.ByteOrder
		ifaces []iface
	)
	for off := 0; off < len(b); {
		if len(b)-off < 12 {
			return out, fmt.Errorf("%w: %d trailing bytes at offset %d", ErrFormat, len(b)-off, off)
		}
		if binary.LittleEndian.Uint32(b[off:]) == blockSHB {
			switch bom := b[off+8 : off+12]; {
			case binary.LittleEndian.Uint32(bom) == bomMagic:
				order = binary.LittleEndian
			case binary.BigEndian.Uint32(bom) == bomMagic:
				order = binary.BigEndian
			default:
				return out, fmt.Errorf("%w: bad byte-order magic at offset %d", ErrFormat, off)
			}
			ifaces = ifaces[:0]
		}
		if order == nil {
			return out, fmt.Errorf("%w: no section header block", ErrFormat)
		}
		typ := order.Uint32(b[off:])
		n := int(order.Uint32(b[off+4:]))
		if n < 12 || n%4 != 0 || n > len(b)-off {
			return out, fmt.Errorf("%w: block length %d at offset %d", ErrFormat, n, off)
		}
		if order.Uint32(b[off+n-4:]) != uint32(n) {
			return out, fmt.Errorf("%w: trailing length mismatch at offset %d", ErrFormat, off)
		}
		body := b[off+8 : off+n-4]
		switch typ {
		case blockIDB:
			if len(body) < 8 {
				return out, fmt.Errorf("%w: short interface block", ErrFormat)
			}
			ifc := iface{link: order.Uint16(body), tsres: 1000000}
			if r, ok := tsresol(order, body[8:]); ok {
				ifc.tsres = r
			}
			ifaces = append(ifaces, ifc)
		case blockEPB:
			if len(body) < 20 {
				return out, fmt.Errorf("%w: short packet block", ErrFormat)
			}
			id := int(order.Uint32(body))
			if id >= len(ifaces) {
				return out, fmt.Errorf("%w: packet for unknown interface %d", ErrFormat, id)
			}
			ts := uint64(order.Uint32(body[4:]))<<32 | uint64(order.Uint32(body[8:]))
			capLen := int(order.Uint32(body[12:]))
			if capLen > len(body)-20 {
				return out, fmt.Errorf("%w: captured length %d exceeds block", ErrFormat, capLen)
			}
			ifc := ifaces[id]
			sec := ts / ifc.tsres
			frac := ts % ifc.tsres
			t := time.Unix(int64(sec), int64(frac*1e9/ifc.tsres)).UTC()
			out = append(out, Packet{Time: t, LinkType: ifc.link, Data: body[20 : 20+capLen]})
		case blockSPB:
			if len(body) < 4 || len(ifaces) == 0 {
				return out, fmt.Errorf("%w: simple packet block without interface", ErrFormat)
			}
			l := int(order.Uint32(body))
			if l > len(body)-4 {
				l = len(body) - 4
			}
			out = append(out, Packet{LinkType: ifaces[0].link, Data: body[4 : 4+l]})
		}
		off += n
	}
	return out, nil
}

// tsresol finds the if_tsresol option (code 9) in an interface block.
func tsresol(order binary.ByteOrder, opts []byte) (uint64, bool) {
	for len(opts) >= 4 {
		code, l := order.Uint16(opts), int(order.Uint16(opts[2:]))
		if code == 0 {
			break
		}
		pad := (l + 3) &^ 3
		if 4+pad > len(opts) {
			break
		}
		if code == 9 && l >= 1 {
			v := opts[4]
			exp := uint64(v & 0x7f)
			base := uint64(10)
			if v&0x80 != 0 {
				base = 2
			}
			if (base == 10 && exp > 18) || (base == 2 && exp > 63) {
				return 0, false
			}
			r := uint64(1)
			for range exp {
				r *= base
			}
			return r, true
		}
		opts = opts[4+pad:]
	}
	return 0, false
}

// Datagram is a UDP datagram found in a captured packet. Payload refers
// into the packet data.
type Datagram struct {
	Src, Dst netip.AddrPort
	Payload  []byte
}

// UDP decodes the link, IP and UDP headers of p.
func UDP(p Packet) (Datagram, error) {
	b := p.Data
	var proto uint16 // ethertype
	switch p.LinkType {
	case LinkEthernet:
		if len(b) < 14 {
			return Datagram{}, ErrTruncated
		}
		proto, b = binary.BigEndian.Uint16(b[12:]), b[14:]
		for proto == 0x8100 || proto == 0x88a8 {
			if len(b) < 4 {
				return Datagram{}, ErrTruncated
			}
			proto, b = binary.BigEndian.Uint16(b[2:]), b[4:]
		}
	case LinkNull, LinkLoop:
		if len(b) < 4 {
			return Datagram{}, ErrTruncated
		}
		b = b[4:]
		proto = ipVersion(b)
	case LinkRaw, LinkIPv4, LinkIPv6:
		proto = ipVersion(b)
	case LinkLinuxSLL:
		if len(b) < 16 {
			return Datagram{}, ErrTruncated
		}
		proto, b = binary.BigEndian.Uint16(b[14:]), b[16:]
	case LinkSLL2:
		if len(b) < 20 {
			return Datagram{}, ErrTruncated
		}
		proto, b = binary.BigEndian.Uint16(b[0:]), b[20:]
	default:
		return Datagram{}, fmt.Errorf("%w: %d", ErrLinkType, p.LinkType)
	}
	var src, dst netip.Addr
	switch proto {
	case 0x0800:
		if len(b) < 20 || b[0]>>4 != 4 {
			return Datagram{}, ErrTruncated
		}
		ihl := int(b[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(b[2:]))
		if ihl < 20 || total < ihl || total > len(b) {
			return Datagram{}, ErrTruncated
		}
		if b[9] != 17 {
			return Datagram{}, ErrNotUDP
		}
		if binary.BigEndian.Uint16(b[6:])&0x3fff != 0 {
			return Datagram{}, fmt.Errorf("%w: IPv4 fragment", ErrNotUDP)
		}
		src = netip.AddrFrom4([4]byte(b[12:16]))
		dst = netip.AddrFrom4([4]byte(b[16:20]))
		b = b[ihl:total]
	case 0x86dd:
		if len(b) < 40 {
			return Datagram{}, ErrTruncated
		}
		if b[6] != 17 {
			return Datagram{}, ErrNotUDP
		}
		pl := int(binary.BigEndian.Uint16(b[4:]))
		if 40+pl > len(b) {
			return Datagram{}, ErrTruncated
		}
		src = netip.AddrFrom16([16]byte(b[8:24]))
		dst = netip.AddrFrom16([16]byte(b[24:40]))
		b = b[40 : 40+pl]
	default:
		return Datagram{}, fmt.Errorf("%w: ethertype %#04x", ErrNotUDP, proto)
	}
	if len(b) < 8 {
		return Datagram{}, ErrTruncated
	}
	ul := int(binary.BigEndian.Uint16(b[4:]))
	if ul < 8 || ul > len(b) {
		return Datagram{}, ErrTruncated
	}
	return Datagram{
		Src:     netip.AddrPortFrom(src, binary.BigEndian.Uint16(b)),
		Dst:     netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:])),
		Payload: b[8:ul],
	}, nil
}

func ipVersion(b []byte) uint16 {
	if len(b) == 0 {
		return 0
	}
	switch b[0] >> 4 {
	case 4:
		return 0x0800
	case 6:
		return 0x86dd
	}
	return 0
}
