// Package board maps a device-tree compatible string to a board description
// (the kernel modules the board needs, its network set-up, later its pins and
// buses) and brings the board up, reporting what loaded, what was skipped and
// why, and what failed, so that the serial console shows it at boot.
//
// Boards are data: a real handset is added as one more Board value. The
// qemu-virt board is the CI board (simulated GPIO through gpio-sim, a codec
// register file through i2c-stub at 0x1a, virtio network and keyboard).
package board
