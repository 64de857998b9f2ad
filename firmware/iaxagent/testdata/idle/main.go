// Command idle is the yardstick of the agent's wakeup benchmarks: a Go
// program that does nothing until it is told to stop, so its context
// switches are the Go runtime's own floor on this machine.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, os.Interrupt)
	<-ch
}
