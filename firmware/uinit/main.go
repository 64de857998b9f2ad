// Command uinit is Ringo's first program on the handset. u-root's init runs
// it once the root filesystem is up. It mounts what is still missing, brings
// the board up (kernel modules, network), prints the boot banner on the
// serial console, starts and supervises phoned, and hands the console to
// the shell, which it keeps alive.
//
// "uinit -h" prints its flags and exits 0; a bad flag exits 2.
package main

import (
	"context"

	"github.com/ringo-phone/ringo/internal/command"
)

func main() { command.Main(uinit) }

func uinit(ctx context.Context, args []string, env command.Env) int {
	return command.Exit(env, "uinit", run(ctx, args))
}
