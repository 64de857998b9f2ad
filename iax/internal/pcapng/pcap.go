package pcapng

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Magic numbers of the classic pcap format (microsecond and nanosecond
// timestamps), as written in the file's own byte order.
const (
	pcapMagicMicro = 0xa1b2c3d4
	pcapMagicNano  = 0xa1b23c4d
)

// ParseAny reads a capture in either format: pcapng, or the classic pcap
// that tcpdump, tshark -F pcap and Ringo's own taps (internal/pcaptap)
// write.
func ParseAny(b []byte) ([]Packet, error) {
	if len(b) >= 4 && binary.LittleEndian.Uint32(b) == blockSHB {
		return Parse(b)
	}
	return ParsePcap(b)
}

// ParsePcap reads every packet of a classic pcap capture held in b. Data
// refers into b.
func ParsePcap(b []byte) ([]Packet, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: %d bytes, too short for a capture", ErrFormat, len(b))
	}
	var (
		order binary.ByteOrder
		nano  bool
	)
	for _, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		switch o.Uint32(b) {
		case pcapMagicMicro:
			order = o
		case pcapMagicNano:
			order, nano = o, true
		}
		if order != nil {
			break
		}
	}
	if order == nil {
		return nil, fmt.Errorf("%w: neither a pcap nor a pcapng file (magic %#08x)", ErrFormat, binary.LittleEndian.Uint32(b))
	}
	if len(b) < 24 {
		return nil, fmt.Errorf("%w: %d bytes, too short for a pcap header", ErrFormat, len(b))
	}
	link := uint16(order.Uint32(b[20:]))
	var out []Packet
	for off := 24; off < len(b); {
		if len(b)-off < 16 {
			return out, fmt.Errorf("%w: %d trailing bytes at offset %d", ErrFormat, len(b)-off, off)
		}
		sec, frac := order.Uint32(b[off:]), order.Uint32(b[off+4:])
		n := int(order.Uint32(b[off+8:]))
		if n > len(b)-off-16 {
			return out, fmt.Errorf("%w: record of %d bytes at offset %d runs past the end", ErrTruncated, n, off)
		}
		ns := int64(frac) * 1000
		if nano {
			ns = int64(frac)
		}
		out = append(out, Packet{Time: time.Unix(int64(sec), ns).UTC(), LinkType: link, Data: b[off+16 : off+16+n]})
		off += 16 + n
	}
	return out, nil
}
