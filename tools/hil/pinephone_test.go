package hil

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/testenv"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// TestPinePhoneInitramfs boots the kernel and initramfs of the PinePhone's
// SD-card image, taken out of its boot partition, on QEMU's virt machine
// (the A64 has no QEMU model) with the board forced by ringo.board= as the
// card's boot script sets it: a smoke test that the pieces belong together.
// The bring-up loads every PinePhone module (the LRADC keys built out of
// tree among them) into this kernel; the phone's parts themselves are
// absent here, so their failures are expected, and the banner still comes.
func TestPinePhoneInitramfs(t *testing.T) {
	testenv.RequireTool(t, "qemu-system-aarch64")
	testenv.RequireTool(t, "mcopy")
	img := filepath.Join(moduleRoot(), "build/ringo-pinephone-1.2.img")
	if _, err := os.Stat(img); err != nil {
		if testenv.Strict() {
			t.Fatalf("no PinePhone image (RINGO_STRICT=1): %v; run `make image BOARD=pinephone-1.2`", err)
		}
		t.Skipf("no PinePhone image: %v; run `make image BOARD=pinephone-1.2`", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"vmlinuz", "ringo.cpio"} {
		// The boot partition starts at 1 MiB (tools/sdimage checks it).
		cmd := exec.Command("mcopy", "-n", "-i", img+"@@1M", "::/"+f, filepath.Join(dir, f))
		cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("mcopy %s out of %s: %v\n%s", f, img, err, out)
		}
	}
	m, banner := Boot(t, qemu.Config{
		Kernel: filepath.Join(dir, "vmlinuz"), Initrd: filepath.Join(dir, "ringo.cpio"),
		Append: "ringo.board=pinephone-1.2",
	})
	if !regexp.MustCompile(`^Ringo \S+ kernel \S+-arm64 compatible linux,dummy-virt up \d+\.\d\ds$`).MatchString(banner) {
		t.Errorf("banner = %q", banner)
	}
	tr := m.Transcript()
	if !strings.Contains(tr, "board pinephone-1.2:") {
		t.Fatalf("no bring-up report for board pinephone-1.2: ringo.board= was not honoured")
	}
	for _, mod := range board.PinePhone12.Modules {
		if !strings.Contains(tr, "loaded   module "+mod.Name+"\r") && !strings.Contains(tr, "loaded   module "+mod.Name+"\n") {
			t.Errorf("bring-up report lacks module %s loaded", mod.Name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, rc, err := m.Run(ctx, "grep -c '^sun4i_lradc_keys ' /proc/modules")
	if err != nil || rc != 0 || strings.TrimSpace(out) != "1" {
		t.Errorf("sun4i_lradc_keys in /proc/modules: %q, rc %d, %v", out, rc, err)
	}
	if err := m.PowerOff(ctx); err != nil {
		t.Errorf("poweroff: %v", err)
	}
}
