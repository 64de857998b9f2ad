// Command ringo-boot boots a Ringo image in QEMU with the serial console on
// this terminal (Ctrl-A X, or `poweroff` in the guest, leaves). QEMU runs in
// its own network namespace with only loopback, so the guest reaches nothing
// but the forwarded host ports.
//
//	ringo-boot -kernel build/kernel/vmlinuz -initrd build/ringo.cpio
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/ringo-phone/ringo/tools/qemu"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ringo-boot:", err)
		os.Exit(1)
	}
}

type forwards []qemu.Forward

func (f *forwards) String() string { return fmt.Sprint(*f) }

// Set parses PROTO:HOSTPORT:GUESTPORT, e.g. udp:14569:4569.
func (f *forwards) Set(s string) error {
	p := strings.Split(s, ":")
	if len(p) != 3 || (p[0] != "udp" && p[0] != "tcp") {
		return fmt.Errorf("want udp|tcp:HOSTPORT:GUESTPORT, got %q", s)
	}
	h, err1 := strconv.Atoi(p[1])
	g, err2 := strconv.Atoi(p[2])
	if err1 != nil || err2 != nil || h <= 0 || h > 65535 || g <= 0 || g > 65535 {
		return fmt.Errorf("bad port in %q", s)
	}
	*f = append(*f, qemu.Forward{Proto: p[0], HostPort: h, GuestPort: g})
	return nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("ringo-boot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := qemu.Config{Interactive: true, Keyboard: true}
	fs.StringVar(&cfg.Kernel, "kernel", "build/kernel/vmlinuz", "arm64 kernel Image")
	fs.StringVar(&cfg.Initrd, "initrd", "build/ringo.cpio", "Ringo image (cpio)")
	fs.StringVar(&cfg.Append, "append", "", "extra kernel command line")
	fs.BoolVar(&cfg.Isolate, "isolate", true, "run in a network namespace with only loopback")
	var fwd forwards
	fs.Var(&fwd, "hostfwd", "forward a host loopback port to the guest: udp|tcp:HOSTPORT:GUESTPORT (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.HostForwards = fwd
	fmt.Fprintln(stderr, "ringo-boot: booting; Ctrl-A X or `poweroff` leaves")
	m, err := qemu.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Wait(ctx)
}
