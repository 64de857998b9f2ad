package explorer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/qcop"
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

// clients shows the bus's clients and their traffic: a connected one by
// id with the messages it sent by name, and the closed ones added up by
// name.
func TestClients(t *testing.T) {
	rt := startPhoned(t)
	ctx := context.Background()
	c, err := bus.Dial(ctx, bus.SocketPath(rt), bus.ClientOptions{Name: "iaxagent"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ui, err := bus.Dial(ctx, bus.SocketPath(rt), bus.ClientOptions{Name: "phoneui"})
	if err != nil {
		t.Fatal(err)
	}
	defer ui.Close()
	if _, err := ui.Listen(ctx, "QPE/Test", func(bus.Delivery) {}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := qcop.Send(ctx, c, qcop.Message{Channel: "QPE/Test", Name: "ping"}); err != nil {
			t.Fatal(err)
		}
	}
	// A value set through phoned: one closed vsexplorer that sent "set"
	// and received phoned's answer. The clients command is the second.
	if _, err := run(t, rt, "", "set", "/Test/x", "1"); err != nil {
		t.Fatal(err)
	}
	// Both pings are counted once the bus has answered a later request.
	if _, _, err := c.Get(ctx, "/Test/x"); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, rt, "", "clients")
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`^CLIENT +NAME +FRAMES IN +FRAMES OUT +SENT +RECEIVED\n`),
		regexp.MustCompile(`(?m)^#\d+ +iaxagent +[1-9]\d* +\d+ +ping 2 +- *$`),
		regexp.MustCompile(`(?m)^#\d+ +phoneui +[1-9]\d* +[1-9]\d* +- +ping 2 *$`),
		regexp.MustCompile(`(?m)^#\d+ +vsexplorer +[1-9]\d* +\d+ +- +- *$`),
		regexp.MustCompile(`(?m)^1 closed +vsexplorer +[1-9]\d* +[1-9]\d* +set 1 +done 1 *$`),
	} {
		if !re.MatchString(out) {
			t.Errorf("clients =\n%s\nwant it to match %s", out, re)
		}
	}
	// In the shell too.
	if out, err := run(t, rt, "clients\n", "shell"); err != nil || !strings.Contains(out, "vs:/> CLIENT ") {
		t.Errorf("clients in the shell = %q, %v", out, err)
	}
	if _, err := run(t, rt, "", "clients", "x"); !errors.Is(err, ErrUsage) {
		t.Errorf("clients x = %v, want ErrUsage", err)
	}
}

// The bus's errors reach the console as runenv says them, once prefixed
// with the program's name, exit 1.
func TestBusErrors(t *testing.T) {
	d := runenv.Dirs{Runtime: t.TempDir()}
	srv, err := bus.Listen(d.Socket(), bus.ServerOptions{MaxClients: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	holder, err := runenv.Dial(ctx, d, "iaxagent")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	// A client that listens is in use, and is not closed to make room.
	if _, err := holder.Listen(ctx, "QPE/Application/iaxagent", func(bus.Delivery) {}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ rt, want string }{
		{d.Runtime, "vsexplorer: phoned is at its client limit ("},
		{t.TempDir(), "vsexplorer: phoned is not running: no bus at "},
	} {
		var out, errb bytes.Buffer
		code := Run(ctx, []string{"-runtime", tc.rt, "ls", "/"}, testEnv(strings.NewReader(""), &out, &errb), nil)
		if code != 1 || !strings.HasPrefix(errb.String(), tc.want) || strings.Count(errb.String(), "vsexplorer:") != 1 ||
			strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("ls / = exit %d, %q, want exit 1 and one line starting %q", code, errb.String(), tc.want)
		}
	}
}
