// Command vsexplorer browses and changes the phone's value space from the
// serial console: ls, get, set, rm, watch, and an interactive shell. See
// docs/console.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ringo-phone/ringo/firmware/vsexplorer/explorer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		first, more, _ := strings.Cut(err.Error(), "\n")
		fmt.Fprintln(os.Stderr, "vsexplorer:", first)
		if more != "" {
			fmt.Fprintln(os.Stderr, more)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	// ^C stops a watch in the shell; outside the shell it ends the program.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	interrupt := make(chan struct{})
	shell := len(args) > 0 && args[len(args)-1] == "shell"
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			select {
			case <-sigs:
				if !shell {
					cancel()
					return
				}
				select {
				case interrupt <- struct{}{}:
				default:
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return explorer.Main(ctx, args, explorer.IO{In: stdin, Out: stdout, Interrupt: interrupt}, os.Getenv)
}
