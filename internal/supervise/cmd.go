package supervise

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// drainTime is how long the output of a program that has ended is still
// read: a process that left the program's group may hold the pipe open,
// and a run must end all the same.
const drainTime = time.Second

// Cmd starts a real program, in its own process group, with its standard
// output and error on one pipe the supervisor reads. Standard input is
// /dev/null.
type Cmd struct {
	Path string
	Args []string // after the program name
	// Env is the program's whole environment (nil: this process's).
	Env []string
	Dir string
	// Spawner, when set, starts the program from its OS thread with the
	// parent-death signal (on Linux). Nil starts it from the calling
	// thread, without.
	Spawner *Spawner
}

// Start implements Starter.
func (c *Cmd) Start() (Process, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("output pipe for %s: %w", c.Path, err)
	}
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Env, cmd.Dir = c.Env, c.Dir
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.Spawner != nil {
		err = c.Spawner.start(cmd)
	} else {
		err = cmd.Start()
	}
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	return &process{cmd: cmd, out: r}, nil
}

// process is a started Cmd.
type process struct {
	cmd *exec.Cmd
	out *os.File

	mu    sync.Mutex
	ended bool // the program's first process has ended: its pid may be reused once reaped
}

func (p *process) Pid() int              { return p.cmd.Process.Pid }
func (p *process) Output() io.ReadCloser { return p.out }

// Signal signals the process group. The lock makes the check and the
// kill one step against Wait's reaping, after which the group's id could
// belong to someone else; kill(2) does not block.
func (p *process) Signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return nil
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %v to process group %d: %w", sig, p.cmd.Process.Pid, err)
	}
	return nil
}

// Wait waits for the program's first process to end, kills what it left
// in its group (where the platform lets that be done before the reaping,
// so that the next run starts alone), reaps it, and gives its output
// drainTime more to reach its end.
func (p *process) Wait() Exit {
	awaitEnd(p.cmd)
	p.mu.Lock()
	p.ended = true
	killLeftovers(p.cmd)
	p.mu.Unlock()
	err := p.cmd.Wait()
	p.out.SetReadDeadline(time.Now().Add(drainTime))
	return exitOf(err)
}

// exitOf turns what exec.Cmd.Wait returned into an Exit.
func exitOf(err error) Exit {
	if err == nil {
		return Exit{}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return Exit{Code: -1, Signal: ws.Signal()}
		}
		return Exit{Code: ee.ExitCode()}
	}
	return Exit{Code: -1, Err: err}
}

// Spawner starts programs from one goroutine locked to its OS thread. On
// Linux their parent-death signal is then sent when that thread ends —
// which is when the Spawner is closed or its process ends — rather than
// whenever the Go runtime retires the thread a start happened to run on.
type Spawner struct {
	reqs chan spawnReq
	quit chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// NewSpawner starts the spawning thread; Close ends it.
func NewSpawner() *Spawner {
	s := &Spawner{reqs: make(chan spawnReq), quit: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.serve()
	}()
	return s
}

// serve starts the programs asked for until the Spawner closes.
func (s *Spawner) serve() {
	// Never unlocked: when this goroutine returns, the runtime ends the
	// thread too, and the children still running get their signal.
	runtime.LockOSThread()
	if onMainThread() {
		// Except the main thread, which the runtime never ends (its
		// children would outlive the Spawner): hold it while another
		// goroutine, which cannot be scheduled on it now, serves.
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.serve()
		}()
		<-done
		runtime.UnlockOSThread()
		return
	}
	for {
		select {
		case r := <-s.reqs:
			setDeathSignal(r.cmd)
			r.done <- r.cmd.Start()
		case <-s.quit:
			return
		}
	}
}

func (s *Spawner) start(cmd *exec.Cmd) error {
	r := spawnReq{cmd: cmd, done: make(chan error, 1)}
	select {
	case s.reqs <- r:
		return <-r.done
	case <-s.quit:
		return fmt.Errorf("%w: cannot start %s", ErrClosed, cmd.Path)
	}
}

// Close ends the spawning thread (on Linux, the programs it started get
// their parent-death signal); idempotent, waits.
func (s *Spawner) Close() {
	s.once.Do(func() { close(s.quit) })
	s.wg.Wait()
}
