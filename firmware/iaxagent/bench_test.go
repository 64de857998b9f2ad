package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBenchStack measures the agent under phoned for docs/PERFORMANCE.md:
// phoned start → Home, dial → Connected on loopback, and the agent's CPU,
// RSS and context switches idle (registered) and in a call. It runs under
// `make bench` (RINGO_BENCH=1), not `make test`.
func TestBenchStack(t *testing.T) {
	if os.Getenv("RINGO_BENCH") != "1" {
		t.Skip("a measurement, not a test: make bench runs it (RINGO_BENCH=1)")
	}
	var homes []time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		s := newStack(t, "s3cret")
		s.waitReg("Home")
		homes = append(homes, time.Since(start))
		s.phoned.Cmd.Process.Kill()
	}
	s := newStack(t, "s3cret")
	s.waitReg("Home")
	// The handset default refresh (60 s), not the tests' short one.
	s.mustTool("", "iaxsettings", "set", "-refresh", "60")
	s.pbx.WaitCount(`msg=registered .*user=handset1`, 2, waitLimit)
	s.waitReg("Home")
	var dials []time.Duration
	for i := 0; i < 10; i++ {
		start := time.Now()
		id := s.dial("600")
		s.waitCall(id, "Connected")
		dials = append(dials, time.Since(start))
		s.ctl("hangup", id)
		s.waitCall(id, "HangupLocal")
	}
	pid := agentPID(t, s)
	const window = 30 * time.Second
	idle := sample(t, pid, window)
	id := s.dial("600")
	s.waitCall(id, "Connected")
	inCall := sample(t, pid, window)
	s.ctl("hangup", id)

	t.Logf("phoned start → Home: median %v of %d (includes iaxpbx start and iaxsettings)", median(homes), len(homes))
	t.Logf("dial → Connected (phonectl round trips included): median %v of %d", median(dials), len(dials))
	t.Logf("iaxagent idle, registered: %s", idle)
	t.Logf("iaxagent in a call to 600 (null audio): %s", inCall)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}

type usage struct {
	cpu      time.Duration // user+system over the window
	rssKB    int
	switches int // voluntary + involuntary context switches of all threads
	window   time.Duration
}

func (u usage) String() string {
	perMin := float64(u.switches) / u.window.Minutes()
	return "CPU " + (u.cpu).String() + " over " + u.window.String() +
		" (" + strconv.FormatFloat(100*u.cpu.Seconds()/u.window.Seconds(), 'f', 2, 64) + " %), RSS " +
		strconv.Itoa(u.rssKB) + " KiB, " + strconv.FormatFloat(perMin, 'f', 0, 64) + " wakeups/min"
}

// sample reads the process's CPU time and context switches before and
// after window.
func sample(t *testing.T, pid int, window time.Duration) usage {
	t.Helper()
	cpu0, sw0 := cpuAndSwitches(t, pid)
	time.Sleep(window) // the measurement window itself
	cpu1, sw1 := cpuAndSwitches(t, pid)
	return usage{cpu: cpu1 - cpu0, switches: sw1 - sw0, rssKB: rss(t, pid), window: window}
}

const clockTick = 100 // USER_HZ on Linux

func cpuAndSwitches(t testing.TB, pid int) (time.Duration, int) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	cpu := time.Duration(ut+st) * time.Second / clockTick
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/status")
	sw := 0
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && (k == "voluntary_ctxt_switches" || k == "nonvoluntary_ctxt_switches") {
				n, _ := strconv.Atoi(strings.TrimSpace(v))
				sw += n
			}
		}
	}
	return cpu, sw
}

func rss(t testing.TB, pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	return 0
}
