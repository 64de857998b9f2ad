//go:build linux

package supervise

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// realRun supervises a shell script once (never restarted) and returns
// its lines, its exit and Run's error. watch, when set, sees every line
// as it comes, on the reading goroutine.
func realRun(t *testing.T, script string, watch func(*Supervisor, string)) ([]string, Exit, error) {
	t.Helper()
	lines := make(chan string, 64)
	var exit *Exit
	var sup *Supervisor
	sup, err := New(Config{Name: "sh", Starter: &Cmd{Path: "/bin/sh", Args: []string{"-c", script}},
		Backoff: Backoff{Initial: time.Second, Max: time.Second},
		Restart: func(Exit) bool { return false },
		OnEvent: func(e Event) {
			if e.State == Exited {
				exit = e.Exit
			}
		},
		OnLine: func(l string) {
			lines <- l
			if watch != nil {
				watch(sup, l)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sup.Run(context.Background()) }()
	select {
	case err = <-done:
	case <-time.After(guard):
		sup.Kill()
		t.Fatalf("%q never ended", script)
	}
	close(lines)
	var got []string
	for l := range lines {
		got = append(got, l)
	}
	if exit == nil {
		t.Fatal("no Exited event")
	}
	return got, *exit, err
}

func TestCmdShortLived(t *testing.T) {
	got, exit, err := realRun(t, "echo x; echo y >&2; exit 3", nil)
	if strings.Join(got, ",") != "x,y" {
		t.Errorf("lines = %q, want [x y]", got)
	}
	if exit.Code != 3 || exit.Signal != 0 || exit.String() != "exit 3" {
		t.Errorf("exit = %+v, want exit 3", exit)
	}
	if !errors.Is(err, ErrNotRestarted) || err.Error() != "sh exited 3: not restarted" {
		t.Errorf("Run = %v, want \"sh exited 3: not restarted\"", err)
	}
}

// A child printing a 200 KiB line: the line arrives cut, the next one
// whole, and the child is not killed (it exits with its own code, not
// with SIGPIPE).
func TestCmdLongLine(t *testing.T) {
	got, exit, _ := realRun(t, `head -c 204800 /dev/zero | tr '\0' x; echo; echo after; exit 3`, nil)
	if len(got) != 2 {
		t.Fatalf("got %d lines, want 2", len(got))
	}
	if !strings.HasPrefix(got[0], strings.Repeat("x", 64<<10)+" [line cut: 65536 of 204800 bytes kept]") {
		t.Errorf("long line = %d bytes ending %q", len(got[0]), got[0][max(0, len(got[0])-50):])
	}
	if got[1] != "after" {
		t.Errorf("line after = %q, want \"after\"", got[1])
	}
	if exit.Code != 3 {
		t.Errorf("exit = %v, want exit 3 (the child was not disturbed)", exit)
	}
}

func TestCmdStartFails(t *testing.T) {
	sup, err := New(Config{Name: "none", Starter: &Cmd{Path: "/nonexistent/prog"},
		Backoff: Backoff{Initial: time.Second, Max: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.Run(context.Background()); !errors.Is(err, ErrNotStarted) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Run = %v, want ErrNotStarted and os.ErrNotExist", err)
	}
}

// Stop's SIGTERM reaches the program's children too: it goes to the
// process group.
func TestCmdStopReachesGroup(t *testing.T) {
	script := `trap 'echo parent-term' TERM
(trap 'echo child-term; exit 0' TERM; echo ready; while :; do sleep 0.01; done) &
wait; wait; exit 0`
	got, exit, err := realRun(t, script, func(s *Supervisor, l string) {
		if l == "ready" {
			s.Stop()
		}
	})
	joined := strings.Join(got, ",")
	if !strings.Contains(joined, "parent-term") || !strings.Contains(joined, "child-term") {
		t.Errorf("lines = %q, want parent-term and child-term", got)
	}
	if exit.Code != 0 || err != nil {
		t.Errorf("exit = %v, Run = %v; want exit 0, nil", exit, err)
	}
}

// Kill takes the whole group: a background child is gone too.
func TestCmdKillTakesGroup(t *testing.T) {
	var child int
	_, exit, err := realRun(t, `sleep 60 & echo $!; wait`, func(s *Supervisor, l string) {
		child, _ = strconv.Atoi(l)
		s.Kill()
	})
	if exit.Signal != syscall.SIGKILL || err != nil {
		t.Errorf("exit = %v, Run = %v; want signal killed, nil", exit, err)
	}
	if child == 0 {
		t.Fatal("no child pid printed")
	}
	if alive(child) {
		t.Errorf("child %d still runs after the kill", child)
	}
}

// A program's leftovers in its group are killed when it exits.
func TestCmdLeftoversKilled(t *testing.T) {
	got, exit, _ := realRun(t, `sleep 60 & echo $!; exit 4`, nil)
	if len(got) != 1 || exit.Code != 4 {
		t.Fatalf("lines %q, exit %v; want a pid, exit 4", got, exit)
	}
	child, _ := strconv.Atoi(got[0])
	if alive(child) {
		t.Errorf("leftover child %d still runs", child)
	}
}

// alive reports whether pid still runs once a kill had time to land: it
// waits (bounded by guard) for the process's pidfd to say it ended. A
// process already gone, or a zombie, does not run.
func alive(pid int) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, int(guard/time.Millisecond))
	return err == nil && n == 0
}

// Programs started through a Spawner run and die when it closes; a closed
// Spawner refuses.
func TestSpawner(t *testing.T) {
	sp := NewSpawner()
	p, err := (&Cmd{Path: "/bin/sh", Args: []string{"-c", "exit 7"}, Spawner: sp}).Start()
	if err != nil {
		t.Fatal(err)
	}
	p.Output().Close()
	if e := p.Wait(); e.Code != 7 {
		t.Errorf("exit = %v, want exit 7", e)
	}
	// The parent-death signal: closing the Spawner ends its thread, and
	// the program it started dies with it.
	p, err = (&Cmd{Path: "/bin/sleep", Args: []string{"60"}, Spawner: sp}).Start()
	if err != nil {
		t.Fatal(err)
	}
	p.Output().Close()
	sp.Close()
	sp.Close()
	if e := p.Wait(); e.Signal != syscall.SIGKILL {
		t.Errorf("exit after the Spawner closed = %v, want signal killed", e)
	}
	if _, err := (&Cmd{Path: "/bin/sh", Spawner: sp}).Start(); !errors.Is(err, ErrClosed) {
		t.Errorf("start after Close = %v, want ErrClosed", err)
	}
}
