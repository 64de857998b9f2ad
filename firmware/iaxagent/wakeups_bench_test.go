//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The agent's battery figures (docs/PERFORMANCE.md): its wakeups — the
// context switches, voluntary and involuntary, of all its threads — and
// its CPU time, in a call and idle, each beside an idle Go program
// measured over the same window (the runtime's floor on this machine).
// Under `make test` (-benchtime=1x) each window is one 20 ms frame, so
// the benchmarks only show they still run; RINGO_BENCH=1 measures for
// real (RINGO_BENCH_WINDOW sets the window).

// benchWindow is the measurement window: long under RINGO_BENCH=1, else
// n frames of 20 ms.
func benchWindow(n int, long time.Duration) time.Duration {
	if os.Getenv("RINGO_BENCH") != "1" {
		return time.Duration(n) * 20 * time.Millisecond
	}
	if d, err := time.ParseDuration(os.Getenv("RINGO_BENCH_WINDOW")); err == nil && d > 0 {
		return d
	}
	return long
}

// startIdle starts the yardstick program (with args: -tick D) and
// returns its pid.
func startIdle(b testing.TB, args ...string) int {
	b.Helper()
	path := filepath.Join(bin, "idle")
	if _, err := os.Stat(path); err != nil {
		out, err := exec.Command("go", "build", "-o", path, "./testdata/idle").CombinedOutput()
		if err != nil {
			b.Fatalf("build the idle yardstick: %v: %s", err, out)
		}
	}
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

type benchUsage struct {
	// floor is the idle yardstick; ticker the one that wakes every 20 ms
	// (measured in a call only).
	agent, floor, ticker usage
}

// measure samples the agent and the yardsticks (ticker may be 0) over
// the same window.
func measure(b testing.TB, agent, idle, ticker int, window time.Duration) benchUsage {
	b.Helper()
	a0, as0 := cpuAndSwitches(b, agent)
	f0, fs0 := cpuAndSwitches(b, idle)
	var t0 time.Duration
	var tsw0 int
	if ticker != 0 {
		t0, tsw0 = cpuAndSwitches(b, ticker)
	}
	start := time.Now()
	time.Sleep(window) // the measurement window itself, not synchronisation
	a1, as1 := cpuAndSwitches(b, agent)
	f1, fs1 := cpuAndSwitches(b, idle)
	w := time.Since(start)
	u := benchUsage{
		agent: usage{cpu: a1 - a0, switches: as1 - as0, rssKB: rss(b, agent), window: w},
		floor: usage{cpu: f1 - f0, switches: fs1 - fs0, window: w},
	}
	if ticker != 0 {
		t1, tsw1 := cpuAndSwitches(b, ticker)
		u.ticker = usage{cpu: t1 - t0, switches: tsw1 - tsw0, window: w}
	}
	return u
}

func (u usage) perSecond() float64  { return float64(u.switches) / u.window.Seconds() }
func (u usage) cpuPercent() float64 { return 100 * u.cpu.Seconds() / u.window.Seconds() }

// callUsage measures the agent in a call to iaxpbx's echo (600) on
// loopback, null audio devices: 50 voice frames a second each way.
func callUsage(tb testing.TB, window func() time.Duration, reset func()) benchUsage {
	// The yardsticks first, so that their start-up is over before the
	// window.
	idle, ticker := startIdle(tb), startIdle(tb, "-tick", "20ms")
	s := newStack(tb, "s3cret")
	s.waitReg("Home")
	id := s.dial("600")
	s.waitCall(id, "Connected")
	pid := agentPID(tb, s)
	// The call's audio has started once iaxpbx answered.
	s.pbx.WaitLine(`msg=answer`, waitLimit)
	reset()
	u := measure(tb, pid, idle, ticker, window())
	s.ctl("hangup", id)
	s.waitCall(id, "HangupLocal")
	return u
}

// idleUsage measures the agent registered (refresh 60 s) and idle. Its
// protocol timers in a minute: a refresh every 48 s (80 % of the grant)
// and a liveness POKE every 25 s, each a datagram out and one back.
func idleUsage(tb testing.TB, window func() time.Duration, reset func()) (u benchUsage, refreshes, pokes int) {
	idle := startIdle(tb) // first, so that its start-up is over before the window
	s := newStack(tb, "s3cret")
	s.waitReg("Home")
	s.mustTool("", "iaxsettings", "set", "-refresh", "60")
	s.pbx.WaitCount(`msg=registered .*user=handset1`, 2, waitLimit)
	s.waitReg("Home")
	pid := agentPID(tb, s)
	regs0 := len(s.pbx.Matching(`msg=registered .*user=handset1`))
	reset()
	u = measure(tb, pid, idle, 0, window())
	refreshes = len(s.pbx.Matching(`msg=registered .*user=handset1`)) - regs0
	return u, refreshes, int(u.agent.window / (25 * time.Second))
}

func perMinute(x usage) float64 { return float64(x.switches) / x.window.Minutes() }

func (u benchUsage) callLine() string {
	return fmt.Sprintf("agent in a call (null audio): %.0f wakeups/s (goal ≤ 100), %.2f %% of a core (goal ≤ 2), RSS %d KiB; idle Go program %.1f wakeups/s, one that only ticks every 20 ms %.0f wakeups/s; %v window",
		u.agent.perSecond(), u.agent.cpuPercent(), u.agent.rssKB, u.floor.perSecond(), u.ticker.perSecond(), u.agent.window.Round(time.Millisecond))
}

func idleLine(u benchUsage, refreshes, pokes int) string {
	return fmt.Sprintf("agent idle, registered (refresh 60 s): %.0f wakeups/min, idle Go program %.0f wakeups/min, %.2f %% of a core, RSS %d KiB; in the %v window %d refreshes and about %d liveness POKEs",
		perMinute(u.agent), perMinute(u.floor), u.agent.cpuPercent(), u.agent.rssKB, u.agent.window.Round(time.Millisecond), refreshes, pokes)
}

// BenchmarkAgentCall: the agent in a call; goal ≤ 100 wakeups/s and
// ≤ 2 % of a core.
func BenchmarkAgentCall(b *testing.B) {
	u := callUsage(b, func() time.Duration { return benchWindow(b.N, 20*time.Second) }, b.ResetTimer)
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(u.agent.perSecond(), "wakeups/s")
	b.ReportMetric(u.floor.perSecond(), "floor-wakeups/s")
	b.ReportMetric(u.ticker.perSecond(), "tick-floor-wakeups/s")
	b.ReportMetric(u.agent.cpuPercent(), "%cpu")
	b.Log(u.callLine())
}

// BenchmarkAgentIdle: the agent idle and registered; goal ≤ 2 wakeups a
// minute beyond the floor and the protocol's exchanges.
func BenchmarkAgentIdle(b *testing.B) {
	u, refreshes, pokes := idleUsage(b, func() time.Duration { return benchWindow(b.N, time.Minute) }, b.ResetTimer)
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(perMinute(u.agent), "wakeups/min")
	b.ReportMetric(perMinute(u.floor), "floor-wakeups/min")
	b.ReportMetric(u.agent.cpuPercent(), "%cpu")
	b.Log(idleLine(u, refreshes, pokes))
}

// TestBenchAgentWakeups is the same two measurements over their long
// windows (20 s in a call, a minute idle) for make bench's step of
// measured runs (RINGO_BENCH=1).
func TestBenchAgentWakeups(t *testing.T) {
	if os.Getenv("RINGO_BENCH") != "1" {
		t.Skip("a measurement, not a test: make bench runs it (RINGO_BENCH=1)")
	}
	long := func(d time.Duration) func() time.Duration { return func() time.Duration { return benchWindow(0, d) } }
	c := callUsage(t, long(20*time.Second), func() {})
	t.Log(c.callLine())
	i, refreshes, pokes := idleUsage(t, long(time.Minute), func() {})
	t.Log(idleLine(i, refreshes, pokes))
	// The same figures as benchmark lines, for make bench's table: they
	// come after the benchmarks' one-second runs and replace them.
	fmt.Printf("BenchmarkAgentCall 1 %.1f wakeups/s %.1f floor-wakeups/s %.1f tick-floor-wakeups/s %.2f %%cpu\n",
		c.agent.perSecond(), c.floor.perSecond(), c.ticker.perSecond(), c.agent.cpuPercent())
	fmt.Printf("BenchmarkAgentIdle 1 %.1f wakeups/min %.1f floor-wakeups/min %.2f %%cpu\n",
		perMinute(i.agent), perMinute(i.floor), i.agent.cpuPercent())
}
