//go:build !linux

package supervise

import "os/exec"

// setDeathSignal does nothing where there is no parent-death signal: the
// programs of an owner that was killed may outlive it on such hosts.
func setDeathSignal(cmd *exec.Cmd) {}

// onMainThread is false: without a parent-death signal the thread does
// not matter.
func onMainThread() bool { return false }

// awaitEnd returns at once: Wait blocks in exec.Cmd.Wait.
func awaitEnd(cmd *exec.Cmd) {}

// killLeftovers does nothing: without waiting for an end without reaping,
// the group's id may no longer be the program's by then.
func killLeftovers(cmd *exec.Cmd) {}
