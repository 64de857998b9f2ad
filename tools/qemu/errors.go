package qemu

import "errors"

var (
	// ErrExited means QEMU exited while something still waited on it.
	ErrExited = errors.New("qemu: exited")
	// ErrTimeout means the console did not show what was awaited in time.
	ErrTimeout = errors.New("qemu: timed out waiting for the console")
	// ErrQMP is a QMP command's error reply.
	ErrQMP = errors.New("qemu: qmp error")
	// ErrNoKernel means the kernel or image file is missing.
	ErrNoKernel = errors.New("qemu: kernel or image missing (run `make image`)")
)
