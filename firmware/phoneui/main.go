// Command phoneui is the call screen on the handset's console: the
// services' status, a dialer, the call-type chooser, the calls with their
// actions and the call history, on a serial console or any terminal. Its
// logic is in package ui.
package main

import (
	"github.com/ringo-phone/ringo/firmware/phoneui/ui"
	"github.com/ringo-phone/ringo/internal/command"
)

// ^C is a key on the call screen (it quits), not a signal: the terminal
// is in raw mode while phoneui runs.
func main() { command.Main(ui.Main) }
