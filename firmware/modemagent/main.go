// Command modemagent is the cellular modem agent: phoned starts it from
// <config>/services/Telephony/modemagent and sends it Telephony::start; it
// then serves the telephony service "modem" (call type "Voice") on the
// modem's AT port until Telephony::stop, and exits 0. Its logic is
// agent.Main (firmware/modemagent/agent); see docs/modem.md.
//
// Exit codes follow the house contract: 0 after a clean stop, 2 for a bad
// flag or argument, 125 for a command line that cannot work (no -port, a
// bad -log: do not restart), 1 otherwise.
package main

import (
	"os"

	"github.com/ringo-phone/ringo/firmware/modemagent/agent"
	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(agent.Main, os.Interrupt) }
