package hil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// soundStep bounds each wait for a tone in the speaker's WAV: a call's
// audio starts a second or two after Connected, and the agent's jitter
// buffer drops one frame each half second until the backlog of that start
// is gone, which breaks a clean tone for a few seconds.
const soundStep = 30 * time.Second

// toneBack is how soon after PulseAudio is killed mid-call its tone must
// be back in the speaker's WAV (issue 13).
const toneBack = 2 * time.Second

// soundScenarios runs issue 13's checks on a booted image whose machine
// has the sound card (qemu.Config.SoundWAV, followed by wav), whose
// asterisk service is Home, and whose iaxpbx (log pbxLog) records
// extension 602 into recDir: a call's audio goes through the guest's
// PulseAudio and the emulated USB card into the WAV on the host, both
// ways, and survives PulseAudio being killed.
func soundScenarios(t *testing.T, m *qemu.Machine, wav *speakerWAV, pbxLog *proctest.Buffer, recDir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run := mustRun(ctx, m)
	call := func(t *testing.T, ext string) {
		t.Helper()
		run(t, "phonectl dial "+ext)
		run(t, "phonectl wait Connected -timeout 30s")
	}
	hangup := func(t *testing.T) {
		t.Helper()
		run(t, "phonectl hangup")
		run(t, "phonectl wait HangupLocal -timeout 30s")
	}
	waitTone := func(t *testing.T, from int, freq float64) toneAt {
		t.Helper()
		tctx, tcancel := context.WithTimeout(ctx, soundStep)
		defer tcancel()
		at, err := wav.WaitTone(tctx, from, freq)
		if err != nil {
			t.Fatalf("%v\nPulseAudio's log:\n%s", err, guestLog(ctx, m, "/run/ringo/log/pulseaudio.log"))
		}
		t.Logf("%.0f Hz from %.2f s of the speaker's WAV: %.1f dB over the strongest other bin (%.0f Hz)",
			freq, float64(at.Start)/8000, at.Report.MarginDB, at.Report.OtherHz)
		return at
	}

	t.Run("PulseAudio runs beside phoned", func(t *testing.T) {
		// Its log, not the console, says it is up: routine news stays off
		// what a person types at.
		out := run(t, "grep -c -F 'pulseaudio ready' /run/ringo/log/pulseaudio.log")
		if strings.TrimSpace(out) == "0" {
			t.Fatalf("PulseAudio never said it was ready; its log:\n%s", guestLog(ctx, m, "/run/ringo/log/pulseaudio.log"))
		}
		if strings.Contains(m.Transcript(), "pulseaudio started") {
			t.Errorf("the console shows PulseAudio's start; only its exits belong there")
		}
		script := run(t, "cat /run/ringo/pulseaudio.pa")
		for _, want := range []string{"module-alsa-sink device=hw:0,0", "module-sine sink=mic frequency=700", "set-default-source mic.monitor"} {
			if !strings.Contains(script, want) {
				t.Errorf("PulseAudio's start-up script lacks %q:\n%s", want, script)
			}
		}
	})

	t.Run("601 tone reaches the host", func(t *testing.T) {
		from := wav.Len()
		call(t, "601")
		defer hangup(t)
		waitTone(t, from, 1004)
		// The console says where the call's audio goes, and that it
		// flows both ways.
		status := run(t, "phonectl status")
		m := regexp.MustCompile(`audio of \S+ on pulse, [^:]*: sent (\d+), received (\d+)`).FindStringSubmatch(status)
		if m == nil || m[1] == "0" || m[2] == "0" {
			t.Errorf("phonectl status does not show the call's audio on pulse, sent and received:\n%s", status)
		}
	})

	t.Run("microphone comes back from 600", func(t *testing.T) {
		from := wav.Len()
		call(t, "600")
		defer hangup(t)
		waitTone(t, from, 700)
	})

	t.Run("602 records the microphone", func(t *testing.T) {
		before, _ := filepath.Glob(filepath.Join(recDir, "*.wav"))
		call(t, "602")
		rec := pbxLog.WaitLine(t, `msg=recording .*file=(\S+)`, soundStep)[1]
		// Two seconds of what the guest sends, as iaxpbx writes it.
		deadline := time.Now().Add(soundStep)
		for {
			if fi, err := os.Stat(rec); err == nil && fi.Size() > 44+2*8000*2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not reach 2 s within %v", rec, soundStep)
			}
			select {
			case <-ctx.Done():
				t.Fatal(ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
		hangup(t)
		pbxLog.WaitFor(t, "msg=recorded ", soundStep)
		after, _ := filepath.Glob(filepath.Join(recDir, "*.wav"))
		if len(after) != len(before)+1 {
			t.Errorf("recordings before %q, after %q: want one more", before, after)
		}
		s := audiotest.ReadWAV(t, rec)
		at, err := bestTone(s, 700)
		if err != nil {
			t.Fatal(err)
		}
		if at.Report.MarginDB < toneMargin {
			t.Fatalf("iaxpbx's recording of 602 (%d samples) has no clean 700 Hz tone: its best quarter second, at %.2f s, stands %.1f dB over %.0f Hz (want %.0f dB)",
				len(s), float64(at.Start)/8000, at.Report.MarginDB, at.Report.OtherHz, toneMargin)
		}
		t.Logf("iaxpbx recorded the 700 Hz microphone, %.1f dB over the strongest other bin, from %.2f s", at.Report.MarginDB, float64(at.Start)/8000)
	})

	t.Run("PulseAudio killed mid-call comes back", func(t *testing.T) {
		from := wav.Len()
		call(t, "601")
		defer hangup(t)
		waitTone(t, from, 1004)
		pid := strings.TrimSpace(run(t, "pidof pulseaudio"))
		if !regexp.MustCompile(`^\d+$`).MatchString(pid) {
			t.Fatalf("pidof pulseaudio = %q, want one pid", pid)
		}
		// Returns once the process is gone (the supervisor reaped it).
		run(t, fmt.Sprintf("kill %s; while [ -e /proc/%s ]; do sleep 0.02; done", pid, pid))
		// The card stopped with the server: the last sample before the
		// gap is when it died, on the host's clock.
		from = wav.Len()
		died := wav.WrittenAt(from - 1)
		at := waitTone(t, from, 1004)
		// The tone is back where the sound resumes; the jitter buffer
		// then drops a frame or two as it settles, so its first clean
		// quarter second may start a little later.
		onset := wav.FirstSound(from)
		back := wav.WrittenAt(onset).Sub(died)
		clean := wav.WrittenAt(at.Start).Sub(died)
		t.Logf("after PulseAudio died: the tone back %v, clean from %v", back.Round(10*time.Millisecond), clean.Round(10*time.Millisecond))
		if back > toneBack || clean > back+time.Second {
			t.Errorf("the tone came back %v after PulseAudio died, clean from %v; want within %v, clean within a second of that; the guest's logs:\n%s\n%s",
				back.Round(10*time.Millisecond), clean.Round(10*time.Millisecond), toneBack,
				run(t, "grep -F supervise /run/ringo/log/pulseaudio.log"), run(t, "grep -F 'pulse ' /run/ringo/log/phoned.log"))
		}
		if now := strings.TrimSpace(run(t, "pidof pulseaudio")); now == pid || now == "" {
			t.Errorf("pidof pulseaudio after the kill = %q (it was %s): want a new server", now, pid)
		}
		if !strings.Contains(run(t, "phonectl status"), "Connected") {
			t.Errorf("the call did not stay up")
		}
		if !strings.Contains(m.Transcript(), `msg="pulseaudio exited; restarting"`) {
			t.Errorf("the console does not say PulseAudio exited and restarts")
		}
	})
}

// guestLog returns a log file of the guest (for a failure's message).
func guestLog(ctx context.Context, m *qemu.Machine, path string) string {
	out, _, err := m.Run(ctx, "cat "+path)
	if err != nil {
		return err.Error()
	}
	return out
}
