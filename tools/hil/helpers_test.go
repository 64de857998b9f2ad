package hil

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// startPBX starts iaxpbx (bin) with the image's demo account beside m, in
// the guest's network namespace (the guest reaches it as 10.0.2.2), with
// args added. It is killed when the test ends, and its log is printed if
// the test failed.
func startPBX(t testing.TB, m *qemu.Machine, bin string, args ...string) *proctest.Buffer {
	t.Helper()
	var log proctest.Buffer
	pbx := m.Command(bin, append([]string{"-config", filepath.Join(moduleRoot(), "initramfs/demo-pbx.conf")}, args...)...)
	pbx.Stdout, pbx.Stderr = &log, &log
	if err := pbx.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pbx.Process.Kill()
		pbx.Wait()
		if t.Failed() {
			t.Logf("iaxpbx log:\n%s", log.String())
		}
	})
	return &log
}

// mustRun returns a runner of console commands, each bounded by ctx, that
// fails the test it is given unless the command exits 0, and returns the
// command's output.
func mustRun(ctx context.Context, m *qemu.Machine) func(t testing.TB, cmd string) string {
	return func(t testing.TB, cmd string) string {
		t.Helper()
		out, rc, err := m.Run(ctx, cmd)
		if err != nil || rc != 0 {
			t.Fatalf("%s: rc %d, %v\n%s", cmd, rc, err, out)
		}
		return out
	}
}
