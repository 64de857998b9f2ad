package hil

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/tools/qemu"
)

// TestSmoke boots the image once and checks, over the serial console, the
// banner, the board bring-up, the simulated GPIO and I2C hardware, QMP, and
// a clean power-off.
func TestSmoke(t *testing.T) {
	m, banner := Boot(t, qemu.Config{Keyboard: true})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Logf("banner: %s", banner)
	if !regexp.MustCompile(`^Ringo \S+ kernel \S+-arm64 compatible linux,dummy-virt up \d+\.\d\ds$`).MatchString(banner) {
		t.Errorf("banner = %q", banner)
	}
	tr := m.Transcript()
	for _, mod := range []string{"configfs", "virtio_net", "gpio-sim", "i2c-stub chip_addr=0x18", "i2c-dev"} {
		if !strings.Contains(tr, "loaded   module "+mod) {
			t.Errorf("bring-up report lacks %q loaded", mod)
		}
	}
	if strings.Contains(tr, "FAILED") {
		t.Errorf("bring-up report has a failure")
	}

	// gpio-sim through configfs: exactly the two named lines.
	out, rc, err := m.Run(ctx, "hwcheck gpiosim -chip ringo -lines hook-switch,flight-mode")
	if err != nil || rc != 0 {
		t.Fatalf("hwcheck gpiosim = %q, rc %d, %v", out, rc, err)
	}
	if !regexp.MustCompile(`^gpiochip\d+ label ringo lines hook-switch,flight-mode$`).MatchString(out) {
		t.Errorf("hwcheck gpiosim printed %q", out)
	}
	// The kernel made the character device that periph opened.
	chip := strings.Fields(out)[0]
	if _, rc, err := m.Run(ctx, "test -c /dev/"+chip); err != nil || rc != 0 {
		t.Errorf("/dev/%s is not a character device: rc %d, %v", chip, rc, err)
	}

	// i2c-stub at 0x18 (the codec's address): a byte written to a register reads back.
	out, rc, err = m.Run(ctx, "hwcheck i2c -addr 0x18 -reg 0x10 -value 0xa5")
	if err != nil || rc != 0 {
		t.Fatalf("hwcheck i2c = %q, rc %d, %v", out, rc, err)
	}
	if !regexp.MustCompile(`^i2c-\d+ 0x18 reg 0x10 wrote 0xa5 read 0xa5$`).MatchString(out) {
		t.Errorf("hwcheck i2c printed %q", out)
	}
	// A different value, so a stale 0xa5 could not pass.
	if out, rc, err = m.Run(ctx, "hwcheck i2c -addr 0x18 -reg 0x10 -value 0x3c"); err != nil || rc != 0 || !strings.HasSuffix(out, "read 0x3c") {
		t.Errorf("hwcheck i2c 0x3c = %q, rc %d, %v", out, rc, err)
	}
	// A failing command's exit code comes through.
	if _, rc, err := m.Run(ctx, "hwcheck i2c -addr 0x18 -reg 0x1ff"); err != nil || rc == 0 {
		t.Errorf("hwcheck with a bad register: rc %d, %v; want non-zero", rc, err)
	}

	// QMP answers.
	st, err := m.QMP(ctx, "query-status", nil)
	if err != nil {
		t.Fatal(err)
	}
	var status struct {
		Running bool   `json:"running"`
		Status  string `json:"status"`
	}
	if err := json.Unmarshal(st, &status); err != nil || !status.Running {
		t.Errorf("query-status = %s, %v", st, err)
	}

	noSoundCard(t, ctx, m)

	if err := m.PowerOff(ctx); err != nil {
		t.Fatalf("poweroff: %v", err)
	}
	if !strings.Contains(m.Transcript(), "reboot: Power down") {
		t.Errorf("no clean power-off on the console")
	}
}

// noSoundCard checks a machine booted without the sound card (issue 13):
// the console says PulseAudio runs without it, and a call placed from the
// console is up on the null device, which phonectl status shows with the
// reason, and which the agent logs once.
func noSoundCard(t *testing.T, ctx context.Context, m *qemu.Machine) {
	t.Run("no sound card: the null device, and why", func(t *testing.T) {
		startPBX(t, m, buildTool(t, "iaxpbx"))
		run := mustRun(ctx, m)
		// uinit gives the card 10 s to appear, then starts PulseAudio
		// without it and says so where a person will see it.
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if _, err := m.WaitFor(wctx, "PulseAudio starts without the board's sound card"); err != nil {
			t.Fatalf("the console never said PulseAudio runs without the sound card: %v", err)
		}
		// hwcheck's report names the missing card, and fails.
		if out, rc, err := m.Run(ctx, "hwcheck board"); err != nil || rc != 1 ||
			!regexp.MustCompile(`(?m)^FAIL +sound card +no sound card "Audio" in /proc/asound/cards`).MatchString(out) {
			t.Errorf("hwcheck board without the card: rc %d, %v, want 1 and a FAIL line for the sound card:\n%s", rc, err, out)
		}
		run(t, "phonectl wait -service asterisk Home -timeout 60s")
		run(t, "phonectl dial 600")
		run(t, "phonectl wait Connected -timeout 30s")
		status := run(t, "phonectl status")
		if !regexp.MustCompile(`audio of \S+ on null \(PulseAudio not available: .+`).MatchString(status) {
			t.Errorf("phonectl status does not say the call is on the null device and why:\n%s", status)
		}
		run(t, "phonectl hangup")
		run(t, "phonectl wait HangupLocal -timeout 30s")
		if n := strings.TrimSpace(run(t, "grep -c -F 'call audio on the null device' /run/ringo/log/phoned.log")); n != "1" {
			t.Errorf("phoned.log says %s times that the call fell back to the null device, want once:\n%s",
				n, run(t, "grep -F 'null device' /run/ringo/log/phoned.log"))
		}
	})
}
