// Command phonectl controls the phone from the serial console: status,
// calls, dial, answer, hangup, hold, activate, tone, transfer, wait,
// register and deregister. See docs/console.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ringo-phone/ringo/firmware/phonectl/ctl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		// One line of reason; the usage text goes after it for usage errors.
		msg := err.Error()
		first, more, _ := strings.Cut(msg, "\n")
		fmt.Fprintln(os.Stderr, "phonectl:", first)
		if more != "" {
			fmt.Fprintln(os.Stderr, more)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	return ctl.Main(ctx, args, stdout, os.Stderr, os.Getenv)
}
