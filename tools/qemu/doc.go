// Package qemu boots a Ringo image in QEMU's arm64 "virt" machine, the CI
// board, for people (an interactive serial console) and for tests (a
// programmatic one: wait for a line, run a command and read its output and
// exit code, keep the whole transcript for failure reports), with a QMP
// connection for key injection.
//
// QEMU runs inside a fresh network namespace that has only loopback, with
// user networking whose forwarded ports are bound to 127.0.0.1, so a guest
// can reach nothing but the host services a test started for it. Close
// always ends the QEMU process; the kernel also kills it if the process
// that started it dies.
package qemu
