package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
)

// BenchmarkEchoCalls measures how many concurrent echo calls one core of
// iaxpbx sustains: iaxpbx runs with GOMAXPROCS=1, a load generator built on package iax places N calls
// to extension 600 and sends one 20 ms G.711 frame per call every 20 ms;
// each benchmark iteration is one 20 ms tick. Reported: frame loss (echoes
// that did not come back), how long the last echoes took to drain (a
// lagging iaxpbx queues them), and the CPU time iaxpbx and the load
// generator used, as a share of one core.
func BenchmarkEchoCalls(b *testing.B) {
	for _, n := range []int{250, 500, 750, 1000, 1500} {
		b.Run(fmt.Sprint("calls=", n), func(b *testing.B) { benchEcho(b, n, user1, secret1, iax.EncryptionOff) })
	}
}

// BenchmarkEchoCallsEncrypted is BenchmarkEchoCalls with every call
// AES-128 encrypted (handset3, encryption required on both sides): what
// encryption costs iaxpbx per frame, against the clear calls above.
func BenchmarkEchoCallsEncrypted(b *testing.B) {
	for _, n := range []int{250, 500, 1000} {
		b.Run(fmt.Sprint("calls=", n), func(b *testing.B) { benchEcho(b, n, user3, secret3, iax.EncryptionRequired) })
	}
}

func benchEcho(b *testing.B, n int, user, secret string, enc iax.Encryption) {
	pbx, addr := startBenchPBX(b)
	server := netip.MustParseAddrPort(addr)
	ctx := context.Background()
	// Several client endpoints, as several handsets would be.
	const endpoints = 8
	var eps []*iax.Endpoint
	for range endpoints {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		conn.SetReadBuffer(4 << 20)
		conn.SetWriteBuffer(4 << 20)
		ep := iax.New(conn, iax.Config{PingInterval: -1})
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
			calls[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	var received atomic.Int64
	rctx, stopRx := context.WithCancel(ctx)
	var rx sync.WaitGroup
	for _, c := range calls {
		rx.Add(1)
		go func() {
			defer rx.Done()
			for {
				select {
				case <-c.Voice():
					received.Add(1)
				case <-rctx.Done():
					return
				}
			}
		}()
	}
	payload := make([]byte, 160)
	for i := range payload {
		payload[i] = 0x55
	}
	cpu0 := cpuTime(b, pbx.Cmd.Process.Pid)
	self0 := cpuTime(b, os.Getpid())
	start := time.Now()
	b.ResetTimer()
	var sent int64
	// Calls send at different moments of each 20 ms, as independent
	// handsets do: slot k of 20 (1 ms apart) sends for calls k, k+20, ...
	const slots = 20
	for tick := range b.N {
		for k := range slots {
			for i := k; i < n; i += slots {
				if calls[i].SendVoice(payload) == nil {
					sent++
				}
			}
			time.Sleep(time.Until(start.Add(time.Duration(tick)*20*time.Millisecond + time.Duration(k+1)*time.Millisecond)))
		}
	}
	b.StopTimer()
	elapsed := time.Since(start)
	cpu := cpuTime(b, pbx.Cmd.Process.Pid) - cpu0
	self := cpuTime(b, os.Getpid()) - self0
	// Wait for the echoes still queued or in flight: until nothing more
	// arrives for 300 ms (at most 5 s). A long drain means iaxpbx lags.
	drainStart, last, quiet := time.Now(), received.Load(), time.Now()
	for time.Since(quiet) < 300*time.Millisecond && time.Since(drainStart) < 5*time.Second {
		time.Sleep(50 * time.Millisecond)
		if r := received.Load(); r != last {
			last, quiet = r, time.Now()
		}
	}
	b.ReportMetric(float64(quiet.Sub(drainStart).Milliseconds()), "drain-ms")
	stopRx()
	rx.Wait()
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
	got := received.Load()
	loss := 0.0
	if sent > 0 {
		loss = 100 * float64(sent-min(got, sent)) / float64(sent)
	}
	b.ReportMetric(loss, "loss-%")
	b.ReportMetric(100*cpu.Seconds()/elapsed.Seconds(), "pbx-cpu-%")
	b.ReportMetric(100*self.Seconds()/elapsed.Seconds(), "loadgen-cpu-%")
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "frames/s")
}

// startBenchPBX runs iaxpbx on one core, logging only warnings.
func startBenchPBX(b *testing.B) (*proc, string) {
	b.Helper()
	dir := b.TempDir()
	cfg := filepath.Join(dir, "iaxpbx.conf")
	if err := os.WriteFile(cfg, []byte(cryptConfig), 0o600); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(binDir, "iaxpbx")
	args := []string{"-config", cfg, "-record-dir", dir, "-log-level", "info", "-ping", "-1s"}
	if prof := os.Getenv("RINGO_PBX_CPUPROFILE"); prof != "" {
		args = append(args, "-cpuprofile", prof)
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
// scaled to a minute.
func BenchmarkIdleWakeups(b *testing.B) {
	_, addr := startBenchPBX(b)
	for range b.N {
		l := startTB(b, filepath.Join(binDir, "iaxcli"), nil, "listen", "-server", addr, "-user", user2, "-secret", secret2,
			"-local", "127.0.0.1:0", "-duration", "40s", "-quiet")
		l.WaitLine(`^listening for `, 10*time.Second)
		time.Sleep(2 * time.Second) // let start-up settle
		pid := l.Cmd.Process.Pid
		w0 := switches(b, pid)
		const window = 30 * time.Second
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
