// Package proctest runs the project's own programs as real processes in
// cross-process tests: it builds them once per test binary, starts them
// with their output kept line by line, and waits for lines, exits and
// values without sleeping. Every process is killed when its test ends, and
// a failing test logs each process's output. Buffer does the same waiting
// for output written in-process (a logger, a command's stdout).
package proctest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build builds the module's packages (import paths) into a new temporary
// directory and returns it; call it from TestMain and remove the
// directory after m.Run.
func Build(pkgs ...string) (string, error) {
	dir, err := os.MkdirTemp("", "ringo-bin-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", append([]string{"build", "-o", dir + string(os.PathSeparator)}, pkgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go build %s: %w\n%s", strings.Join(pkgs, " "), err, out)
	}
	return dir, nil
}

// Proc is a running program whose output lines are kept.
type Proc struct {
	t    testing.TB
	name string
	Cmd  *exec.Cmd

	mu      sync.Mutex
	lines   []string
	changed chan struct{}
	exited  chan struct{}
	err     error
}

// Start runs path with args; env entries are added to the environment.
// Standard output and error are both kept.
func Start(t testing.TB, path string, env []string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	name := path[strings.LastIndex(path, "/")+1:]
	p := &Proc{t: t, name: name, Cmd: cmd, changed: make(chan struct{}), exited: make(chan struct{})}
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
		io.Copy(io.Discard, r)
	}()
	go func() {
		err := cmd.Wait()
		w.Close()
		<-readDone
		p.mu.Lock()
		p.err = err
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
			t.Logf("--- %s %s output:\n%s", name, strings.Join(args, " "), p.Output())
		}
	})
	return p
}

// Output is everything the program printed so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// Exited is closed when the program has exited.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// WaitLine waits until a line matches re (from the first line on) and
// returns its submatches.
func (p *Proc) WaitLine(re string, timeout time.Duration) []string {
	p.t.Helper()
	m, err := p.waitLine(regexp.MustCompile(re), 0, timeout)
	if err != nil {
		p.t.Fatal(err)
	}
	return m
}

// WaitCount waits until n lines match re.
func (p *Proc) WaitCount(re string, n int, timeout time.Duration) {
	p.t.Helper()
	if _, err := p.waitLine(regexp.MustCompile(re), n-1, timeout); err != nil {
		p.t.Fatal(err)
	}
}

func (p *Proc) waitLine(rx *regexp.Regexp, skip int, timeout time.Duration) ([]string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		seen := 0
		for _, l := range p.lines {
			if m := rx.FindStringSubmatch(l); m != nil {
				if seen == skip {
					p.mu.Unlock()
					return m, nil
				}
				seen++
			}
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-p.exited:
			// All output is in once exited is closed: one last look.
			select {
			case <-ch:
				continue
			default:
			}
			return nil, fmt.Errorf("%s exited without %d lines matching %q", p.name, skip+1, rx)
		case <-deadline.C:
			return nil, fmt.Errorf("%s: fewer than %d lines matching %q within %v", p.name, skip+1, rx, timeout)
		}
	}
}

// Matching returns the output lines that match re, in order.
func (p *Proc) Matching(re string) []string {
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

// Wait waits for the program to exit and returns its error.
func (p *Proc) Wait(timeout time.Duration) error {
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
