package agent

import (
	"github.com/ringo-phone/ringo/board"
)

// boardPort is the modem port of the board the agent runs on, found by
// the device tree below root ("/" on a device) as phoned finds it. A
// service file's Exec takes no arguments, so this is how the image's
// modemagent learns its port. ok is false when there is no device tree,
// it names no known board, or the board has no modem.
func boardPort(root string) (p board.ModemPort, name string, ok bool) {
	compat, err := board.ReadCompatible(root)
	if err != nil {
		return board.ModemPort{}, "", false
	}
	b, err := board.Lookup(compat)
	if err != nil || b.ModemPort == nil {
		return board.ModemPort{}, b.Name, false
	}
	return *b.ModemPort, b.Name, true
}
