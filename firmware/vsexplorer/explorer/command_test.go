package explorer

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/proctest"
)

func testEnv(in io.Reader, out, errb io.Writer) command.Env {
	return command.Env{Stdin: in, Stdout: out, Stderr: errb, Getenv: noEnv}
}

// Help goes to standard output with exit 0; a usage mistake exits 2 with
// the reason and a hint, before vsexplorer dials the bus (there is no
// phoned here).
func TestHelpAndUsage(t *testing.T) {
	rt := t.TempDir()
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr []string
	}{
		{[]string{"-h"}, 0, "usage: vsexplorer", nil},
		{[]string{"-help"}, 0, "watch [PATH]", nil},
		{[]string{"help"}, 0, "shell              interactive", nil},
		{nil, 2, "", []string{"vsexplorer: usage: no command given\n", hint}},
		{[]string{"frobnicate"}, 2, "", []string{`vsexplorer: usage: unknown command "frobnicate"` + "\n", hint}},
		{[]string{"-no-such-flag"}, 2, "", []string{"vsexplorer: usage: flag provided but not defined: -no-such-flag\n", hint}},
		{[]string{"get"}, 2, "", []string{"vsexplorer: usage: get PATH\n"}},
		{[]string{"shell", "x"}, 2, "", []string{"vsexplorer: usage: shell takes no arguments\n"}},
		{[]string{"ls", "/"}, 1, "", []string{"vsexplorer: phoned is not running"}},
	} {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append([]string{"-runtime", rt}, tc.args...), testEnv(strings.NewReader(""), &out, &errb), nil)
		if code != tc.code {
			t.Errorf("vsexplorer %q exits %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		if !strings.Contains(out.String(), tc.stdout) || (tc.stdout == "" && out.Len() > 0) {
			t.Errorf("vsexplorer %q stdout = %q, want %q", tc.args, out.String(), tc.stdout)
		}
		for _, w := range tc.stderr {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("vsexplorer %q stderr = %q, want it to hold %q", tc.args, errb.String(), w)
			}
		}
		if tc.stderr == nil && errb.Len() > 0 {
			t.Errorf("vsexplorer %q stderr = %q, want nothing", tc.args, errb.String())
		}
	}
}

// ^C ends a watch outside the shell (exit 0); in the shell it stops the
// watch and, at the prompt, only gives a new prompt.
func TestInterrupt(t *testing.T) {
	rt := startPhoned(t)
	interrupt := make(chan struct{})
	out := new(proctest.Buffer)
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), []string{"-runtime", rt, "watch", "/I"}, testEnv(strings.NewReader(""), out, io.Discard), interrupt)
	}()
	out.WaitFor(t, "(nothing at /I yet)\n", waitLimit)
	interrupt <- struct{}{}
	if code := <-done; code != 0 {
		t.Errorf("watch ended by ^C exits %d, want 0", code)
	}

	pr, pw := io.Pipe()
	sh := new(proctest.Buffer)
	go func() {
		done <- Run(context.Background(), []string{"-runtime", rt, "shell"}, testEnv(pr, sh, io.Discard), interrupt)
	}()
	sh.WaitFor(t, "vs:/> ", waitLimit)
	interrupt <- struct{}{} // at the prompt: a new prompt
	sh.WaitFor(t, "vs:/> \nvs:/> ", waitLimit)
	io.WriteString(pw, "watch /I\n")
	sh.WaitFor(t, "(nothing at /I yet)\n", waitLimit)
	interrupt <- struct{}{} // stops the watch, not the shell
	io.WriteString(pw, "pwd\n")
	sh.WaitFor(t, "vs:/> /\n", waitLimit)
	pw.Close()
	if code := <-done; code != 0 {
		t.Errorf("shell exits %d at the end of input, want 0", code)
	}
}
