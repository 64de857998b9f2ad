// Command idle is the yardstick of the agent's wakeup benchmarks: a Go
// program that does nothing until it is told to stop, so its context
// switches are the Go runtime's own floor on this machine. With -tick D
// it does nothing every D instead (on one processor, as the agent runs):
// the floor of any Go program served by a periodic timer, such as a
// call's 20 ms tick.
package main

import (
	"flag"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	tick := flag.Duration("tick", 0, "wake every `D` and do nothing (0: never)")
	flag.Parse()
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, os.Interrupt)
	if *tick > 0 {
		runtime.GOMAXPROCS(1)
		t := time.NewTicker(*tick)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-ch:
				return
			}
		}
	}
	<-ch
}
