package pcapng

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestParseAsteriskCaptures(t *testing.T) {
	// Packet counts as tshark reports them for each capture.
	want := map[string]int{
		"call-dtmf-100.pcapng":                       25,
		"call-milliwatt-601.pcapng":                  152,
		"register-calltoken-md5-release.pcapng":      20,
		"register-then-wrong-secret.pcapng":          20,
		"incoming-new-from-asterisk.pcapng":          21,
		"libiax2-register-no-calltoken.pcapng":       9,
		"libiax2-rejected-calltoken-required.pcapng": 3,
	}
	for name, n := range want {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		pkts, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse(%s) error %v", name, err)
		}
		if len(pkts) != n {
			t.Errorf("Parse(%s) = %d packets, want %d", name, len(pkts), n)
		}
		for i, p := range pkts {
			d, err := UDP(p)
			if err != nil {
				t.Fatalf("%s packet %d: UDP error %v", name, i+1, err)
			}
			lo := netip.MustParseAddr("127.0.0.1")
			if d.Src.Addr() != lo || d.Dst.Addr() != lo {
				t.Errorf("%s packet %d: %v -> %v, want loopback", name, i+1, d.Src, d.Dst)
			}
			if d.Src.Port() != 4569 && d.Dst.Port() != 4569 {
				t.Errorf("%s packet %d: neither port is 4569", name, i+1)
			}
		}
	}
}

func TestFirstRegisterDatagram(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "register-calltoken-md5-release.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	d, err := UDP(pkts[0])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Src.Port(), uint16(54521); got != want {
		t.Errorf("src port = %d, want %d", got, want)
	}
	// Source call 2668 with the F bit set, destination 0.
	if got := d.Payload[:4]; got[0] != 0x8a || got[1] != 0x6c || got[2] != 0 || got[3] != 0 {
		t.Errorf("header = % x, want 8a 6c 00 00", got)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "*.pcapng"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pkts, err := Parse(b)
		for _, p := range pkts {
			if len(p.Data) > len(b) {
				t.Fatalf("packet longer than input")
			}
			d, err := UDP(p)
			if err == nil && len(d.Payload) > len(p.Data) {
				t.Fatalf("payload longer than packet")
			}
		}
		if err == nil {
			// A capture that parsed cleanly parses the same way again.
			again, err2 := Parse(b)
			if err2 != nil || len(again) != len(pkts) {
				t.Fatalf("second Parse = %d packets, %v; want %d, nil", len(again), err2, len(pkts))
			}
		}
	})
}
