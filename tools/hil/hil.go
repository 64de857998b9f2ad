package hil

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/testenv"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// Image returns the kernel and image paths, or skips (fails under
// RINGO_STRICT=1) when they have not been built.
func Image(t testing.TB) (kernel, initrd string) {
	t.Helper()
	testenv.RequireTool(t, "qemu-system-aarch64")
	kernel, initrd = os.Getenv("RINGO_KERNEL"), os.Getenv("RINGO_INITRD")
	if kernel == "" || initrd == "" {
		root := moduleRoot()
		kernel = filepath.Join(root, "build/kernel/vmlinuz")
		initrd = filepath.Join(root, "build/ringo.cpio")
	}
	for _, f := range []string{kernel, initrd} {
		if _, err := os.Stat(f); err != nil {
			if testenv.Strict() {
				t.Fatalf("no image (RINGO_STRICT=1): %v; run `make image`", err)
			}
			t.Skipf("no image: %v; run `make image`", err)
		}
	}
	return kernel, initrd
}

func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// BootTimeout bounds a boot to the banner under software emulation on a
// busy 2-core machine (a quiet one takes about 2 s).
const BootTimeout = 90 * time.Second

// Boot starts the image (Image's, unless cfg names a kernel) in an
// isolated network namespace and waits for the banner. The machine is
// closed at the end of the test; on failure the console transcript is
// logged.
func Boot(t testing.TB, cfg qemu.Config) (*qemu.Machine, string) {
	t.Helper()
	if cfg.Kernel == "" {
		cfg.Kernel, cfg.Initrd = Image(t)
	}
	cfg.Isolate = true
	m, err := qemu.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Close()
		if t.Failed() {
			t.Logf("console transcript:\n%s", printable(m.Transcript()))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), BootTimeout)
	defer cancel()
	banner, err := m.WaitFor(ctx, "Ringo ")
	if err != nil {
		t.Fatalf("no boot banner: %v", err)
	}
	return m, banner
}

// printable drops carriage returns so a transcript reads well in a log.
func printable(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte("\r"), nil))
}
