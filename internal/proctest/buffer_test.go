package proctest

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// Writers on other goroutines wake the waiter: WaitFor and WaitLine
// return as soon as the output is there, long before their timeout.
func TestBufferWaitsForWriters(t *testing.T) {
	var b Buffer
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-release
		for i := range 100 {
			fmt.Fprintf(&b, "n=%d\n", i)
		}
		io.WriteString(&b, "port=12")
		io.WriteString(&b, "345\n")
	}()
	close(release)
	b.WaitFor(t, "n=99\n", time.Minute)
	if m := b.WaitLine(t, `^port=(\d+)$`, time.Minute); m[1] != "12345" {
		t.Errorf("WaitLine(port) = %q, want submatch 12345", m)
	}
	wg.Wait()
	if got := strings.Count(b.String(), "\n"); got != 101 {
		t.Errorf("String() has %d lines, want 101", got)
	}
}

// A line still being written does not match, and a wait that runs out of
// time says what it waited for and shows the output.
func TestBufferTimeout(t *testing.T) {
	var b Buffer
	io.WriteString(&b, "ready=no\nready=yes")
	_, err := b.waitLine(mustRx(`^ready=yes$`), 10*time.Millisecond)
	if err == nil {
		t.Fatal("waitLine matched a line without its newline")
	}
	for _, want := range []string{`"^ready=yes$"`, "timed out after 10ms", "ready=no\nready=yes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("waitLine error = %q, want it to contain %q", err, want)
		}
	}
	io.WriteString(&b, "\n")
	if m, err := b.waitLine(mustRx(`^ready=(yes)$`), time.Minute); err != nil || m[1] != "yes" {
		t.Errorf("waitLine after the newline = %q, %v; want [.. yes], nil", m, err)
	}
}
