// Command hwcheck checks the simulated hardware of the CI board from the
// serial console: it makes a gpio-sim chip with named lines through configfs
// and lists the lines a GPIO character device then shows, and it writes a
// byte to an I2C register and reads it back. The HIL smoke test runs it; an
// engineer bringing up a board can run it too. Its logic is
// firmware/hwcheck/check; "hwcheck -h" lists the checks.
//
//	hwcheck gpiosim -chip NAME -lines a,b[,c...]
//	hwcheck i2c [-bus N] -addr 0x18 -reg 0x10 -value 0xa5
package main

import (
	"os"

	"github.com/ringo-phone/ringo/firmware/hwcheck/check"
	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(check.Main, os.Interrupt) }
