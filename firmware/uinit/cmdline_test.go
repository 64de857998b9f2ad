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
