// Package sdcard builds a flashable SD-card image for a handset that boots
// from one: Debian's U-Boot (its SPL and FIT image where the SoC's boot ROM
// and the SPL look for them), an MBR partition table, a FAT boot partition
// with Debian's kernel, the board's device tree, Ringo's initramfs and a
// U-Boot boot script, and an empty ext4 partition for the board's state.
//
// Every step uses Debian's tools on plain files, as an unprivileged user
// can: sfdisk writes the table, mtools the FAT filesystem at its offset,
// mke2fs the ext4 one, mkimage the boot script. No loop device is mounted.
//
// tools/sdimage is the command; docs/boards/pinephone.md says how to flash
// the result. The layout follows Debian's u-boot-install-sunxi64: the SPL
// at 8 KiB, the FIT image at 40 KiB, and an MBR (a GPT's entries would sit
// where the SPL goes).
package sdcard
