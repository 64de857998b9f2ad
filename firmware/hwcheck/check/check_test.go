package check

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/command"
)

// -h lists the checks on standard output; a check's -h its flags; a
// usage mistake exits 2 before any hardware is touched.
func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{[]string{"-h"}, 0, []string{"usage: hwcheck CHECK", "gpiosim [-chip NAME] -lines", "i2c [-bus N]", "exit status"}, ""},
		{[]string{"help"}, 0, []string{"checks:", "gpiosim", "i2c"}, ""},
		{[]string{"gpiosim", "-h"}, 0, []string{"usage: hwcheck gpiosim", "-lines names"}, ""},
		{[]string{"i2c", "-help"}, 0, []string{"usage: hwcheck i2c", "-addr address"}, ""},
		{nil, 2, nil, "hwcheck: usage: no check given\n" + hint + "\n"},
		{[]string{"frob"}, 2, nil, `hwcheck: usage: unknown check "frob" (the checks: gpiosim, i2c, i2c-read, board, pulse)` + "\n" + hint + "\n"},
		{[]string{"gpiosim"}, 2, nil, "hwcheck: usage: gpiosim: -lines is required"},
		{[]string{"gpiosim", "-lines", "a,,b"}, 2, nil, `hwcheck: usage: gpiosim: -lines "a,,b" has an empty name`},
		{[]string{"gpiosim", "-lines", "a", "extra"}, 2, nil, `hwcheck: usage: gpiosim: unexpected arguments ["extra"]`},
		{[]string{"i2c", "-addr", "0x80"}, 2, nil, "hwcheck: usage: i2c: addr 0x80, reg 0x10, value 0xa5 out of range"},
		{[]string{"pulse"}, 2, nil, "hwcheck: usage: pulse: -line is required"},
		{[]string{"pulse", "-line", "PWRKEY", "-poll", "0s"}, 2, nil, "hwcheck: usage: pulse: -timeout 30s and -poll 0s must be positive"},
		{[]string{"board", "extra"}, 2, nil, `hwcheck: usage: board takes no arguments, got ["extra"]`},
		{[]string{"board", "-h"}, 0, []string{"usage: hwcheck board", "-board"}, ""},
		{[]string{"i2c-read"}, 2, nil, "hwcheck: usage: i2c-read: -regs is required"},
		{[]string{"i2c-read", "-regs", "47,256"}, 2, nil, `hwcheck: usage: i2c-read: register "256" in -regs is not a number from 0 to 255`},
		{[]string{"i2c", "-no-such-flag"}, 2, nil, "hwcheck i2c: flag provided but not defined: -no-such-flag\n"},
	} {
		var out, errb bytes.Buffer
		env := command.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		if code := Main(context.Background(), tc.args, env); code != tc.code {
			t.Errorf("hwcheck %q exits %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		for _, w := range tc.stdout {
			if !strings.Contains(out.String(), w) {
				t.Errorf("hwcheck %q stdout lacks %q:\n%s", tc.args, w, out.String())
			}
		}
		if tc.stdout == nil && out.Len() > 0 {
			t.Errorf("hwcheck %q stdout = %q, want nothing", tc.args, out.String())
		}
		if !strings.HasPrefix(errb.String(), tc.stderr) || (tc.stderr == "" && errb.Len() > 0) {
			t.Errorf("hwcheck %q stderr = %q, want %q", tc.args, errb.String(), tc.stderr)
		}
	}
}
