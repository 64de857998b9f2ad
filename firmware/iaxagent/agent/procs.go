package agent

import (
	"os"
	"runtime"
)

// OneProcessor runs the agent's goroutines on one processor (GOMAXPROCS
// 1) unless the environment sets GOMAXPROCS. The agent's work is a few
// frames every 20 ms; with a second processor idle, every goroutine the
// agent wakes also wakes a second thread to look for work, which finds
// none and sleeps again: in a call that roughly doubled the agent's
// wakeups (docs/PERFORMANCE.md) and took no work off the first.
func OneProcessor() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
