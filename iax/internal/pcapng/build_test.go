package pcapng

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"
)

// capture builds a one-section pcapng with one interface and packets.
type capture struct {
	order binary.AppendByteOrder
	b     []byte
}

func (c *capture) block(typ uint32, body []byte) {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	c.b = c.order.AppendUint32(c.b, typ)
	c.b = c.order.AppendUint32(c.b, n)
	c.b = append(c.b, body...)
	c.b = c.order.AppendUint32(c.b, n)
}

func newCapture(order binary.AppendByteOrder, link uint16, tsresol byte) *capture {
	c := &capture{order: order}
	shb := order.AppendUint32(nil, bomMagic)
	shb = order.AppendUint16(shb, 1)
	shb = order.AppendUint16(shb, 0)
	shb = order.AppendUint64(shb, ^uint64(0))
	c.block(blockSHB, shb)
	idb := order.AppendUint16(nil, link)
	idb = order.AppendUint16(idb, 0)
	idb = order.AppendUint32(idb, 65535)
	if tsresol != 0 {
		idb = order.AppendUint16(idb, 9)
		idb = order.AppendUint16(idb, 1)
		idb = append(idb, tsresol, 0, 0, 0)
		idb = order.AppendUint32(idb, 0) // opt_endofopt
	}
	c.block(blockIDB, idb)
	return c
}

func (c *capture) packet(ts uint64, data []byte) {
	epb := c.order.AppendUint32(nil, 0)
	epb = c.order.AppendUint32(epb, uint32(ts>>32))
	epb = c.order.AppendUint32(epb, uint32(ts))
	epb = c.order.AppendUint32(epb, uint32(len(data)))
	epb = c.order.AppendUint32(epb, uint32(len(data)))
	c.block(blockEPB, append(epb, data...))
}

func udp(src, dst uint16, payload []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, src)
	b = binary.BigEndian.AppendUint16(b, dst)
	b = binary.BigEndian.AppendUint16(b, uint16(8+len(payload)))
	b = append(b, 0, 0)
	return append(b, payload...)
}

func ipv4(src, dst [4]byte, proto byte, payload []byte) []byte {
	b := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, proto, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(payload)))
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	return append(b, payload...)
}

func ipv6(src, dst netip.Addr, payload []byte) []byte {
	b := []byte{0x60, 0, 0, 0, 0, 0, 17, 64}
	binary.BigEndian.PutUint16(b[4:], uint16(len(payload)))
	s, d := src.As16(), dst.As16()
	b = append(b, s[:]...)
	b = append(b, d[:]...)
	return append(b, payload...)
}

func TestLinkTypesAndByteOrders(t *testing.T) {
	lo := [4]byte{127, 0, 0, 1}
	v4 := ipv4(lo, lo, 17, udp(1000, 4569, []byte("hi")))
	v6 := ipv6(netip.IPv6Loopback(), netip.IPv6Loopback(), udp(1000, 4569, []byte("hi")))
	null := append([]byte{2, 0, 0, 0}, v4...)
	sll := append(make([]byte, 14), 0x86, 0xdd)
	sll = append(sll, v6...)
	sll2 := append([]byte{0x08, 0x00}, make([]byte, 18)...)
	sll2 = append(sll2, v4...)
	vlan := append(make([]byte, 12), 0x81, 0x00, 0, 1, 0x08, 0x00)
	vlan = append(vlan, v4...)
	for _, tc := range []struct {
		name  string
		order binary.AppendByteOrder
		link  uint16
		data  []byte
		src   string
	}{
		{"null little", binary.LittleEndian, LinkNull, null, "127.0.0.1:1000"},
		{"raw big", binary.BigEndian, LinkRaw, v6, "[::1]:1000"},
		{"sll", binary.LittleEndian, LinkLinuxSLL, sll, "[::1]:1000"},
		{"sll2", binary.BigEndian, LinkSLL2, sll2, "127.0.0.1:1000"},
		{"ethernet vlan", binary.LittleEndian, LinkEthernet, vlan, "127.0.0.1:1000"},
	} {
		c := newCapture(tc.order, tc.link, 0)
		c.packet(1_700_000_000_123456, tc.data)
		pkts, err := Parse(c.b)
		if err != nil || len(pkts) != 1 {
			t.Fatalf("%s: Parse = %d packets, %v", tc.name, len(pkts), err)
		}
		if want := time.Unix(1_700_000_000, 123456000).UTC(); !pkts[0].Time.Equal(want) {
			t.Errorf("%s: time %v, want %v", tc.name, pkts[0].Time, want)
		}
		d, err := UDP(pkts[0])
		if err != nil || d.Src.String() != tc.src || d.Dst.Port() != 4569 || string(d.Payload) != "hi" {
			t.Errorf("%s: UDP = %v %v %q, %v; want %s -> :4569 \"hi\"", tc.name, d.Src, d.Dst, d.Payload, err, tc.src)
		}
	}
}

func TestTimestampResolution(t *testing.T) {
	c := newCapture(binary.LittleEndian, LinkRaw, 9) // nanoseconds
	c.packet(1_700_000_000_123456789, nil)
	pkts, err := Parse(c.b)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1_700_000_000, 123456789).UTC(); !pkts[0].Time.Equal(want) {
		t.Errorf("time %v, want %v", pkts[0].Time, want)
	}
}

func TestErrors(t *testing.T) {
	c := newCapture(binary.LittleEndian, LinkEthernet, 0)
	c.packet(0, make([]byte, 10))
	good := c.b
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"truncated", good[:len(good)-3]},
		{"no section header", good[28:]},
		{"bad length", append(append([]byte(nil), good[:4]...), 0xff, 0xff, 0, 0)},
	} {
		if _, err := Parse(tc.b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: Parse error = %v, want ErrFormat", tc.name, err)
		}
	}
	pkts, _ := Parse(good)
	if _, err := UDP(pkts[0]); !errors.Is(err, ErrTruncated) {
		t.Errorf("UDP(10-byte ethernet) = %v, want ErrTruncated", err)
	}
	tcp := Packet{LinkType: LinkRaw, Data: ipv4([4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8}, 6, make([]byte, 20))}
	if _, err := UDP(tcp); !errors.Is(err, ErrNotUDP) {
		t.Errorf("UDP(tcp) = %v, want ErrNotUDP", err)
	}
	if _, err := UDP(Packet{LinkType: 9999, Data: []byte{1}}); !errors.Is(err, ErrLinkType) {
		t.Errorf("UDP(link 9999) = %v, want ErrLinkType", err)
	}
}
