// Command phoned is the phone server: it hosts the bus, starts and
// supervises the telephony agents, runs the call policy managers and keeps
// the call list. See firmware/phoned/server and docs/console.md.
//
// Exit codes: 0 after SIGTERM/SIGINT and a clean stop, 125 for a
// configuration error (do not restart), 1 otherwise.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ringo-phone/ringo/firmware/phoned/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stderr, os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "phoned:", err)
		if errors.Is(err, server.ErrConfig) {
			os.Exit(server.ExitDoNotRestart)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer, getenv func(string) string) error {
	return server.Main(ctx, args, stderr, getenv)
}
