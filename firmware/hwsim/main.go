// Command hwsim drives the CI board's simulated hardware from the serial
// console: the gpio-sim lines that stand in for the flight-mode switch and
// the modem's STATUS output, so that a person at the console and the HIL
// tests move the same lines phoned watches. Its logic is firmware/hwsim/sim;
// "hwsim -h" lists the commands.
//
//	hwsim flight on|off
//	hwsim status-line high|low
//	hwsim lines
package main

import (
	"os"

	"github.com/ringo-phone/ringo/firmware/hwsim/sim"
	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(sim.Main, os.Interrupt) }
