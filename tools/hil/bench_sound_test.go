package hil

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// TestBenchSound measures, on one boot with the sound card (make bench,
// RINGO_BENCH=1; the numbers go to docs/PERFORMANCE.md): the guest's
// uptime at the banner, at PulseAudio ready and at Home; the delay from a
// click iaxcli sends into a call to the handset to the click in the host's
// WAV; and the agent's and PulseAudio's share of the guest's CPU during a
// call to 601.
func TestBenchSound(t *testing.T) {
	if os.Getenv("RINGO_BENCH") != "1" {
		t.Skip("a measurement, not a test: make bench runs it (RINGO_BENCH=1)")
	}
	pbxBin, cliBin := buildTool(t, "iaxpbx"), buildTool(t, "iaxcli")
	dir := t.TempDir()
	wav := followWAV(t, filepath.Join(dir, "speaker.wav"))
	start := time.Now()
	m, banner := Boot(t, qemu.Config{SoundWAV: wav.path})
	bannerAt := time.Since(start)
	startPBX(t, m, pbxBin)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := mustRun(ctx, m)

	// Boot: the guest's own uptimes, from its banner, PulseAudio's log
	// and the moment phonectl sees Home.
	run(t, "until vsexplorer ls / >/dev/null 2>&1; do sleep 0.1; done")
	run(t, "phonectl wait -service asterisk Home -timeout 60s")
	home := run(t, "cat /proc/uptime")
	run(t, "until grep -q -F 'pulseaudio ready' /run/ringo/log/pulseaudio.log; do sleep 0.1; done")
	ready := regexp.MustCompile(`pulseaudio ready.* up=([\d.]+)s`).FindStringSubmatch(run(t, "grep -F 'pulseaudio ready' /run/ringo/log/pulseaudio.log"))
	bannerUp := regexp.MustCompile(`up ([\d.]+)s`).FindStringSubmatch(banner)
	if ready == nil || bannerUp == nil {
		t.Fatalf("no uptimes in the banner %q or PulseAudio's log", banner)
	}
	t.Logf("boot (guest uptime): banner %ss, PulseAudio ready %ss, asterisk Home %ss; QEMU start to banner on the host %.2f s",
		bannerUp[1], ready[1], strings.Fields(home)[0], bannerAt.Seconds())

	// End to end: clicks iaxcli sends at 2, 3 and 4 s after the call
	// connects (the call's audio is settled by then), to the host's WAV.
	clicks := filepath.Join(dir, "clicks.wav")
	sent := []time.Duration{2 * time.Second, 3 * time.Second, 4 * time.Second}
	writeClicks(t, clicks, 5*time.Second, sent...)
	from := wav.Len()
	cli := m.Command(cliBin, "call", "-server", "127.0.0.1:4569", "-user", "desk", "-secret", "desk-only",
		"-dial", "200", "-send", clicks, "-duration", "6s")
	out, err := cli.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cli.Stderr = cli.Stdout
	if err := cli.Start(); err != nil {
		t.Fatal(err)
	}
	connected := make(chan time.Time, 1)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if strings.Contains(s.Text(), "state connected") {
				connected <- time.Now()
			}
		}
	}()
	run(t, "phonectl wait Incoming -timeout 30s")
	run(t, "phonectl answer")
	var conn time.Time
	select {
	case conn = <-connected:
	case <-time.After(30 * time.Second):
		t.Fatal("iaxcli never connected")
	}
	if err := cli.Wait(); err != nil {
		t.Fatalf("iaxcli call: %v", err)
	}
	run(t, "phonectl wait HangupRemote -timeout 30s")
	s, err := wav.Samples()
	if err != nil {
		t.Fatal(err)
	}
	// Each click's first loud sample, a click being at least half a
	// second after the one before.
	var onsets []int
	for i := from; i < len(s); i++ {
		if s[i] > 4000 || s[i] < -4000 {
			onsets = append(onsets, i)
			i += audio.SampleRate / 2
		}
	}
	if len(onsets) != len(sent) {
		t.Fatalf("%d clicks in the speaker's WAV after sample %d (at %v), want %d", len(onsets), from, onsets, len(sent))
	}
	var delays []string
	for k, i := range onsets {
		d := wav.WrittenAt(i).Sub(conn.Add(sent[k]))
		delays = append(delays, d.Round(time.Millisecond).String())
	}
	t.Logf("click sent by iaxcli to the host's WAV: %s (each within one 10 ms look at the file)", strings.Join(delays, ", "))

	// CPU idle and during a call to 601: the guest's own counters, over
	// 10 s each.
	pa := strings.TrimSpace(run(t, "pidof pulseaudio"))
	ag := strings.TrimSpace(run(t, "pidof iaxagent"))
	stat := func() (paTicks, agTicks, busy, total float64) {
		out := run(t, fmt.Sprintf("cat /proc/%s/stat /proc/%s/stat /proc/stat", pa, ag))
		lines := strings.Split(out, "\n")
		ticks := func(line string) float64 {
			f := strings.Fields(line[strings.LastIndexByte(line, ')')+2:])
			u, _ := strconv.ParseFloat(f[11], 64)
			k, _ := strconv.ParseFloat(f[12], 64)
			return u + k
		}
		cpu := strings.Fields(lines[2])
		for j, v := range cpu[1:8] {
			x, _ := strconv.ParseFloat(v, 64)
			total += x
			if j != 3 { // idle
				busy += x
			}
		}
		return ticks(lines[0]), ticks(lines[1]), busy, total
	}
	cpus := float64(strings.Count(run(t, "cat /proc/stat"), "\ncpu"))
	measure := func(what string) {
		p0, a0, b0, t0 := stat()
		time.Sleep(10 * time.Second) // the length of the measurement, not a wait for something
		p1, a1, b1, t1 := stat()
		n := t1 - t0
		t.Logf("CPU %s, over %.0f s, in one of the guest's %.0f cores: PulseAudio %.0f%%, the agent %.0f%%, everything %.0f%%",
			what, n/100/cpus, cpus, 100*(p1-p0)/n*cpus, 100*(a1-a0)/n*cpus, 100*(b1-b0)/n*cpus)
	}
	measure("with no call")
	run(t, "phonectl dial 601")
	run(t, "phonectl wait Connected -timeout 30s")
	measure("during a call to 601")
	run(t, "phonectl hangup")
}

// writeClicks writes a WAV of length at 8 kHz: silence with a 10 ms
// burst of 1 kHz at full scale at each of at.
func writeClicks(t *testing.T, path string, length time.Duration, at ...time.Duration) {
	t.Helper()
	n := int(length / audio.FrameDuration * audio.FrameSamples)
	s := make([]int16, n)
	burst := audiotest.Sine(1000, -1, 80)
	for _, a := range at {
		copy(s[int(a.Seconds()*audio.SampleRate):], burst)
	}
	sink, err := audio.CreateWAVSink(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f audio.Frame
	for off := 0; off+len(f) <= len(s); off += len(f) {
		copy(f[:], s[off:])
		if err := sink.WriteFrame(context.Background(), &f); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
}
