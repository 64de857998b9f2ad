package settings

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony"
	"golang.org/x/term"
)

// Service is the agent's telephony service name.
const Service = "asterisk"

const usage = `usage:
  iaxsettings [-config DIR] [-runtime DIR] show
  iaxsettings [-config DIR] [-runtime DIR] set [-server HOST[:PORT]] [-port N] [-user U] [-password -]
      [-auto|-manual] [-refresh SECONDS] [-emergency=true|false]
      [-encryption aes128|required|no] [-callerid-name N] [-callerid-number N]
  iaxsettings [-config DIR] [-runtime DIR] register|deregister
  iaxsettings help

  show          print the account in <config>/Asterisk.conf and the registration state
  set           change the account, then tell the running agent ("iaxsettings set -h": the flags)
  register      ask the agent to register now
  deregister    ask the agent to deregister
flags:
  -config DIR   configuration directory (env RINGO_CONFIG, default /etc/ringo)
  -runtime DIR  runtime directory holding bus.sock (env RINGO_RUNTIME, default /run/ringo)
exit status: 0 done, 1 failed, 2 usage error.`

const hint = `Run "iaxsettings help" for the usage.`

// busTimeout bounds every request to phoned.
const busTimeout = 5 * time.Second

// Main runs iaxsettings with args (without the program name) and returns
// its exit code: 0 done, 1 failed, 2 usage error.
func Main(ctx context.Context, args []string, env command.Env) int {
	return command.Exit(env, "iaxsettings", run(ctx, args, env))
}

func run(ctx context.Context, args []string, env command.Env) error {
	fs := flag.NewFlagSet("iaxsettings", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dirs := runenv.Flags(fs, env.Getenv)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		_, err := fmt.Fprintln(env.Stdout, usage)
		return err
	} else if err != nil {
		return usageErr("%v", err)
	}
	if fs.NArg() == 0 {
		return usageErr("no command given")
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	if cmd != "set" && len(rest) > 0 {
		return usageErr("%s takes no arguments, got %q", cmd, rest)
	}
	switch cmd {
	case "help":
		_, err := fmt.Fprintln(env.Stdout, usage)
		return err
	case "show":
		return show(ctx, *dirs, env.Stdout)
	case "set":
		return set(ctx, *dirs, rest, env.Stdin, env.Stdout)
	case "register":
		return operatorMode(ctx, *dirs, telephony.OperatorModeAutomatic, env.Stdout)
	case "deregister":
		return operatorMode(ctx, *dirs, telephony.OperatorModeDeregister, env.Stdout)
	}
	return usageErr("unknown command %q", cmd)
}

// usageErr is a mistake on the command line: iaxsettings exits 2 on it.
func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format+"\n%s", append(append([]any{command.ErrUsage}, args...), hint)...)
}

func load(dir string) (asteriskconf.Settings, error) {
	s, err := asteriskconf.Load(dir)
	if errors.Is(err, asteriskconf.ErrNotFound) {
		return asteriskconf.Default(), nil
	}
	return s, err
}

func show(ctx context.Context, dirs runenv.Dirs, w io.Writer) error {
	s, err := load(dirs.Config)
	if err != nil {
		return err
	}
	pw := "(none)"
	if s.Password != "" {
		pw = "(set)"
	}
	mode := "automatic"
	if !s.AutoRegister {
		mode = "manual"
	}
	server := "(none)"
	if s.Configured() {
		server = s.Address()
	}
	fmt.Fprintf(w, "file:              %s\n", asteriskconf.Path(dirs.Config))
	fmt.Fprintf(w, "server:            %s\n", server)
	fmt.Fprintf(w, "user:              %s\n", s.UserID)
	fmt.Fprintf(w, "password:          %s\n", pw)
	fmt.Fprintf(w, "registration:      %s, refresh %d s\n", mode, s.Refresh)
	fmt.Fprintf(w, "emergency capable: %t\n", s.EmergencyCapable)
	fmt.Fprintf(w, "encryption:        %v\n", s.Encryption)
	fmt.Fprintf(w, "caller id:         %q <%s>\n", s.CallerIDName, s.CallerIDNumber)
	state := "(phoned not running)"
	ctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	if c, err := runenv.Dial(ctx, dirs, "iaxsettings"); err == nil {
		defer c.Close()
		if st, err := telephony.NewManager(c).RegistrationState(ctx, Service); err == nil {
			state = st.String()
		} else {
			state = "(no asterisk service)"
		}
	}
	fmt.Fprintf(w, "state:             %s\n", state)
	return nil
}

func set(ctx context.Context, dirs runenv.Dirs, args []string, stdin io.Reader, w io.Writer) error {
	s, err := load(dirs.Config)
	if err != nil && !errors.Is(err, asteriskconf.ErrInsecure) {
		// An unreadable or invalid file is replaced only by a full set.
		return fmt.Errorf("%w (fix or remove %s)", err, asteriskconf.Path(dirs.Config))
	}
	fs := flag.NewFlagSet("iaxsettings set", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	server := fs.String("server", "", "`HOST[:PORT]` of the Asterisk server (the port defaults to 4569)")
	port := fs.Int("port", 0, "the server's UDP port `N` (1-65535), alone or with -server HOST")
	user := fs.String("user", "", "account (IAX2 peer) name `U`")
	password := fs.String("password", "", "`-` reads the password from standard input (never give it on the command line)")
	fs.Bool("auto", false, "register automatically at start")
	fs.Bool("manual", false, "register only on request")
	refresh := fs.Int("refresh", 0, "registration refresh in `seconds`")
	emergency := fs.String("emergency", "", "`true` if this account may place emergency calls, else false")
	encryption := fs.String("encryption", "", "AES-128 for the calls placed: `aes128` (offer it), required (refuse a call without it), no")
	name := fs.String("callerid-name", "", "caller id `name`")
	number := fs.String("callerid-number", "", "caller id `number` (digits, +, *, #)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(w, "usage: iaxsettings [-config DIR] [-runtime DIR] set [flags]\n\nChanges the given settings in Asterisk.conf and keeps the rest.\nflags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		return nil
	} else if err != nil {
		return usageErr("set: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("set: unexpected %q", fs.Args())
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if len(given) == 0 {
		return usageErr("set: nothing to change")
	}
	if given["auto"] && given["manual"] {
		return usageErr("set: -auto and -manual exclude each other")
	}
	if given["port"] && (*port < 1 || *port > 65535) {
		return usageErr("set: -port %d is not between 1 and 65535", *port)
	}
	if given["server"] {
		if *server == "" {
			s.Server = "" // no server: the service becomes invalid
		} else if s.Server, s.Port, err = asteriskconf.ParseServer(*server); err != nil {
			return usageErr("set: -server: %v", err)
		} else if given["port"] && hasPort(*server, s.Server) && s.Port != *port {
			return usageErr("set: -server %s and -port %d name two ports; give the port once", *server, *port)
		}
	}
	if given["port"] {
		s.Port = *port
	}
	if given["user"] {
		s.UserID = *user
	}
	if given["password"] {
		if *password != "-" {
			return usageErr("set: the password is read from standard input: use -password - (never on the command line)")
		}
		if s.Password, err = readPassword(stdin, w); err != nil {
			return err
		}
	}
	if given["auto"] {
		s.AutoRegister = true
	}
	if given["manual"] {
		s.AutoRegister = false
	}
	if given["refresh"] {
		s.Refresh = *refresh
	}
	if given["emergency"] {
		switch *emergency {
		case "true":
			s.EmergencyCapable = true
		case "false":
			s.EmergencyCapable = false
		default:
			return usageErr("set: -emergency wants true or false, got %q", *emergency)
		}
	}
	if given["encryption"] {
		e, err := asteriskconf.ParseEncryption(*encryption)
		if err != nil || strings.TrimSpace(*encryption) == "" {
			return usageErr("set: -encryption wants aes128, required or no, got %q", *encryption)
		}
		s.Encryption = e
	}
	if given["callerid-name"] {
		s.CallerIDName = *name
	}
	if given["callerid-number"] {
		s.CallerIDNumber = *number
	}
	if err := asteriskconf.Save(dirs.Config, s); err != nil {
		return err
	}
	fmt.Fprintf(w, "saved %s\n", asteriskconf.Path(dirs.Config))

	// Tell the agent what changed.
	var updates []string
	if given["server"] || given["port"] || given["user"] || given["password"] || given["auto"] || given["manual"] || given["refresh"] || given["emergency"] || given["encryption"] {
		updates = append(updates, "registration")
	}
	if given["callerid-name"] || given["callerid-number"] {
		updates = append(updates, "callerid")
	}
	return notify(ctx, dirs, updates, w)
}

// notify sends Configuration update(name) for each name. Without phoned
// the file is still saved: the agent reads it when it starts.
func notify(ctx context.Context, dirs runenv.Dirs, names []string, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	c, err := runenv.Dial(ctx, dirs, "iaxsettings")
	if errors.Is(err, runenv.ErrNoBus) {
		fmt.Fprintln(w, "phoned is not running: the agent reads the settings when it starts")
		return nil
	}
	if err != nil {
		return err
	}
	defer c.Close()
	m := telephony.NewManager(c)
	for _, n := range names {
		if err := m.UpdateConfiguration(ctx, Service, n, ""); err != nil {
			if errors.Is(err, telephony.ErrNoService) {
				fmt.Fprintln(w, "the asterisk service is not running: it reads the settings when it starts")
				return nil
			}
			return fmt.Errorf("update(%q): %w", n, err)
		}
		fmt.Fprintf(w, "sent update(%q)\n", n)
	}
	return nil
}

func operatorMode(ctx context.Context, dirs runenv.Dirs, mode telephony.OperatorMode, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	c, err := runenv.Dial(ctx, dirs, "iaxsettings")
	if err != nil {
		return err
	}
	defer c.Close()
	if err := telephony.NewManager(c).SetCurrentOperator(ctx, Service, mode, "", ""); err != nil {
		return err
	}
	fmt.Fprintf(w, "sent setCurrentOperator(%s)\n", mode)
	return nil
}

// hasPort reports whether the -server value v (whose host is host) names
// a port.
func hasPort(v, host string) bool { return v != host && v != "["+host+"]" }

// readPassword reads one line: from a terminal without echo, else as is.
func readPassword(stdin io.Reader, w io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(w, "password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(w)
		if err != nil {
			return "", fmt.Errorf("set: reading the password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("set: -password - found no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
