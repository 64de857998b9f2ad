// Command uinit is Ringo's first program on the handset. u-root's init runs
// it once the root filesystem is up. It mounts what is still missing, brings
// the board up (kernel modules, network), prints the boot banner on the
// serial console, and then hands the console to the shell, which it keeps
// alive. Later it also starts and supervises phoned.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "uinit:", err)
		os.Exit(1)
	}
}
