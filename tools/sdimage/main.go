// Command sdimage builds a flashable SD-card image for a handset that boots
// from one (today the PinePhone 1.2) from Debian's U-Boot and kernel and
// Ringo's initramfs: `make image BOARD=pinephone-1.2` runs it. Its logic
// is sdcard.Main (tools/sdimage/sdcard); see docs/boards/pinephone.md.
//
//	sdimage -board pinephone-1.2 -o build/ringo-pinephone-1.2.img
package main

import (
	"os"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/tools/sdimage/sdcard"
)

func main() { command.Main(sdcard.Main, os.Interrupt) }
