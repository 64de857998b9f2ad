// Command hwcheck checks the simulated hardware of the CI board from the
// serial console: it makes a gpio-sim chip with named lines through configfs
// and lists the lines a GPIO character device then shows, and it writes a
// byte to an I2C register and reads it back. The HIL smoke test runs it; an
// engineer bringing up a board can run it too.
//
//	hwcheck gpiosim -chip NAME -lines a,b[,c...]
//	hwcheck i2c [-bus N] -addr 0x1a -reg 0x10 -value 0xa5
package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hwcheck:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  hwcheck gpiosim -chip NAME -lines a,b[,c...]
  hwcheck i2c [-bus N] -addr 0x1a -reg 0x10 -value 0xa5`

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("no check given\n%s", usage)
	}
	switch args[0] {
	case "gpiosim":
		return gpioSim(ctx, args[1:], out)
	case "i2c":
		return i2cCheck(ctx, args[1:], out)
	}
	return fmt.Errorf("unknown check %q\n%s", args[0], usage)
}
