// Command vsexplorer browses and changes the phone's value space from the
// serial console: ls, get, set, rm, watch, and an interactive shell. See
// docs/console.md.
package main

import (
	"github.com/ringo-phone/ringo/firmware/vsexplorer/explorer"
	"github.com/ringo-phone/ringo/internal/command"
)

// explorer.Main catches ^C itself: in the shell it stops a watch, not the
// program.
func main() { command.Main(explorer.Main) }
