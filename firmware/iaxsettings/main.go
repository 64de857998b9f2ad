// Command iaxsettings is the settings program of the Asterisk VoIP agent;
// its logic is firmware/iaxsettings/settings. See "iaxsettings help".
package main

import (
	"os"

	"github.com/ringo-phone/ringo/firmware/iaxsettings/settings"
	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(settings.Main, os.Interrupt) }
