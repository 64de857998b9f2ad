//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/tmuxtest"
)

// TestBenchScreen measures the call screen under tmux, as on the console:
// how long from a key press to the terminal receiving the update (and how
// many bytes that update is), for TERM=vt100 and TERM=linux; and phoneui's
// idle wakeups (context switches of all its threads per minute) against
// an idle Go program measured over the same window. It runs under
// RINGO_BENCH=1 (`make bench`); RINGO_BENCH_IDLE shortens the one-minute
// window.
func TestBenchScreen(t *testing.T) {
	if os.Getenv("RINGO_BENCH") != "1" {
		t.Skip("a one-minute measurement; set RINGO_BENCH=1")
	}
	window := time.Minute
	if d, err := time.ParseDuration(os.Getenv("RINGO_BENCH_IDLE")); err == nil {
		window = d
	}
	s := newStack(t)
	s.withTestAgent("alpha", "alphasvc", "Alpha")
	s.start()

	var ui *term
	var out *paneOutput
	for _, termType := range []string{"linux", "vt100"} {
		ui = startUITerm(t, s, termType)
		ui.wait(`alphasvc\s+\[generic\]`)
		out = ui.pipeOutput(t)
		var lat []time.Duration
		var sizes []int
		for i := range 20 {
			before := out.len()
			start := time.Now()
			digit := strconv.Itoa(i % 10)
			ui.typ(digit)
			first, n := out.waitGrowth(t, before)
			lat = append(lat, first.Sub(start))
			sizes = append(sizes, n)
		}
		slices.Sort(lat)
		slices.Sort(sizes)
		t.Logf("TERM=%s key press → terminal updated: median %v, max %v; %d bytes sent per key (median)",
			termType, lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond), sizes[len(sizes)/2])
		if termType == "linux" {
			ui.keys("C-c")
			ui.wait(`Pane is dead`)
		}
	}

	// Idle: nothing happens on the bus and nobody types; the clock in the
	// status bar changes once a minute.
	pid, _ := strconv.Atoi(strings.TrimSpace(ui.tmux("display-message", "-p", "-t", tmuxtest.Target, "#{pane_pid}")))
	idle := exec.Command(filepath.Join(bin, "idle"))
	if err := idle.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { idle.Process.Kill(); idle.Wait() }()
	before := out.len()
	u0, i0 := switches(pid), switches(idle.Process.Pid)
	time.Sleep(window) // the measurement window itself, not synchronisation
	u1, i1 := switches(pid), switches(idle.Process.Pid)
	perMin := func(a, b int64) float64 { return float64(b-a) * float64(time.Minute) / float64(window) }
	t.Logf("idle over %v: phoneui %.0f wakeups/min (%d bytes sent to the terminal), an idle Go program %.0f wakeups/min",
		window, perMin(u0, u1), out.len()-before, perMin(i0, i1))
}

// switches adds up the context switches of all of pid's threads.
func switches(pid int) int64 {
	var n int64
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "status"))
	for _, tp := range tasks {
		b, _ := os.ReadFile(tp)
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) == 2 && (f[0] == "voluntary_ctxt_switches:" || f[0] == "nonvoluntary_ctxt_switches:") {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				n += v
			}
		}
	}
	return n
}

// paneOutput is what the program in the pane writes to its terminal,
// through tmux's pipe-pane into a FIFO the test reads.
type paneOutput struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
	first   time.Time
}

func (tm *term) pipeOutput(t *testing.T) *paneOutput {
	fifo := filepath.Join(tm.Dir(), fmt.Sprintf("out%d", time.Now().UnixNano()))
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	o := &paneOutput{changed: make(chan struct{})}
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until tmux's cat opens it
		if err != nil {
			close(opened)
			return
		}
		opened <- f
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			o.mu.Lock()
			o.buf.Write(b[:n])
			close(o.changed)
			o.changed = make(chan struct{})
			o.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	tm.tmux("pipe-pane", "-o", "-t", tmuxtest.Target, "cat > "+fifo)
	select {
	case f := <-opened:
		t.Cleanup(func() { f.Close() })
	case <-time.After(waitLimit):
		t.Fatalf("tmux did not open the pipe %s within %v", fifo, waitLimit)
	}
	return o
}

func (o *paneOutput) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Len()
}

// waitGrowth waits until output arrives after before, then until it
// stops for a moment (one update may come in several writes), and
// returns when the first of it arrived and how much arrived.
func (o *paneOutput) waitGrowth(t *testing.T, before int) (time.Time, int) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		o.mu.Lock()
		n, ch := o.buf.Len(), o.changed
		o.mu.Unlock()
		if n > before {
			o.first = time.Now()
			break
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("no output for %v after a key", waitLimit)
		}
	}
	for {
		o.mu.Lock()
		ch := o.changed
		o.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(20 * time.Millisecond): // quiet: the update is complete
			return o.first, o.len() - before
		}
	}
}
