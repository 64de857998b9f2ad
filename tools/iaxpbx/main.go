// Command iaxpbx is the embedded IAX2 peer for demos and tests: a
// registrar with an echo (600), a 1004 Hz tone (601), a recorder (602),
// a DTMF sender (100), and calls between its users. It logs one line per
// event on standard output. See docs/iax.md.
//
//	iaxpbx -config iaxpbx.conf
//	iaxpbx -listen 127.0.0.1:4569 -user handset1:s3cret:201 -user fax:pw -no-calltoken fax
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ringo-phone/ringo/tools/iaxpbx/pbx"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := pbx.Main(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "iaxpbx:", err)
		os.Exit(1)
	}
}
