package pcapng

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"
)

// A classic pcap of raw IPv4 as internal/pcaptap writes it (little
// endian, microseconds) and its big-endian, nanosecond twin read back to
// the same datagrams and times; pcapng goes through ParseAny too.
func TestParsePcap(t *testing.T) {
	src := netip.MustParseAddrPort("127.0.0.1:40000")
	dst := netip.MustParseAddrPort("127.0.0.1:4569")
	at := time.Date(2026, 12, 1, 10, 0, 0, 123456000, time.UTC)
	ip, err := IPv4UDP(src, dst, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	build := func(order binary.ByteOrder, magic uint32, frac uint32) []byte {
		h := make([]byte, 24)
		order.PutUint32(h, magic)
		order.PutUint16(h[4:], 2)
		order.PutUint16(h[6:], 4)
		order.PutUint32(h[16:], 65535)
		order.PutUint32(h[20:], LinkRaw)
		rec := make([]byte, 16)
		order.PutUint32(rec, uint32(at.Unix()))
		order.PutUint32(rec[4:], frac)
		order.PutUint32(rec[8:], uint32(len(ip)))
		order.PutUint32(rec[12:], uint32(len(ip)))
		return append(append(h, rec...), ip...)
	}
	var ng bytes.Buffer
	w, _ := NewWriter(&ng, LinkRaw)
	w.WritePacket(at, ip)
	for name, b := range map[string][]byte{
		"little endian, µs": build(binary.LittleEndian, pcapMagicMicro, 123456),
		"big endian, ns":    build(binary.BigEndian, pcapMagicNano, 123456000),
		"pcapng":            ng.Bytes(),
	} {
		pkts, err := ParseAny(b)
		if err != nil || len(pkts) != 1 {
			t.Fatalf("%s: ParseAny = %d packets, %v", name, len(pkts), err)
		}
		d, err := UDP(pkts[0])
		if err != nil || d.Src != src || d.Dst != dst || string(d.Payload) != "hello" || !pkts[0].Time.Equal(at) {
			t.Errorf("%s: %v %v→%v %q at %v, want %v→%v hello at %v", name, err, d.Src, d.Dst, d.Payload, pkts[0].Time, src, dst, at)
		}
	}
	if _, err := ParseAny([]byte("not a capture at all, no")); !errors.Is(err, ErrFormat) {
		t.Errorf("ParseAny(text) = %v, want ErrFormat", err)
	}
	cut := build(binary.LittleEndian, pcapMagicMicro, 0)
	if _, err := ParsePcap(cut[:len(cut)-3]); !errors.Is(err, ErrTruncated) {
		t.Errorf("ParsePcap(cut short) = %v, want ErrTruncated", err)
	}
}
