package runenv

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/ringo-phone/ringo/telephony/bus"
)

// Defaults on the handset.
const (
	DefaultConfig  = "/etc/ringo"
	DefaultRuntime = "/run/ringo"
	DefaultState   = "/var/lib/ringo/state"
	EnvConfig      = "RINGO_CONFIG"
	EnvRuntime     = "RINGO_RUNTIME"
	EnvState       = "RINGO_STATE"
)

// Dirs are the directories a program works with: Config holds the
// configuration (read, and written by the settings tools), Runtime the bus
// socket (gone at reboot), State what a program keeps for itself across a
// restart and a reboot (phoned's call history, the flight request). On the
// handset State lies on the persistent storage; a program creates its own
// files there (0600, written atomically: temp file and rename) and copes
// with the directory being absent or unwritable by saying so and going on.
type Dirs struct {
	Config  string
	Runtime string
	State   string
}

// Flags registers -config and -runtime on fs. Their defaults come from the
// environment (getenv, usually os.Getenv), then from the handset defaults.
// Read the result after fs.Parse.
func Flags(fs *flag.FlagSet, getenv func(string) string) *Dirs {
	d := &Dirs{}
	fs.StringVar(&d.Config, "config", orDefault(getenv(EnvConfig), DefaultConfig),
		"configuration directory (env "+EnvConfig+")")
	fs.StringVar(&d.Runtime, "runtime", orDefault(getenv(EnvRuntime), DefaultRuntime),
		"runtime directory holding bus.sock (env "+EnvRuntime+")")
	fs.StringVar(&d.State, "state", orDefault(getenv(EnvState), DefaultState),
		"state directory kept across reboots (env "+EnvState+")")
	return d
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Abs makes the directories absolute, so that child processes and logs
// see the same paths whatever their working directory.
func (d *Dirs) Abs() error {
	var err error
	if d.Config, err = filepath.Abs(d.Config); err != nil {
		return err
	}
	if d.Runtime, err = filepath.Abs(d.Runtime); err != nil {
		return err
	}
	if d.State != "" {
		d.State, err = filepath.Abs(d.State)
	}
	return err
}

// Socket is the bus socket path, <runtime>/bus.sock.
func (d Dirs) Socket() string { return bus.SocketPath(d.Runtime) }

// Env returns the environment entries that pass the directories on to a
// child process (State only when it is set).
func (d Dirs) Env() []string {
	env := []string{EnvConfig + "=" + d.Config, EnvRuntime + "=" + d.Runtime}
	if d.State != "" {
		env = append(env, EnvState+"="+d.State)
	}
	return env
}

// Dial connects to the bus as the program name. Its errors say which of
// three things is wrong: the user may not open the socket (ErrBusDenied,
// naming the user and the socket's owner and mode), phoned is at its client
// limit (ErrBusFull), or nobody listens (ErrNoBus, naming the socket).
func Dial(ctx context.Context, d Dirs, name string) (*bus.Client, error) {
	c, err := bus.Dial(ctx, d.Socket(), bus.ClientOptions{Name: name})
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%w %s (you are %s; %s): run it as root or as a member of the socket's group",
			ErrBusDenied, d.Socket(), whoami(), socketOwner(d.Socket()))
	case errors.Is(err, bus.ErrFull):
		// The server's words after the sentinel ("256 clients, all in
		// use"), without the chain of prefixes.
		detail := err.Error()
		if i := strings.LastIndex(detail, bus.ErrFull.Error()); i >= 0 {
			detail = strings.TrimPrefix(detail[i+len(bus.ErrFull.Error()):], ": ")
		}
		return nil, fmt.Errorf("%w (%s); try again when console programs have ended", ErrBusFull, detail)
	}
	return nil, fmt.Errorf("%w: no bus at %s: %w", ErrNoBus, d.Socket(), err)
}
