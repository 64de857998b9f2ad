package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/command"
)

func TestMainCommandLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string // on standard output
		err  string // on standard error
	}{
		{[]string{"-h"}, 0, "usage: phoneui", ""},
		{[]string{"extra"}, 2, "", `phoneui: unexpected argument "extra": phoneui takes only flags`},
		{[]string{"-no-such-flag"}, 2, "", "phoneui: flag provided but not defined: -no-such-flag"},
		{nil, 1, "", "phoneui: no terminal: standard input and output must be a terminal; run phoneui on the console"},
	} {
		var out, errb bytes.Buffer
		env := command.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		code := Main(context.Background(), c.args, env)
		if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errb.String(), c.err) {
			t.Errorf("phoneui %q = %d, stdout %q, stderr %q; want %d, %q, %q", c.args, code, out.String(), errb.String(), c.code, c.out, c.err)
		}
	}
}
