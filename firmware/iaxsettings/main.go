// Command iaxsettings is the settings program of the Asterisk VoIP agent,
// as Qt Extended's examples/asterisk had one: it shows and changes the
// account in <config>/Asterisk.conf and tells the running agent to reload.
//
//	iaxsettings show
//	iaxsettings set [-server HOST[:PORT]] [-user U] [-password -] [-auto|-manual]
//	                [-refresh SECONDS] [-emergency=true|false]
//	                [-callerid-name N] [-callerid-number N]
//	iaxsettings register | deregister
//
// The password is read from standard input (`-password -`), without echo on
// a terminal; it never appears on the command line, in logs or in the value
// space.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "iaxsettings:", err)
		os.Exit(1)
	}
}
