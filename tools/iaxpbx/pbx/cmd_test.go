package pbx

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/command"
)

func testEnv(out, errb io.Writer) command.Env {
	return command.Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errb, Getenv: func(string) string { return "" }}
}

func TestMainRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want error
	}{
		{[]string{"-listen", "127.0.0.1:0", "-no-calltoken", "nobody"}, ErrConfig},
		{[]string{"-listen", "127.0.0.1:0", "-user", "nosecret"}, ErrConfig},
		{[]string{"-listen", "127.0.0.1:0", "-log-level", "loud"}, ErrConfig},
		{[]string{"-listen", "127.0.0.1:0", "extra"}, command.ErrUsage},
		{[]string{"-config", "/nonexistent/iaxpbx.conf"}, ErrConfig},
	} {
		err := run(t.Context(), tc.args, testEnv(io.Discard, io.Discard))
		if !errors.Is(err, tc.want) {
			t.Errorf("run(%q) = %v, want %v", tc.args, err, tc.want)
		}
	}
}

// -h prints the flags on standard output and exits 0; a bad flag exits 2
// with the reason on standard error; a bad configuration exits 1.
func TestMainExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"-h"}, 0, "-listen string", ""},
		{[]string{"-no-such-flag"}, 2, "", "iaxpbx: flag provided but not defined: -no-such-flag\n"},
		{[]string{"extra"}, 2, "", `iaxpbx: usage: unexpected arguments ["extra"]`},
		{[]string{"-listen", "127.0.0.1:0", "-log-level", "loud"}, 1, "", "iaxpbx: bad configuration: -log-level: "},
	} {
		var out, errb bytes.Buffer
		if code := Main(t.Context(), tc.args, testEnv(&out, &errb)); code != tc.code {
			t.Errorf("iaxpbx %q exits %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		if !strings.Contains(out.String(), tc.stdout) || (tc.stdout == "" && out.Len() > 0) {
			t.Errorf("iaxpbx %q stdout = %q, want %q", tc.args, out.String(), tc.stdout)
		}
		if !strings.HasPrefix(errb.String(), tc.stderr) || (tc.stderr == "" && errb.Len() > 0) {
			t.Errorf("iaxpbx %q stderr = %q, want %q", tc.args, errb.String(), tc.stderr)
		}
	}
}
