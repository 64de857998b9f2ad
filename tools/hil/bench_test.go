package hil

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/tools/qemu"
)

// benchBoots is how many boots a boot benchmark takes the median of.
const benchBoots = 5

// requireBench skips a boot benchmark unless RINGO_BENCH=1: each takes
// five boots, so `make bench` runs them (its table, tools/benchtable,
// reads the metrics), not `make test`.
func requireBench(b *testing.B) {
	b.Helper()
	if os.Getenv("RINGO_BENCH") != "1" {
		b.Skip("a measurement of five boots: make bench runs it (RINGO_BENCH=1)")
	}
}

// median of a non-empty list.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkBootToBanner measures seconds from QEMU's start to the boot
// banner, the median of five boots (of RINGO_INITRD's image when set:
// docs/PERFORMANCE.md compares the image compressed and not this way).
func BenchmarkBootToBanner(b *testing.B) {
	requireBench(b)
	kernel, initrd := Image(b)
	var secs []float64
	for i := 0; i < benchBoots; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), BootTimeout)
		start := time.Now()
		m, err := qemu.Start(ctx, qemu.Config{Kernel: kernel, Initrd: initrd, Isolate: true})
		if err != nil {
			cancel()
			b.Fatal(err)
		}
		_, err = m.WaitFor(ctx, "Ringo ")
		d := time.Since(start)
		m.Close()
		cancel()
		if err != nil {
			b.Fatalf("boot %d: %v\n%s", i, err, printable(m.Transcript()))
		}
		secs = append(secs, d.Seconds())
	}
	b.Logf("QEMU start → banner: median %.2f s over %d boots (min %.2f, max %.2f)", median(secs), benchBoots, slices.Min(secs), slices.Max(secs))
	b.ReportMetric(median(secs), "banner-s")
	b.ReportMetric(0, "ns/op")
}

// bootStepsRE reads uinit's boot-steps line (firmware/uinit/bootsteps.go).
var bootStepsRE = regexp.MustCompile(`([^,:]+?) (\d+\.\d\d) s(?:,|$)`)

// parseBootSteps returns the steps of a "ringo: boot steps (uptime): ..."
// line by name, in seconds of guest uptime.
func parseBootSteps(line string) map[string]float64 {
	_, rest, ok := strings.Cut(line, "ringo: boot steps (uptime): ")
	if !ok {
		return nil
	}
	steps := map[string]float64{}
	for _, m := range bootStepsRE.FindAllStringSubmatch(rest, -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err == nil {
			steps[strings.TrimSpace(m[1])] = v
		}
	}
	return steps
}

// BenchmarkBootToHome measures seconds from QEMU's start to the asterisk
// service registered Home, the median of five boots, with iaxpbx beside
// the guest (the image's demo account), a state disk and the sound card
// as `make run` boots it. The guest's own clock says where the time went:
// uinit's boot-steps line gives each step's uptime (kernel → uinit,
// modules, banner, phoned started, the service published, Home), each
// reported as the median of the five boots.
func BenchmarkBootToHome(b *testing.B) {
	requireBench(b)
	kernel, initrd := Image(b)
	pbxBin := buildTool(b, "iaxpbx")
	var host []float64
	guest := map[string][]float64{}
	for i := 0; i < benchBoots; i++ {
		disk := newStateDisk(b)
		wav := filepath.Join(b.TempDir(), "speaker.wav")
		start := time.Now()
		// The machine lives until Close; ctx bounds only the wait.
		m, err := qemu.Start(context.Background(), qemu.Config{Kernel: kernel, Initrd: initrd, Isolate: true, StateDisk: disk, SoundWAV: wav})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), BootTimeout)
		// Only once QEMU prints is it surely in its namespace: right after
		// Start, m.Pid may still be unshare's before it has made the
		// namespace or brought its loopback up, and iaxpbx would listen
		// where the guest cannot reach it. The guest's first registration
		// comes seconds after this line.
		if _, err := m.WaitFor(ctx, "Welcome to u-root"); err != nil {
			cancel()
			m.Close()
			b.Fatalf("boot %d: no u-root greeting: %v\n%s", i, err, printable(m.Transcript()))
		}
		// Killed when the benchmark ends; its namespace goes with it.
		pbxLog := startPBX(b, m, pbxBin)
		line, err := m.WaitFor(ctx, "ringo: boot steps (uptime):")
		d := time.Since(start)
		cancel()
		if err != nil {
			// What phoned and its agents say about it.
			dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Second)
			diag, _, derr := m.Run(dctx, "phonectl status; tail -n 30 /run/ringo/log/phoned.log")
			dcancel()
			m.Close()
			b.Fatalf("boot %d: no boot-steps line: %v\nconsole:\n%s\niaxpbx:\n%s\nphonectl status and phoned's log (%v):\n%s",
				i, err, printable(m.Transcript()), pbxLog.String(), derr, diag)
		}
		m.Close()
		steps := parseBootSteps(line)
		if steps["asterisk Home"] == 0 {
			b.Fatalf("boot %d: the boot-steps line has no asterisk Home: %q", i, line)
		}
		b.Logf("boot %d: QEMU start → Home %.2f s; %s", i, d.Seconds(), line)
		host = append(host, d.Seconds())
		for k, v := range steps {
			guest[k] = append(guest[k], v)
		}
	}
	b.Logf("QEMU start → asterisk Home: median %.2f s over %d boots (min %.2f, max %.2f)", median(host), benchBoots, slices.Min(host), slices.Max(host))
	b.ReportMetric(median(host), "home-s")
	for name, unit := range map[string]string{
		"kernel → uinit": "uinit-s", "modules": "modules-s", "banner": "guest-banner-s",
		"phoned started": "phoned-s", "service asterisk": "service-s", "asterisk Home": "guest-home-s",
	} {
		if v := guest[name]; len(v) == benchBoots {
			b.ReportMetric(median(v), unit)
		} else {
			b.Errorf("step %q in %d of %d boots' lines", name, len(v), benchBoots)
		}
	}
	b.ReportMetric(0, "ns/op")
}

func TestParseBootSteps(t *testing.T) {
	line := "ringo: boot steps (uptime): kernel → uinit 1.98 s, modules 2.31 s, banner 2.40 s, phoned started 2.45 s, service asterisk 2.61 s, asterisk Home 2.70 s"
	want := map[string]float64{"kernel → uinit": 1.98, "modules": 2.31, "banner": 2.40, "phoned started": 2.45, "service asterisk": 2.61, "asterisk Home": 2.70}
	got := parseBootSteps(line)
	if len(got) != len(want) {
		t.Fatalf("parseBootSteps(%q) = %v, want %v", line, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("parseBootSteps: %q = %v, want %v", k, got[k], v)
		}
	}
	if got := parseBootSteps("Ringo v1 kernel 6.1 up 2.00s"); got != nil {
		t.Errorf("parseBootSteps(banner) = %v, want nil", got)
	}
}
