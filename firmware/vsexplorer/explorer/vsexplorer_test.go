package explorer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/firmware/phoned/server"
	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

func noEnv(string) string { return "" }

func startPhoned(t *testing.T) string {
	t.Helper()
	rt := t.TempDir()
	s, err := server.Start(context.Background(), server.Options{Config: t.TempDir(), Runtime: rt})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return rt
}

func run(t *testing.T, rt string, in string, args ...string) (string, error) {
	var out bytes.Buffer
	err := explore(context.Background(), append([]string{"-runtime", rt}, args...), IO{In: strings.NewReader(in), Out: &out}, noEnv)
	return out.String(), err
}

func TestCommands(t *testing.T) {
	rt := startPhoned(t)
	if _, err := run(t, rt, "", "set", "/Test/list", `[a, "b c"]`); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, rt, "", "set", "/Test/n", "42"); err != nil {
		t.Fatal(err)
	}
	// set values outlive the explorer: phoned owns them.
	if out, err := run(t, rt, "", "get", "/Test/list"); err != nil || out != "[\"a\", \"b c\"]\n" {
		t.Errorf("get /Test/list = %q, %v", out, err)
	}
	if out, err := run(t, rt, "", "ls", "/Test"); err != nil || out != "list = [\"a\", \"b c\"]\nn = 42\n" {
		t.Errorf("ls /Test = %q, %v", out, err)
	}
	if out, err := run(t, rt, "", "ls", "/"); err != nil || !strings.Contains(out, "Test/\n") || !strings.Contains(out, "Telephony/\n") {
		t.Errorf("ls / = %q, %v", out, err)
	}
	if _, err := run(t, rt, "", "rm", "/Test/n"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, rt, "", "get", "/Test/n"); !errors.Is(err, ErrNotFound) || err.Error() != "no value at /Test/n" {
		t.Errorf("get after rm = %v", err)
	}
	if _, err := run(t, rt, "", "set", "/", "1"); err == nil || err.Error() != "refused by phoned: valuespace: the root cannot hold a value" {
		t.Errorf("set / 1 = %v", err)
	}
	if _, err := run(t, rt, "", "frobnicate"); !errors.Is(err, ErrUsage) {
		t.Errorf("unknown command = %v, want ErrUsage", err)
	}
}

func TestShell(t *testing.T) {
	rt := startPhoned(t)
	in := strings.Join([]string{
		"pwd",
		"cd /Test/a",
		"set x hello world",
		"set ../y true",
		"pwd",
		"ls",
		"cd ..",
		"ls",
		"get a/x",
		"get nothing",
		"rm a",
		"ls",
		"exit",
	}, "\n")
	out, err := run(t, rt, in, "shell")
	if err != nil {
		t.Fatal(err)
	}
	want := `vs:/> /
vs:/> vs:/Test/a> vs:/Test/a> vs:/Test/a> /Test/a
vs:/Test/a> x = "hello world"
vs:/Test/a> vs:/Test> a/
y = true
vs:/Test> "hello world"
vs:/Test> error: no value at /Test/nothing
vs:/Test> vs:/Test> y = true
vs:/Test> `
	if out != want {
		t.Errorf("shell session =\n%s\nwant\n%s", out, want)
	}
}

// waitLimit bounds each wait for the explorer's output.
const waitLimit = 10 * time.Second

func TestWatch(t *testing.T) {
	rt := startPhoned(t)
	c, err := bus.Dial(context.Background(), bus.SocketPath(rt), bus.ClientOptions{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out := new(proctest.Buffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- explore(ctx, []string{"-runtime", rt, "watch", "/W"}, IO{In: strings.NewReader(""), Out: out}, noEnv)
	}()
	out.WaitFor(t, "(nothing at /W yet)\n", waitLimit)
	c.Set(ctx, "/W/a", vs.Int(1))
	out.WaitFor(t, "/W/a = 1\n", waitLimit)
	c.Remove(ctx, "/W/a")
	out.WaitFor(t, "/W/a removed\n", waitLimit)
	cancel() // ^C
	if err := <-done; err != nil {
		t.Errorf("watch ended with %v, want nil", err)
	}

	// In the shell, watch stops on Enter and the shell goes on.
	pr, pw := io.Pipe()
	sh := new(proctest.Buffer)
	go func() {
		done <- explore(context.Background(), []string{"-runtime", rt, "shell"}, IO{In: pr, Out: sh}, noEnv)
	}()
	io.WriteString(pw, "watch /W\n")
	sh.WaitFor(t, "(nothing at /W yet)\n", waitLimit)
	c.Set(context.Background(), "/W/b", vs.String("x"))
	sh.WaitFor(t, "/W/b = \"x\"\n", waitLimit)
	io.WriteString(pw, "\n")
	io.WriteString(pw, "pwd\n")
	sh.WaitFor(t, "vs:/> /\n", waitLimit)
	pw.Close()
	if err := <-done; err != nil {
		t.Errorf("shell ended with %v", err)
	}
}
