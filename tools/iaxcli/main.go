// Command iaxcli is the diagnostic IAX2 client: it registers to an
// Asterisk server (or iaxpbx), places a call or answers calls, and prints
// every step. See docs/iax.md.
//
//	iaxcli register -server pbx.example.org -user handset1
//	iaxcli call -server 127.0.0.1:4569 -user handset1 -dial 601 -record tone.wav
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ringo-phone/ringo/tools/iaxcli/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
