// Command phoned is the phone server: it hosts the bus, starts and
// supervises the telephony agents, runs the call policy managers and keeps
// the call list. Its logic is server.Main (firmware/phoned/server); see
// docs/console.md.
//
// Exit codes: 0 after SIGTERM/SIGINT and a clean stop, 2 for a command
// line it does not understand, 125 for a configuration error (do not
// restart), 1 otherwise.
package main

import (
	"os"

	"github.com/ringo-phone/ringo/firmware/phoned/server"
	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(server.Main, os.Interrupt) }
