package phoneserver

import (
	"os/exec"
	"syscall"
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
