package supervise

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// setDeathSignal makes the kernel kill the child when the thread that
// started it ends.
func setDeathSignal(cmd *exec.Cmd) { cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL }

// onMainThread reports whether the calling (locked) goroutine runs on the
// process's main thread, whose id is the process's.
func onMainThread() bool { return syscall.Gettid() == syscall.Getpid() }

// awaitEnd waits for the process to end without reaping it and without
// holding an OS thread in a blocking wait: it waits in the network poller
// for a pidfd of the process to become readable. A thread blocked in
// waitid for a program's whole life keeps the Go runtime's monitor waking
// a few times a second on an idle phone. Where there is no pidfd, Wait
// blocks instead.
func awaitEnd(cmd *exec.Cmd) {
	fd, err := unix.PidfdOpen(cmd.Process.Pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	// Read waits for a readiness edge after its first call of the
	// function, so the function itself looks whether the process has
	// already ended (it may have, before the pidfd was even opened).
	rc.Read(func(fd uintptr) bool {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, 0)
		return err != nil || n > 0
	})
}

// killLeftovers kills what the program left in its process group. The
// program's own process, ended but not reaped yet, still holds the
// group's id, so the signal cannot reach a stranger.
func killLeftovers(cmd *exec.Cmd) {
	// Only once the process has really ended (awaitEnd returns early
	// without a pidfd): WNOWAIT leaves the reaping to Wait, and with
	// WNOHANG and no ended child Linux leaves info zeroed.
	var info unix.Siginfo
	err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	if err != nil || info.Signo != int32(unix.SIGCHLD) {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
