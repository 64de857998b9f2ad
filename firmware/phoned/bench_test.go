//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// TestBenchIdle measures an idle phoned with one registered agent, with
// the handset's default timings: resident memory, and wakeups (context
// switches of all its threads) per minute. It runs under RINGO_BENCH=1
// (`make bench`); RINGO_BENCH_IDLE shortens the one-minute window.
func TestBenchIdle(t *testing.T) {
	if os.Getenv("RINGO_BENCH") != "1" {
		t.Skip("a one-minute measurement; set RINGO_BENCH=1")
	}
	window := time.Minute
	if d, err := time.ParseDuration(os.Getenv("RINGO_BENCH_IDLE")); err == nil {
		window = d
	}
	cfg := newConfig(t)
	cfg.agent(t, "fakevoip", "Service = testsvc")
	cfg.manager.WriteString("[Managers]\ntestsvc = generic\n")
	cfg.write(t)
	rt := t.TempDir()
	log := newLogBuf()
	cmd := exec.Command(filepath.Join(bin, "phoned"), "-config", cfg.dir, "-runtime", rt)
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	log.wait(t, "phoned started")
	p := &phone{t: t, rt: rt}
	var err error
	if p.c, err = bus.Dial(t.Context(), bus.SocketPath(rt), bus.ClientOptions{Name: "bench"}); err != nil {
		t.Fatal(err)
	}
	regKey := vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, "testsvc"), telephony.KeyRegistrationState)
	p.waitValue(regKey, equals(vs.String("Home")))
	v, _, _ := p.c.Get(t.Context(), agentKey("fakevoip", phoneapi.KeyAgentPID))
	agentPID, _ := v.Int()
	p.c.Close()                 // idle means nobody talks to it
	time.Sleep(2 * time.Second) // measurement, not synchronisation: let start-up settle

	type sample struct{ rss, switches int64 }
	read := func(pid int) sample {
		var s sample
		b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
				s.rss, _ = strconv.ParseInt(f[1], 10, 64)
			}
		}
		tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "status"))
		for _, tp := range tasks {
			b, _ := os.ReadFile(tp)
			for _, l := range strings.Split(string(b), "\n") {
				f := strings.Fields(l)
				if len(f) == 2 && (f[0] == "voluntary_ctxt_switches:" || f[0] == "nonvoluntary_ctxt_switches:") {
					n, _ := strconv.ParseInt(f[1], 10, 64)
					s.switches += n
				}
			}
		}
		return s
	}
	p0, a0 := read(cmd.Process.Pid), read(int(agentPID))
	time.Sleep(window) // the measurement window itself
	p1, a1 := read(cmd.Process.Pid), read(int(agentPID))
	perMin := func(a, b sample) float64 {
		return float64(b.switches-a.switches) * float64(time.Minute) / float64(window)
	}
	t.Logf("phoned idle: RSS %d KiB, %.0f wakeups/min (context switches, all threads, %v window)", p1.rss, perMin(p0, p1), window)
	t.Logf("testagent idle: RSS %d KiB, %.0f wakeups/min", a1.rss, perMin(a0, a1))
}
