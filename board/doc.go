// Package board maps a device-tree compatible string to a board
// description and brings the board up, reporting what loaded, what was
// skipped and why, and what failed, so that the serial console shows it
// at boot.
//
// Boards are data: a real handset is one more Board value. A Board lists
// its kernel modules, its network set-up and its parts: a flight-mode
// switch (or none: a software switch), the radio's power lines, an I2C
// codec, keypads (evdev devices and keymaps), the modem's AT port, the
// ALSA card, persistent storage. Each GPIO line is named by its line name
// or by its chip's label and offset, with its active level. Check says
// everything wrong with a description, naming the board and the part.
//
// LoadModules loads the kernel modules (uinit does, at boot). Open makes
// the board's gpio-sim chips through configfs, then opens each part: the
// flight switch and the radio through drivers/gpioline, flightmode and
// radio; the codec, keypads, modem port, audio card and storage through
// opener functions the caller passes in from the packages that drive
// them, so those packages plug in without this one knowing them. A part
// that fails to open is a line in the report ("radio: line PWRKEY not
// found on chip ringo-board ..."), never a crash.
//
// qemu-virt is the CI board (GPIO lines on a gpio-sim chip, the codec's
// registers on i2c-stub at 0x18, the virtio keyboard); pinephone-1.2 the
// real handset (docs/boards/pinephone-1.2.md); host a development
// machine without hardware.
package board
