package iax

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax/internal/pcapng"
)

// captured is one IAX datagram of a capture.
type captured struct {
	N        int // 1-based packet number, as tshark numbers them
	Time     time.Time
	Src, Dst netip.AddrPort
	Data     []byte
}

func captureFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.pcapng"))
	if err != nil || len(files) != 7 {
		tb.Fatalf("Glob(testdata/*.pcapng) = %d files, %v; want 7", len(files), err)
	}
	return files
}

func readCapture(tb testing.TB, name string) []captured {
	tb.Helper()
	if filepath.Dir(name) == "." {
		name = filepath.Join("testdata", name)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	pkts, err := pcapng.Parse(b)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	out := make([]captured, 0, len(pkts))
	for i, p := range pkts {
		d, err := pcapng.UDP(p)
		if err != nil {
			tb.Fatalf("%s packet %d: %v", name, i+1, err)
		}
		out = append(out, captured{N: i + 1, Time: p.Time, Src: d.Src, Dst: d.Dst, Data: d.Payload})
	}
	return out
}

// fullAt decodes packet n (1-based) of a capture as a full frame.
func fullAt(tb testing.TB, pkts []captured, n int) *FullFrame {
	tb.Helper()
	var f FullFrame
	if err := f.Unmarshal(pkts[n-1].Data); err != nil {
		tb.Fatalf("packet %d: %v", n, err)
	}
	return &f
}
