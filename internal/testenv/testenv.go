// Package testenv lets tests that need a real outside program (tshark,
// pulseaudio, iaxmodem, qemu-system-aarch64) say so in one line.
//
// On a development host a missing program skips the test with the reason.
// Under `make test` the Makefile sets RINGO_STRICT=1 after `make deps` has
// installed everything, and then a missing program fails the test instead:
// CI must never pass by skipping the real parts.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Strict reports whether missing programs are failures (RINGO_STRICT=1).
func Strict() bool { return os.Getenv("RINGO_STRICT") == "1" }

// RequireTool returns the absolute path of the named program, or skips the
// test (fails it under RINGO_STRICT=1) when the program is not on PATH.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if Strict() {
			t.Fatalf("%s is required (RINGO_STRICT=1) but not on PATH: run `make deps`", name)
		}
		t.Skipf("%s not on PATH (run `make deps`): %v", name, err)
	}
	return p
}

// RequireRoot skips the test (fails it under RINGO_STRICT=1) unless it runs
// as root, for tests that need network namespaces or kernel modules.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		if Strict() {
			t.Fatal("this test needs root (RINGO_STRICT=1)")
		}
		t.Skip("needs root")
	}
}
