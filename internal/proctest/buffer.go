package proctest

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Buffer is an io.Writer that other goroutines (a logger, a program's
// output, a command under test) write while the test reads it and waits
// for what it expects. Every Write wakes the waiters, so waiting costs no
// polling and no sleeps. The zero value is ready to use; a Buffer must not
// be copied after first use.
type Buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed and replaced by every Write
}

// Write appends p and wakes every waiter. It never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.Write(p)
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return len(p), nil
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// WaitFor waits until the output contains s, and fails the test if it
// does not within timeout.
func (b *Buffer) WaitFor(t testing.TB, s string, timeout time.Duration) {
	t.Helper()
	ok := func(out string) bool { return strings.Contains(out, s) }
	if err := b.wait(ok, timeout); err != nil {
		t.Fatalf("output never contained %q: %v", s, err)
	}
}

// WaitLine waits until a complete line (one ended by a newline) matches
// re, and returns the submatches of the first such line; it fails the
// test if none does within timeout. A line still being written is not
// matched, so a submatch is never cut short.
func (b *Buffer) WaitLine(t testing.TB, re string, timeout time.Duration) []string {
	t.Helper()
	m, err := b.waitLine(regexp.MustCompile(re), timeout)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (b *Buffer) waitLine(rx *regexp.Regexp, timeout time.Duration) ([]string, error) {
	var m []string
	ok := func(out string) bool {
		for {
			line, rest, full := strings.Cut(out, "\n")
			if !full {
				return false
			}
			if m = rx.FindStringSubmatch(line); m != nil {
				return true
			}
			out = rest
		}
	}
	if err := b.wait(ok, timeout); err != nil {
		return nil, fmt.Errorf("no output line matched %q: %w", rx, err)
	}
	return m, nil
}

// wait returns nil once ok holds for the output, or an error carrying the
// output when timeout passes first.
func (b *Buffer) wait(ok func(out string) bool, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		out := b.b.String()
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		ch := b.changed
		b.mu.Unlock()
		if ok(out) {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("timed out after %v; the output so far:\n%s", timeout, b.String())
		}
	}
}
