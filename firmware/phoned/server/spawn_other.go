//go:build !linux

package server

import "os/exec"

// setDeathSignal does nothing where there is no parent-death signal: agents
// of a killed phoned may outlive it on such hosts.
func setDeathSignal(cmd *exec.Cmd) {}

// waitExit waits for the process to end.
func waitExit(cmd *exec.Cmd) error { return cmd.Wait() }
