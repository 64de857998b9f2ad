package runenv_test

import (
	"context"
	"flag"
	"os"

	"github.com/ringo-phone/ringo/internal/runenv"
)

// Every Ringo program finds the configuration and the bus the same way.
func ExampleFlags() {
	fs := flag.NewFlagSet("iaxagent", flag.ExitOnError)
	dirs := runenv.Flags(fs, os.Getenv)
	fs.Parse(os.Args[1:])
	c, err := runenv.Dial(context.Background(), *dirs, "iaxagent") // the program name: phoned attributes services by it
	if err != nil {
		return
	}
	defer c.Close()
}
