package hil

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/tools/qemu"
)

// TestBenchBootToBanner measures seconds from QEMU's start to the boot
// banner, five boots, and reports the median. It runs under `make bench`
// (RINGO_BENCH=1), not `make test`: the numbers go to docs/PERFORMANCE.md.
func TestBenchBootToBanner(t *testing.T) {
	if os.Getenv("RINGO_BENCH") != "1" {
		t.Skip("a measurement, not a test: make bench runs it (RINGO_BENCH=1)")
	}
	kernel, initrd := Image(t)
	const boots = 5
	var secs []float64
	for i := 0; i < boots; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), BootTimeout)
		start := time.Now()
		m, err := qemu.Start(ctx, qemu.Config{Kernel: kernel, Initrd: initrd, Isolate: true})
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		_, err = m.WaitFor(ctx, "Ringo ")
		d := time.Since(start)
		m.Close()
		cancel()
		if err != nil {
			t.Fatalf("boot %d: %v\n%s", i, err, printable(m.Transcript()))
		}
		secs = append(secs, d.Seconds())
	}
	slices.Sort(secs)
	t.Logf("QEMU start → banner: median %.2f s over %d boots (min %.2f, max %.2f)", secs[boots/2], boots, secs[0], secs[boots-1])
}
