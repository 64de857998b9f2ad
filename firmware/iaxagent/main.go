// Command iaxagent is the Asterisk VoIP agent: phoned starts it from
// <config>/services/Telephony/iaxagent and sends it Telephony::start; it
// then serves the telephony service "asterisk" until Telephony::stop, and
// exits 0. Its logic is agent.Main (firmware/iaxagent/agent).
//
// Exit codes follow the house contract: 0 after a clean stop, 2 for a bad
// flag or argument, 125 for an audio device or log level that cannot work
// (do not restart), 1 otherwise.
package main

import (
	"os"

	"github.com/ringo-phone/ringo/firmware/iaxagent/agent"
	"github.com/ringo-phone/ringo/internal/command"
)

func main() {
	agent.OneProcessor()
	command.Main(agent.Main, os.Interrupt)
}
