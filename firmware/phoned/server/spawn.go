package server

import (
	"os/exec"
	"runtime"
	"sync"
)

// spawner starts every agent from one goroutine locked to its OS thread.
// On Linux the children get the parent-death signal, which the kernel sends
// when the thread that forked them ends: keeping that thread for phoned's
// whole life means the agents die exactly when phoned does (or when the
// spawner is closed, after the agents were stopped).
type spawner struct {
	reqs chan spawnReq
	wg   sync.WaitGroup
	once sync.Once
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// Never unlocked: when this goroutine ends, the runtime ends the
		// thread too, and any child still running gets its signal.
		runtime.LockOSThread()
		for r := range s.reqs {
			setDeathSignal(r.cmd)
			r.done <- r.cmd.Start()
		}
	}()
	return s
}

// start starts cmd on the spawner's thread.
func (s *spawner) start(cmd *exec.Cmd) error {
	r := spawnReq{cmd: cmd, done: make(chan error, 1)}
	s.reqs <- r
	return <-r.done
}

// close ends the spawner thread; idempotent, waits.
func (s *spawner) close() {
	s.once.Do(func() { close(s.reqs) })
	s.wg.Wait()
}
