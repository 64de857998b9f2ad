package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/proctest"
)

// A program that fails twice, then asks not to be restarted: the restarts
// wait 1 s then 2 s on the fake clock, supervision ends at code 125, and
// every run's output is in the log.
func TestSuperviseBackoffAndDoNotRestart(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "runs")
	script := `n=$(cat ` + counter + ` 2>/dev/null || echo 0); n=$((n+1)); echo $n > ` + counter + `; echo run $n; [ $n -ge 3 ] && exit 125; exit 1`
	fake := clock.NewFake(time.Unix(0, 0))
	var logs, out proctest.Buffer
	d := &daemon{
		name: "prog", argv: []string{"/bin/sh", "-c", script},
		output: func() (io.WriteCloser, error) { return nopCloser{&out}, nil },
		clock:  fake, rand: func() float64 { return 0 }, log: slog.New(slog.NewTextHandler(&logs, nil)),
		minWait: time.Second, maxWait: 30 * time.Second, healthy: time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- d.supervise(context.Background()) }()
	var waits []time.Duration
	for _, n := range []string{"1", "2"} {
		// The restart timer is set before the line that reports it.
		logs.WaitFor(t, "restarts="+n, 10*time.Second)
		next, ok := fake.Next()
		if !ok {
			t.Fatalf("no restart timer after %s restarts", n)
		}
		waits = append(waits, next.Sub(fake.Now()))
		fake.Advance(next.Sub(fake.Now()))
	}
	var err error
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatalf("supervise did not return; log:\n%s", logs.String())
	}
	if err == nil || !strings.Contains(err.Error(), "exited 125: not restarted") {
		t.Fatalf("supervise = %v", err)
	}
	if got := len(waits); got != 2 || waits[0] != time.Second || waits[1] != 2*time.Second {
		t.Errorf("restart waits = %v, want [1s 2s]", waits)
	}
	if b, _ := os.ReadFile(counter); strings.TrimSpace(string(b)) != "3" {
		t.Errorf("runs = %q, want 3", b)
	}
	if got, want := out.String(), "run 1\nrun 2\nrun 3\n"; got != want {
		t.Errorf("output log = %q, want %q", got, want)
	}
	if !strings.Contains(logs.String(), `msg="prog asked not to be restarted" exit="exit 125" recentOutput="run 1\nrun 2\nrun 3"`) {
		t.Errorf("log lacks the report of exit 125 with the recent output:\n%s", logs.String())
	}
}

// uinit restarts a clean exit too: the handset needs its phone server.
func TestSuperviseRestartsCleanExit(t *testing.T) {
	fake := clock.NewFake(time.Unix(0, 0))
	var logs proctest.Buffer
	d := &daemon{
		name: "prog", argv: []string{"/bin/sh", "-c", "exit 0"},
		output: func() (io.WriteCloser, error) { return nopCloser{io.Discard}, nil },
		clock:  fake, rand: func() float64 { return 0 }, log: slog.New(slog.NewTextHandler(&logs, nil)),
		minWait: time.Second, maxWait: 30 * time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.supervise(ctx) }()
	logs.WaitFor(t, `msg="prog exited; restarting" exit="exit 0"`, 10*time.Second)
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("supervise after ctx ended = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("supervise did not return after ctx ended")
	}
}
