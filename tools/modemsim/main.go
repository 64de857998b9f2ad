// Command modemsim is a scripted AT modem for CI and for users without a
// modem: a GSM voice modem on a pseudo-terminal or a unix socket, driven
// by control commands ("ring 5551234 Alice", "drop", "vanish 2s"). Its
// logic is sim.Main (tools/modemsim/sim); see docs/modemsim.md.
//
//	modemsim -link /tmp/modem -control /tmp/modem.ctl
//	modemsim -control /tmp/modem.ctl -send 'ring 5551234 Alice'
package main

import (
	"os"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/tools/modemsim/sim"
)

func main() { command.Main(sim.Main, os.Interrupt) }
