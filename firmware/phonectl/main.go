// Command phonectl controls the phone from the serial console: status,
// calls, dial, answer, hangup, hold, activate, tone, transfer, wait,
// register and deregister; "phonectl help" lists them. See
// docs/console.md.
package main

import (
	"os"

	"github.com/ringo-phone/ringo/firmware/phonectl/ctl"
	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(ctl.Main, os.Interrupt) }
