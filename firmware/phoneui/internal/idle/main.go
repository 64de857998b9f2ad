// Command idle is the yardstick of phoneui's idle measurement: a Go
// program that does nothing at all until it is killed, so its wakeups are
// the Go runtime's own floor.
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
