//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// waitLimit bounds every wait; the tests wait on events (value-space
// changes, log lines, process exits), never on sleeps.
const waitLimit = 15 * time.Second

// bin holds phoned, phonectl, vsexplorer and testagent, built once.
var bin string

func TestMain(m *testing.M) {
	var err error
	bin, err = proctest.Build(
		"github.com/ringo-phone/ringo/firmware/phoned",
		"github.com/ringo-phone/ringo/firmware/phonectl",
		"github.com/ringo-phone/ringo/firmware/vsexplorer",
		"github.com/ringo-phone/ringo/firmware/phoned/internal/testagent")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(bin)
	os.Exit(code)
}

// logBuf is phoned's log, waited on for at most waitLimit.
type logBuf struct{ proctest.Buffer }

func newLogBuf() *logBuf { return new(logBuf) }

// wait returns once the log contains s.
func (l *logBuf) wait(t testing.TB, s string) {
	t.Helper()
	l.WaitFor(t, s, waitLimit)
}

// config is a configuration directory under construction.
type config struct {
	dir     string
	agents  strings.Builder // testagent.conf
	manager strings.Builder // Telephony.conf
}

func newConfig(t *testing.T) *config {
	c := &config{dir: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(c.dir, "services", "Telephony"), 0o755); err != nil {
		t.Fatal(err)
	}
	return c
}

// agent adds a service file for program, played by testagent with the
// given testagent.conf lines.
func (c *config) agent(t *testing.T, program string, lines ...string) {
	sf := fmt.Sprintf("[Extensions]\n[Standard]\nVersion = 100\nExec = %s\n", filepath.Join(bin, "testagent"))
	if err := os.WriteFile(filepath.Join(c.dir, "services", "Telephony", program), []byte(sf), 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&c.agents, "[%s]\n%s\n", program, strings.Join(lines, "\n"))
}

func (c *config) write(t *testing.T) {
	if err := os.WriteFile(filepath.Join(c.dir, "testagent.conf"), []byte(c.agents.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if c.manager.Len() > 0 {
		if err := os.WriteFile(filepath.Join(c.dir, "Telephony.conf"), []byte(c.manager.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testFlags are phoned's test timings.
var testFlags = []string{"-backoff", "50ms", "-backoff-max", "200ms", "-start-window", "1s",
	"-init-timeout", "700ms", "-stop-timeout", "5s", "-call-check", "100ms"}

// phone is a running phoned with the test's own bus connection.
type phone struct {
	t       *testing.T
	cfg, rt string
	cmd     *exec.Cmd
	log     *logBuf
	exited  chan struct{}
	waitErr error
	c       *bus.Client
	m       *telephony.Manager
}

func startPhoned(t *testing.T, cfg, rt string, extra ...string) *phone {
	t.Helper()
	p := &phone{t: t, cfg: cfg, rt: rt, log: newLogBuf(), exited: make(chan struct{})}
	// A state directory of the test's own unless extra names one: never
	// the host's.
	args := append(append([]string{"-config", cfg, "-runtime", rt, "-state", t.TempDir(), "-log", "debug,bus=info"}, testFlags...), extra...)
	p.cmd = exec.Command(filepath.Join(bin, "phoned"), args...)
	p.cmd.Stderr = p.log
	p.cmd.Env = append(os.Environ(), "RINGO_CONFIG=/nonexistent", "RINGO_RUNTIME=/nonexistent")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		if p.c != nil {
			p.c.Close()
		}
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Signal(syscall.SIGTERM)
			<-p.exited
		}
		if t.Failed() {
			t.Logf("phoned's log:\n%s", p.log.String())
		}
	})
	p.log.wait(t, "phoned started")
	var err error
	p.c, err = bus.Dial(context.Background(), bus.SocketPath(rt), bus.ClientOptions{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	p.m = telephony.NewManager(p.c)
	return p
}

// term sends SIGTERM and returns phoned's exit code.
func (p *phone) term() int {
	p.t.Helper()
	p.c.Close()
	p.c = nil
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(waitLimit):
		p.t.Fatal("phoned did not exit after SIGTERM")
	}
	return p.cmd.ProcessState.ExitCode()
}

// ctl runs phonectl and returns its output; a failure carries stderr.
func (p *phone) ctl(args ...string) (string, error) {
	return p.tool("phonectl", args...)
}

func (p *phone) tool(name string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(bin, name), append([]string{"-runtime", p.rt}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

func (p *phone) mustCtl(args ...string) string {
	p.t.Helper()
	out, err := p.ctl(args...)
	if err != nil {
		p.t.Fatal(err)
	}
	return out
}

// waitValue waits until the value at path satisfies ok (present is false
// while there is none) and returns it.
func (p *phone) waitValue(path string, ok func(v vs.Value, present bool) bool) vs.Value {
	p.t.Helper()
	var mu sync.Mutex
	var cur vs.Value
	var present bool
	hit := make(chan struct{}, 1)
	sub, err := p.c.Subscribe(context.Background(), path, func(b vs.Batch) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range b.Changes {
			if c.Path == path {
				cur, present = c.Value, !c.Removed
			} else if c.Removed && vs.Under(path, c.Path) {
				present = false
			}
		}
		if ok(cur, present) {
			select {
			case hit <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		p.t.Fatal(err)
	}
	defer sub.Close()
	select {
	case <-hit:
	case <-time.After(waitLimit):
		mu.Lock()
		defer mu.Unlock()
		p.t.Fatalf("%s never reached the awaited value (last: %v, present %v)", path, cur, present)
	}
	mu.Lock()
	defer mu.Unlock()
	return cur
}

func equals(want vs.Value) func(vs.Value, bool) bool {
	return func(v vs.Value, present bool) bool { return present && v.Equal(want) }
}

func absent(_ vs.Value, present bool) bool { return !present }

// recorder keeps every batch below a prefix.
type recorder struct {
	mu      sync.Mutex
	batches []vs.Batch
	changed chan struct{}
	sub     *bus.Subscription
}

// until waits until ok holds for the batches recorded so far.
func (r *recorder) until(t *testing.T, what string, ok func([]vs.Batch) bool) []vs.Batch {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		all := append([]vs.Batch(nil), r.batches...)
		ch := r.changed
		r.mu.Unlock()
		if ok(all) {
			return all
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("never recorded %s; batches: %v", what, all)
		}
	}
}

func (p *phone) record(prefix string) *recorder {
	p.t.Helper()
	r := &recorder{changed: make(chan struct{})}
	var err error
	r.sub, err = p.c.Subscribe(context.Background(), prefix, func(b vs.Batch) {
		r.mu.Lock()
		r.batches = append(r.batches, b)
		close(r.changed)
		r.changed = make(chan struct{})
		r.mu.Unlock()
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { r.sub.Close() })
	return r
}

func (r *recorder) all() []vs.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]vs.Batch(nil), r.batches...)
}

func agentKey(program, key string) string { return vs.Join(phoneapi.AgentPath(program), key) }
