// Command iaxcli is the diagnostic IAX2 client: it registers to an
// Asterisk server (or iaxpbx), places a call or answers calls, and prints
// every step. Its logic is cli.Main (tools/iaxcli/cli); see docs/iax.md.
//
//	iaxcli register -server pbx.example.org -user handset1
//	iaxcli call -server 127.0.0.1:4569 -user handset1 -dial 601 -record tone.wav
package main

import (
	"os"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/tools/iaxcli/cli"
)

func main() { command.Main(cli.Main, os.Interrupt) }
