package main

import "testing"

func TestCmdlineParam(t *testing.T) {
	for _, c := range []struct{ cmdline, want string }{
		{"console=ttyS0,115200 ringo.board=pinephone-1.2\n", "pinephone-1.2"},
		{"ringo.board=qemu-virt quiet", "qemu-virt"},
		{"console=ttyAMA0 quiet", ""},
		{"xringo.board=host ringo.boards=host", ""},
		{"ringo.board=a ringo.board=b", "b"},
		{"ringo.board=", ""},
		{"", ""},
	} {
		if got := cmdlineParam(c.cmdline, boardParam); got != c.want {
			t.Errorf("cmdlineParam(%q) = %q, want %q", c.cmdline, got, c.want)
		}
	}
}

// After the banner the console gets only the kernel's errors, unless the
// command line chose a level itself.
func TestConsoleLevel(t *testing.T) {
	for cmdline, want := range map[string]string{
		"console=ttyAMA0 ringo.board=qemu-virt": "4",
		"console=ttyAMA0 loglevel=7":            "",
		"debug console=ttyS0,115200":            "",
		"quiet":                                 "",
		"ignore_loglevel":                       "",
		"ringo.loglevel=7":                      "4",
	} {
		if got := consoleLevel(cmdline); got != want {
			t.Errorf("consoleLevel(%q) = %q, want %q", cmdline, got, want)
		}
	}
}
