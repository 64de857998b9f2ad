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

	if err := m.PowerOff(ctx); err != nil {
		t.Fatalf("poweroff: %v", err)
	}
	if !strings.Contains(m.Transcript(), "reboot: Power down") {
		t.Errorf("no clean power-off on the console")
	}
}
