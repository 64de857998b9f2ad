package pcapng

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// Writer writes a pcapng capture with one interface (little endian,
// microsecond timestamps).
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter writes the section header and an interface of linkType.
func NewWriter(w io.Writer, linkType uint16) (*Writer, error) {
	wr := &Writer{w: w}
	shb := binary.LittleEndian.AppendUint32(nil, bomMagic)
	shb = binary.LittleEndian.AppendUint16(shb, 1)
	shb = binary.LittleEndian.AppendUint16(shb, 0)
	shb = binary.LittleEndian.AppendUint64(shb, ^uint64(0))
	if err := wr.block(blockSHB, shb); err != nil {
		return nil, err
	}
	idb := binary.LittleEndian.AppendUint16(nil, linkType)
	idb = binary.LittleEndian.AppendUint16(idb, 0)
	idb = binary.LittleEndian.AppendUint32(idb, 65535)
	if err := wr.block(blockIDB, idb); err != nil {
		return nil, err
	}
	return wr, nil
}

func (wr *Writer) block(typ uint32, body []byte) error {
	pad := (4 - len(body)%4) % 4
	n := uint32(12 + len(body) + pad)
	b := wr.buf[:0]
	b = binary.LittleEndian.AppendUint32(b, typ)
	b = binary.LittleEndian.AppendUint32(b, n)
	b = append(b, body...)
	b = append(b, make([]byte, pad)...)
	b = binary.LittleEndian.AppendUint32(b, n)
	wr.buf = b
	_, err := wr.w.Write(b)
	return err
}

// WritePacket writes one packet captured at t.
func (wr *Writer) WritePacket(t time.Time, data []byte) error {
	us := uint64(t.UnixMicro())
	epb := binary.LittleEndian.AppendUint32(nil, 0)
	epb = binary.LittleEndian.AppendUint32(epb, uint32(us>>32))
	epb = binary.LittleEndian.AppendUint32(epb, uint32(us))
	epb = binary.LittleEndian.AppendUint32(epb, uint32(len(data)))
	epb = binary.LittleEndian.AppendUint32(epb, uint32(len(data)))
	return wr.block(blockEPB, append(epb, data...))
}

// IPv4UDP builds an IPv4 packet carrying a UDP datagram (checksums zero,
// which IPv4 allows for UDP), for captures of link type LinkRaw.
func IPv4UDP(src, dst netip.AddrPort, payload []byte) ([]byte, error) {
	if !src.Addr().Is4() || !dst.Addr().Is4() || len(payload) > 65507 {
		return nil, fmt.Errorf("pcapng: IPv4UDP needs IPv4 addresses and at most 65507 bytes")
	}
	b := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(28+len(payload)))
	s, d := src.Addr().As4(), dst.Addr().As4()
	b = append(b, s[:]...)
	b = append(b, d[:]...)
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(b[10:], ^uint16(sum))
	b = binary.BigEndian.AppendUint16(b, src.Port())
	b = binary.BigEndian.AppendUint16(b, dst.Port())
	b = binary.BigEndian.AppendUint16(b, uint16(8+len(payload)))
	b = append(b, 0, 0)
	return append(b, payload...), nil
}
