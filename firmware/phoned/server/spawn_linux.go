package server

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// setDeathSignal makes the kernel kill the child when its parent thread
// ends, and puts it in its own process group so that a terminal's ^C
// reaches phoned only (which then stops the agents properly).
func setDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.SysProcAttr.Setpgid = true
}

// waitExit waits for the process to end without holding an OS thread in a
// blocking wait: it waits in the network poller for the process's pidfd to
// become readable, then reaps it with cmd.Wait, which no longer blocks. A
// thread blocked in waitid for an agent's whole life keeps the Go runtime's
// monitor waking a few times a second on an idle phone.
func waitExit(cmd *exec.Cmd) error {
	fd, err := unix.PidfdOpen(cmd.Process.Pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return cmd.Wait()
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return cmd.Wait()
	}
	// Read waits for a readiness edge after its first call of the
	// function, so the function itself looks whether the process has
	// already ended (it may have, before the pidfd was even opened).
	rc.Read(func(fd uintptr) bool {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, 0)
		return err != nil || n > 0
	})
	return cmd.Wait()
}
