// Package hil is the hardware-in-the-loop suite: it boots the real Ringo
// image (Debian's arm64 kernel, u-root, Ringo's firmware) in QEMU and drives
// it over the serial console, as an engineer would over a board's UART.
//
// The image comes from `make image` (build/kernel/vmlinuz and
// build/ringo.cpio at the module root) or from RINGO_KERNEL and
// RINGO_INITRD. Without an image the tests skip on a developer host and fail
// under `make test` (RINGO_STRICT=1). Every failure prints the whole console
// transcript.
package hil
