package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The end-to-end tests run the real iaxpbx and iaxcli binaries, built once
// by TestMain, as separate processes on loopback.

var binDir string

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "iaxcli-e2e")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "github.com/ringo-phone/ringo/tools/iaxcli", "github.com/ringo-phone/ringo/tools/iaxpbx")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building iaxcli and iaxpbx:", err)
			return 1
		}
		binDir = dir
		return m.Run()
	}()
	os.Exit(code)
}

// proc is a running iaxpbx or iaxcli whose output lines are kept.
type proc struct {
	t    testing.TB
	name string
	cmd  *exec.Cmd

	mu      sync.Mutex
	lines   []string
	changed chan struct{}
	exited  chan struct{}
	err     error
	endAt   time.Time
}

func start(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	return startTB(t, name, nil, args...)
}

// startTB starts a program with extra environment variables.
func startTB(t testing.TB, name string, env []string, args ...string) *proc {
	t.Helper()
	path := name
	if !filepath.IsAbs(name) {
		path = filepath.Join(binDir, name)
	}
	cmd := exec.Command(path, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin = strings.NewReader("")
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	p := &proc{t: t, name: name, cmd: cmd, changed: make(chan struct{}), exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
	}()
	go func() {
		err := cmd.Wait()
		w.Close()
		<-readDone
		p.mu.Lock()
		p.err, p.endAt = err, time.Now()
		p.mu.Unlock()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("--- %s %s output:\n%s", name, strings.Join(args, " "), p.output())
		}
	})
	return p
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// waitLine waits until a line matches re and returns its submatches.
func (p *proc) waitLine(re string, timeout time.Duration) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		for _, l := range p.lines {
			if m := rx.FindStringSubmatch(l); m != nil {
				p.mu.Unlock()
				return m
			}
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-p.exited:
			p.mu.Lock()
			for _, l := range p.lines {
				if m := rx.FindStringSubmatch(l); m != nil {
					p.mu.Unlock()
					return m
				}
			}
			p.mu.Unlock()
			p.t.Fatalf("%s exited without a line matching %q", p.name, re)
		case <-deadline.C:
			p.t.Fatalf("%s: no line matching %q within %v", p.name, re, timeout)
		}
	}
}

// wait waits for the process to exit and returns its error.
func (p *proc) wait(timeout time.Duration) error {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(timeout):
		p.t.Fatalf("%s still running after %v", p.name, timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// hasLine reports whether some output line matches re.
func (p *proc) hasLine(re string) bool {
	rx := regexp.MustCompile(re)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if rx.MatchString(l) {
			return true
		}
	}
	return false
}

// matching returns the lines that match re, in order.
func (p *proc) matching(re string) []string {
	rx := regexp.MustCompile(re)
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, l := range p.lines {
		if rx.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// The test accounts.
const (
	user1, secret1 = "handset1", "s3cret"
	user2, secret2 = "handset2", "other"
)

// pbxConfig is the test accounts in iaxpbx's configuration format.
const pbxConfig = `; accounts for the end-to-end tests
[pbx]
listen = 127.0.0.1:0

[user handset1]
secret = s3cret
number = 201
name = Handset One

[user handset2]
secret = other
number = 202
name = Handset Two
`

// startPBX starts an iaxpbx with the test accounts (from a configuration
// file) and returns it and its address.
func startPBX(t *testing.T, extra ...string) (*proc, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "iaxpbx.conf")
	if err := os.WriteFile(cfg, []byte(pbxConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-config", cfg, "-record-dir", dir, "-min-refresh", "1s"}, extra...)
	p := start(t, "iaxpbx", args...)
	m := p.waitLine(`msg=listening category=pbx addr=(127\.0\.0\.1:\d+)`, 10*time.Second)
	return p, m[1]
}

// iaxcli runs iaxcli with the common flags for server, user and secret,
// and a pcap of its traffic that tshark checks when the test ends (see
// decodeCheck): so every frame of every end-to-end test is dissected.
func iaxcli(t *testing.T, mode, server, user, secret string, extra ...string) *proc {
	t.Helper()
	pcap := filepath.Join(t.TempDir(), fmt.Sprintf("iaxcli-%s-%d.pcap", mode, pcapSeq.Add(1)))
	args := append([]string{mode, "-server", server, "-user", user, "-secret", secret, "-local", "127.0.0.1:0", "-pcap", pcap}, extra...)
	p := start(t, "iaxcli", args...)
	called := ""
	for i, a := range extra {
		if a == "-dial" && i+1 < len(extra) {
			called = extra[i+1]
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		select {
		case <-p.exited:
		default: // a listener still running: let it leave cleanly
			p.cmd.Process.Signal(os.Interrupt)
			select {
			case <-p.exited:
			case <-time.After(10 * time.Second):
				t.Errorf("%s did not leave after an interrupt", p.name)
				return
			}
		}
		m := regexp.MustCompile(`from 127\.0\.0\.1:(\d+)$`)
		port := ""
		for _, l := range p.matching(`from 127\.0\.0\.1:\d+$`) {
			port = m.FindStringSubmatch(l)[1]
			break
		}
		if port == "" {
			t.Errorf("%s: no local address in the output", pcap)
			return
		}
		decodeCheck(t, pcap, want{clientPort: port, serverPort: portOf(server), user: user, secret: secret,
			called: called, minFrames: 1, needMD5: true, needTokened: true})
	})
	return p
}

var pcapSeq atomic.Int64
