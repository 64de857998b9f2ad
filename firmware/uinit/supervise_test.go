package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// syncBuf is a log sink safe for the supervisor's goroutine and the test.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A program that fails twice, then asks not to be restarted: the restarts
// wait 1 s then 2 s on the fake clock, and supervision ends at code 125.
func TestSuperviseBackoffAndDoNotRestart(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "runs")
	script := `n=$(cat ` + counter + ` 2>/dev/null || echo 0); n=$((n+1)); echo $n > ` + counter + `; [ $n -ge 3 ] && exit 125; exit 1`
	fake := clock.NewFake(time.Unix(0, 0))
	var logs syncBuf
	d := &daemon{
		name: "prog", argv: []string{"/bin/sh", "-c", script},
		output: func() (io.WriteCloser, error) { return nopCloser{io.Discard}, nil },
		clock:  fake, log: slog.New(slog.NewTextHandler(&logs, nil)),
		minWait: time.Second, maxWait: 30 * time.Second, healthy: time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- d.supervise(context.Background()) }()
	var waits []time.Duration
	for {
		select {
		case err := <-errc:
			if err == nil || !strings.Contains(err.Error(), "exited 125: not restarted") {
				t.Fatalf("supervise = %v", err)
			}
			if got := len(waits); got != 2 || waits[0] != time.Second || waits[1] != 2*time.Second {
				t.Errorf("restart waits = %v, want [1s 2s]", waits)
			}
			if b, _ := os.ReadFile(counter); strings.TrimSpace(string(b)) != "3" {
				t.Errorf("runs = %q, want 3", b)
			}
			return
		default:
		}
		// Advance only when the supervisor is waiting on a timer.
		if next, ok := fake.Next(); ok {
			waits = append(waits, next.Sub(fake.Now()))
			fake.Advance(next.Sub(fake.Now()))
		}
		time.Sleep(time.Millisecond) // yield to the supervisor's goroutine; not a synchronisation
	}
}
