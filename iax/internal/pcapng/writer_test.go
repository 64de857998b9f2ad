package pcapng

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, LinkRaw)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("127.0.0.1:1234")
	dst := netip.MustParseAddrPort("127.0.0.1:4569")
	at := time.Unix(1_700_000_000, 5000).UTC()
	for _, p := range []string{"a", "bcde", ""} {
		ip, err := IPv4UDP(src, dst, []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(at, ip); err != nil {
			t.Fatal(err)
		}
	}
	pkts, err := Parse(buf.Bytes())
	if err != nil || len(pkts) != 3 {
		t.Fatalf("Parse = %d packets, %v; want 3", len(pkts), err)
	}
	for i, want := range []string{"a", "bcde", ""} {
		d, err := UDP(pkts[i])
		if err != nil || d.Src != src || d.Dst != dst || string(d.Payload) != want || !pkts[i].Time.Equal(at) {
			t.Errorf("packet %d = %v->%v %q at %v, %v; want %v->%v %q at %v", i, d.Src, d.Dst, d.Payload, pkts[i].Time, err, src, dst, want, at)
		}
	}
}
