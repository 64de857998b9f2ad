package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"golang.org/x/sys/unix"
)

// BenchmarkEchoCalls measures what iaxpbx's echo (extension 600) costs
// per frame and how many calls one core of it carries: iaxpbx runs with
// GOMAXPROCS=1, a load generator built on package iax places N calls and
// sends one 20 ms G.711 frame per call every 20 ms; each tick is 20 ms.
// pin=yes holds iaxpbx to CPU 0 and the generator to CPU 1 (taskset),
// pin=no lets them share the machine's cores.
//
// Reported: loss-% (echoes that did not come back), lost-on-the-way-in-%
// (frames iaxpbx never received), drain-ms (how long the last echoes
// took: a lagging iaxpbx queues them), pbx-cpu-% and loadgen-cpu-% (of
// one core), pbx-us/frame (iaxpbx's CPU per echoed frame: one received
// and sent back), frames/s-per-core (echoed frames per second of
// iaxpbx CPU), syscalls/frame (iaxpbx's system calls per echoed frame,
// counted by perf when it is there).
//
// Without RINGO_BENCH=1 it is a smoke run (50 calls, unpinned, b.N
// ticks: -benchtime=1x is one); with it, the sweep 600 to 3000 calls,
// pinned and not, 250 ticks (5 s) each.
func BenchmarkEchoCalls(b *testing.B) {
	if os.Getenv("RINGO_BENCH") != "1" {
		b.Run("calls=50", func(b *testing.B) { benchEcho(b, 50, false, user1, secret1, iax.EncryptionOff) })
		return
	}
	for _, pin := range []bool{true, false} {
		for _, n := range []int{600, 1000, 2000, 3000} {
			b.Run(fmt.Sprintf("pin=%s/calls=%d", yesNo(pin), n), func(b *testing.B) { benchEcho(b, n, pin, user1, secret1, iax.EncryptionOff) })
		}
	}
}

// BenchmarkEchoCallsEncrypted is BenchmarkEchoCalls with every call
// AES-128 encrypted (handset3, encryption required on both sides): what
// encryption costs iaxpbx per frame, against the clear calls above.
func BenchmarkEchoCallsEncrypted(b *testing.B) {
	if os.Getenv("RINGO_BENCH") != "1" {
		b.Run("calls=50", func(b *testing.B) { benchEcho(b, 50, false, user3, secret3, iax.EncryptionRequired) })
		return
	}
	for _, n := range []int{600, 1000} {
		b.Run(fmt.Sprintf("pin=yes/calls=%d", n), func(b *testing.B) { benchEcho(b, n, true, user3, secret3, iax.EncryptionRequired) })
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// benchTicks is how many 20 ms ticks a measurement lasts at least.
func benchTicks(b *testing.B) int {
	if os.Getenv("RINGO_BENCH") == "1" {
		return max(b.N, 250)
	}
	return b.N
}

func benchEcho(b *testing.B, n int, pin bool, user, secret string, enc iax.Encryption) {
	if pin {
		if runtime.NumCPU() < 2 {
			b.Skip("pinning needs two CPUs")
		}
		restore := pinProcess(b, 1)
		defer restore()
	}
	pbx, addr := startBenchPBX(b, pin)
	server := netip.MustParseAddrPort(addr)
	ctx := context.Background()
	// Several client endpoints, as several handsets would be; each
	// batches its writes as iaxpbx does, so that the generator keeps up.
	endpoints := max(8, n/250)
	var eps []*iax.Endpoint
	for range endpoints {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		conn.SetReadBuffer(4 << 20)
		conn.SetWriteBuffer(4 << 20)
		ep := iax.New(conn, iax.Config{PingInterval: -1, BatchedWrites: true})
		defer ep.Close()
		eps = append(eps, ep)
	}
	calls := make([]*iax.Call, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	setup := make(chan struct{}, 32) // calls being set up at once
	for i := range n {
		wg.Add(1)
		setup <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-setup }()
			c, err := eps[i%endpoints].Dial(iax.DialOptions{Peer: server, Called: "600", Username: user, Secret: secret, Encryption: enc})
			if err != nil {
				errs <- err
				return
			}
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := c.Wait(wctx); err != nil {
				errs <- fmt.Errorf("call %d: %w", i, err)
				return
			}
			if c.Info().Encrypted != (enc != iax.EncryptionOff) {
				errs <- fmt.Errorf("call %d: encrypted %v with encryption %v", i, c.Info().Encrypted, enc)
				return
			}
			c.TakeVoice(nil) // echoes queue for TakeVoice
			calls[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	payload := make([]byte, 160)
	for i := range payload {
		payload[i] = 0x55
	}
	frames := make([]iax.Voice, 8)
	var received int64
	take := func(c *iax.Call) {
		for k := c.TakeVoice(frames); k > 0; k = c.TakeVoice(frames) {
			received += int64(k)
		}
	}
	pid := pbx.Cmd.Process.Pid
	sys := startSyscallCount(b, pid)
	cpu0 := cpuTime(b, pid)
	self0 := cpuTime(b, os.Getpid())
	ticks := benchTicks(b)
	start := time.Now()
	b.ResetTimer()
	var sent int64
	// Calls send at different moments of each 20 ms, as independent
	// handsets do: slot k of 20 (1 ms apart) sends for calls k, k+20, ...
	// and takes the echoes that came back.
	const slots = 20
	for tick := range ticks {
		for k := range slots {
			for i := k; i < n; i += slots {
				take(calls[i])
				if calls[i].SendVoice(payload) == nil {
					sent++
				}
			}
			time.Sleep(time.Until(start.Add(time.Duration(tick)*20*time.Millisecond + time.Duration(k+1)*time.Millisecond)))
		}
	}
	b.StopTimer()
	elapsed := time.Since(start)
	cpu := cpuTime(b, pid) - cpu0
	self := cpuTime(b, os.Getpid()) - self0
	syscalls := sys.stop()
	// Wait for the echoes still queued or in flight: until nothing more
	// arrives for 300 ms (at most 5 s). A long drain means iaxpbx lags.
	drainStart, last, quiet := time.Now(), received, time.Now()
	for time.Since(quiet) < 300*time.Millisecond && time.Since(drainStart) < 5*time.Second {
		time.Sleep(20 * time.Millisecond)
		for _, c := range calls {
			take(c)
		}
		if received != last {
			last, quiet = received, time.Now()
		}
	}
	b.ReportMetric(float64(quiet.Sub(drainStart).Milliseconds()), "drain-ms")
	for _, c := range calls {
		c.Hangup(0)
	}
	defer func() { // iaxpbx writes its profile as it stops
		pbx.Cmd.Process.Signal(os.Interrupt)
		select {
		case <-pbx.Exited():
		case <-time.After(10 * time.Second):
		}
	}()
	// Where frames were lost: iaxpbx logs what each call received.
	deadline := time.Now().Add(10 * time.Second)
	for len(pbx.Matching(`msg=hangup category=pbx`)) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var pbxRx int64
	rxRE := regexp.MustCompile(`voice_received=(\d+)`)
	for _, l := range pbx.Matching(`msg=hangup category=pbx`) {
		if m := rxRE.FindStringSubmatch(l); m != nil {
			v, _ := strconv.ParseInt(m[1], 10, 64)
			pbxRx += v
		}
	}
	if sent > 0 {
		b.ReportMetric(100*float64(sent-min(pbxRx, sent))/float64(sent), "lost-on-the-way-in-%")
	}
	loss := 0.0
	if sent > 0 {
		loss = 100 * float64(sent-min(received, sent)) / float64(sent)
	}
	b.ReportMetric(loss, "loss-%")
	b.ReportMetric(100*cpu.Seconds()/elapsed.Seconds(), "pbx-cpu-%")
	b.ReportMetric(100*self.Seconds()/elapsed.Seconds(), "loadgen-cpu-%")
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "frames/s")
	if echoed := min(received, sent); echoed > 0 && cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(echoed), "pbx-us/frame")
		b.ReportMetric(float64(echoed)/cpu.Seconds(), "frames/s-per-core")
		if syscalls >= 0 {
			b.ReportMetric(float64(syscalls)/float64(echoed), "syscalls/frame")
		}
	}
}

// pinProcess holds every thread of this process to cpu (new threads
// inherit it) and returns what undoes it.
func pinProcess(tb testing.TB, cpu int) (restore func()) {
	tb.Helper()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		tb.Fatalf("cannot read the CPU affinity: %v", err)
	}
	set.Set(cpu)
	apply := func(s *unix.CPUSet) {
		tasks, _ := filepath.Glob("/proc/self/task/*")
		for _, t := range tasks {
			tid, err := strconv.Atoi(filepath.Base(t))
			if err != nil {
				continue
			}
			_ = unix.SchedSetaffinity(tid, s) // a thread may have exited
		}
	}
	apply(&set)
	return func() { apply(&old) }
}

// syscallCount counts a process's system calls with perf, when perf is
// there and may trace (root, or perf_event_paranoid allows it).
type syscallCount struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

func startSyscallCount(tb testing.TB, pid int) *syscallCount {
	tb.Helper()
	path, err := exec.LookPath("perf")
	if err != nil {
		return &syscallCount{}
	}
	s := &syscallCount{cmd: exec.Command(path, "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-p", strconv.Itoa(pid))}
	s.cmd.Stderr = &s.out
	if err := s.cmd.Start(); err != nil {
		return &syscallCount{}
	}
	time.Sleep(200 * time.Millisecond) // perf attaches before the window opens
	return s
}

// stop ends the count and returns it (-1: not counted).
func (s *syscallCount) stop() int64 {
	if s.cmd == nil {
		return -1
	}
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
	for _, line := range strings.Split(s.out.String(), "\n") {
		f := strings.Split(line, ",")
		if len(f) > 2 && f[2] == "raw_syscalls:sys_enter" {
			if v, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				return v
			}
		}
	}
	return -1
}

// startBenchPBX runs iaxpbx with GOMAXPROCS=1 (pinned to CPU 0 if pin),
// logging what happens to calls. RINGO_BENCH_PBX names another iaxpbx
// binary to measure instead (an older build, to compare).
func startBenchPBX(b *testing.B, pin bool) (*proc, string) {
	b.Helper()
	dir := b.TempDir()
	cfg := filepath.Join(dir, "iaxpbx.conf")
	if err := os.WriteFile(cfg, []byte(cryptConfig), 0o600); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(binDir, "iaxpbx")
	if other := os.Getenv("RINGO_BENCH_PBX"); other != "" {
		bin = other // another build of iaxpbx, to compare
	}
	args := []string{"-config", cfg, "-record-dir", dir, "-log-level", "info", "-ping", "-1s"}
	if prof := os.Getenv("RINGO_PBX_CPUPROFILE"); prof != "" {
		args = append(args, "-cpuprofile", prof)
	}
	if pin {
		ts, err := exec.LookPath("taskset")
		if err != nil {
			b.Skip("pinning needs taskset")
		}
		args = append([]string{"-c", "0", bin}, args...)
		bin = ts
	}
	p := startTB(b, bin, []string{"GOMAXPROCS=1"}, args...)
	m := p.WaitLine(`msg=listening category=pbx addr=(127\.0\.0\.1:\d+)`, 10*time.Second)
	return p, m[1]
}

// cpuTime reads a process's user+system CPU time from /proc.
func cpuTime(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// BenchmarkIdleWakeups counts how often an idle, registered iaxcli
// listen wakes up: the context switches of all its threads over 30 s,
// scaled to a minute. Without RINGO_BENCH=1 the window is 2 s: it only
// shows the benchmark still runs.
func BenchmarkIdleWakeups(b *testing.B) {
	_, addr := startBenchPBX(b, false)
	window := 30 * time.Second
	if os.Getenv("RINGO_BENCH") != "1" {
		window = 2 * time.Second
	}
	for range b.N {
		l := startTB(b, filepath.Join(binDir, "iaxcli"), nil, "listen", "-server", addr, "-user", user2, "-secret", secret2,
			"-local", "127.0.0.1:0", "-duration", "40s", "-quiet")
		l.WaitLine(`^listening for `, 10*time.Second)
		time.Sleep(2 * time.Second) // let start-up settle
		pid := l.Cmd.Process.Pid
		w0 := switches(b, pid)
		time.Sleep(window)
		w := switches(b, pid) - w0
		b.ReportMetric(float64(w)*float64(time.Minute)/float64(window), "wakeups/min")
		l.Cmd.Process.Kill()
	}
}

// switches sums voluntary and involuntary context switches over a
// process's threads.
func switches(tb testing.TB, pid int) int64 {
	tb.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		tb.Fatalf("no tasks for %d: %v", pid, err)
	}
	var n int64
	for _, p := range tasks {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited
		}
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "voluntary_ctxt_switches:") || strings.HasPrefix(line, "nonvoluntary_ctxt_switches:") {
				v, _ := strconv.ParseInt(strings.TrimSpace(line[strings.IndexByte(line, ':')+1:]), 10, 64)
				n += v
			}
		}
	}
	return n
}
