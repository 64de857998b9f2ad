package sdcard

import (
	"fmt"
	"strings"
)

// Target is what an SD-card image of one board is made of.
type Target struct {
	// Board is the board's name in package board ("pinephone-1.2").
	Board string
	// UBoot is the board's directory under usr/lib/u-boot in Debian's
	// u-boot-sunxi package.
	UBoot string
	// DTB is the device tree's path under the kernel package's dtbs
	// directory (usr/lib/linux-image-<abi>).
	DTB string
	// Console is the serial console for the kernel's command line.
	Console string
}

// Targets lists the boards with an SD-card image.
func Targets() []Target {
	return []Target{{
		Board:   "pinephone-1.2",
		UBoot:   "pinephone",
		DTB:     "allwinner/sun50i-a64-pinephone-1.2.dtb",
		Console: "ttyS0,115200", // UART0, the headphone jack's serial cable
	}}
}

// TargetByName returns the target for a board name.
func TargetByName(board string) (Target, error) {
	var names []string
	for _, t := range Targets() {
		if t.Board == board {
			return t, nil
		}
		names = append(names, t.Board)
	}
	return Target{}, fmt.Errorf("%w: %q (boards with one: %s)", ErrUnknownBoard, board, strings.Join(names, ", "))
}

// Bootargs is the kernel command line: the serial console, and the board
// by name so that uinit does not depend on the device tree's compatible.
func (t Target) Bootargs() string {
	return "console=" + t.Console + " ringo.board=" + t.Board
}
