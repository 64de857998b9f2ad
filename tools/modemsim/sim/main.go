package sim

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/logcat"
	"github.com/ringo-phone/ringo/internal/version"
)

const usageText = `usage: modemsim [flags]
       modemsim -control SOCKET -send 'COMMAND'

A scripted AT modem (a GSM voice modem, 3GPP TS 27.007) on a
pseudo-terminal (-link makes a symlink to it; without -socket there is
always one) and/or a unix socket (-socket, for QEMU's virtio console).
It logs every command line it receives (PINs as ****) and its events on
standard output; a test or a person drives it with control commands on
the -control socket, on standard input (-stdin) or in a -script. With
-send it is the control socket's client: it sends one command, prints
the answer, and exits 1 if the command failed. See docs/modemsim.md.

flags:
`

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// Main is the modemsim program (tools/modemsim's main runs it). It
// returns 0 when ctx ends (SIGTERM, ^C), 2 for a usage error, 1 when it
// cannot serve.
func Main(ctx context.Context, args []string, env command.Env) int {
	return command.Exit(env, "modemsim", run(ctx, args, env))
}

func run(ctx context.Context, args []string, env command.Env) error {
	fs := flag.NewFlagSet("modemsim", flag.ContinueOnError)
	var (
		cfg                                 Config
		link, socket, control, send, script string
		commands, level, simState, network  string
		operator, ecc                       string
		stdin, showVersion                  bool
		numbers                             listFlag
		delay                               time.Duration
	)
	fs.StringVar(&link, "link", "", "make `PATH` a symlink to the pty the modem is on")
	fs.StringVar(&socket, "socket", "", "serve the modem on a unix socket at `PATH` too (or only, without -link)")
	fs.StringVar(&control, "control", "", "control socket `PATH` (see the commands below)")
	fs.StringVar(&send, "send", "", "send one control `COMMAND` to -control and print the answer")
	fs.BoolVar(&stdin, "stdin", false, "read control commands from standard input too")
	fs.StringVar(&script, "script", "", "run the control commands in `FILE` at start (wait DURATION pauses)")
	fs.StringVar(&commands, "commands", "", "write each command line received to `FILE`, one a line (default: on standard output as msg=at)")
	fs.StringVar(&level, "log", "info", "log level: debug, info, warn or error")
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&cfg.NoEcho, "no-echo", false, "start with echo off (as after ATE0)")
	fs.StringVar(&simState, "sim", "", "the SIM: ready, absent, pin (locked; needs -pin) or puk (default ready, or pin with -pin)")
	fs.StringVar(&cfg.PIN, "pin", "", "the SIM's PIN; the SIM starts locked")
	fs.StringVar(&cfg.PUK, "puk", "", "the SIM's PUK (default 12345678)")
	fs.StringVar(&network, "network", "home", "what registering gives: home, roaming, searching, denied, none or unknown")
	fs.StringVar(&operator, "operator", "", "the home operator's name (default Ringo Mobile)")
	fs.StringVar(&ecc, "ecc", "", "the SIM's EF_ECC numbers, comma separated (e.g. 999,08)")
	fs.StringVar(&cfg.ECCFile, "ecc-file", "usim", "how EF_ECC is stored: usim (records) or gsm (transparent)")
	fs.Var(&numbers, "number", "give `NUMBER=BEHAVIOUR` another far end: answer, ring, busy, reject, fail, hangup (repeatable)")
	fs.DurationVar(&cfg.RegisterDelay, "register-delay", 0, "how long registering takes (default 200ms)")
	fs.DurationVar(&cfg.AlertAfter, "alert-after", 0, "when an outgoing call's far end rings (default 100ms)")
	fs.DurationVar(&cfg.AnswerAfter, "answer-after", 0, "when the far end then answers (default 300ms)")
	fs.DurationVar(&cfg.RingInterval, "ring-interval", 0, "how often RING repeats (default 1s)")
	fs.DurationVar(&delay, "delay", 0, "answer every command after this long (a slow modem)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output())
		fmt.Fprintln(fs.Output(), ControlHelp)
	}
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if showVersion {
		fmt.Fprintln(env.Stdout, "modemsim", version.Version)
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q (modemsim takes flags; quote a -send command)", command.ErrUsage, fs.Args())
	}
	if send != "" {
		if control == "" {
			return fmt.Errorf("%w: -send needs -control SOCKET", command.ErrUsage)
		}
		return Send(ctx, control, send, env.Stdout)
	}

	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("%w: -log %q: want debug, info, warn or error", command.ErrUsage, level)
	}
	levels := logcat.NewLevels(lv)
	cfg.Logger = slog.New(logcat.NewHandler(slog.NewTextHandler(env.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}), levels))
	cfg.SIM = SIMState(simState)
	st, err := parseRegStat(network)
	if err != nil {
		return fmt.Errorf("-network: %w", err)
	}
	cfg.Network = st
	if ecc != "" {
		cfg.ECC = strings.Split(ecc, ",")
	}
	cfg.Numbers = map[string]Behaviour{}
	for _, nb := range numbers {
		n, b, ok := strings.Cut(nb, "=")
		if !ok || n == "" {
			return fmt.Errorf("%w: -number %q: want NUMBER=BEHAVIOUR", command.ErrUsage, nb)
		}
		if cfg.Numbers[n], err = ParseBehaviour(b); err != nil {
			return fmt.Errorf("-number %s: %w", nb, err)
		}
	}
	if operator != "" {
		cfg.defaultsOperators()
		cfg.Operators[0].Long = operator
	}
	if commands != "" {
		f, err := os.OpenFile(commands, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("-commands: %w", err)
		}
		defer f.Close()
		cfg.Commands = &syncWriter{w: f}
	}
	m, err := New(cfg)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.delay = delay
	m.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	serve := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	if control != "" {
		ln, err := listenControl(control)
		if err != nil {
			return err
		}
		serve(func() error { return m.serveControl(ctx, ln) })
	}
	if socket != "" {
		serve(func() error { return m.ServeSocket(ctx, socket, nil) })
	}
	if link != "" || socket == "" {
		serve(func() error { return m.ServePTY(ctx, link, nil) })
	}
	if stdin {
		serve(func() error { return m.controlStream(ctx, env.Stdin, env.Stdout) })
	}
	if script != "" {
		b, err := os.ReadFile(script)
		if err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("-script: %w", err)
		}
		serve(func() error { return m.RunScript(ctx, string(b)) })
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// defaultsOperators fills in the default operator list only.
func (c *Config) defaultsOperators() {
	if len(c.Operators) == 0 {
		d := Config{}
		d.defaults()
		c.Operators = d.Operators
	}
}

// syncWriter serialises writes to the command log.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

func listenControl(path string) (net.Listener, error) {
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("modemsim: control socket: %w", err)
	}
	return ln, nil
}

// serveControl answers control connections until ctx ends.
func (m *Modem) serveControl(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer os.Remove(ln.Addr().String())
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("modemsim: control socket: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			cstop := context.AfterFunc(ctx, func() { c.Close() })
			defer cstop()
			m.controlStream(ctx, c, c)
		}()
	}
}

// controlStream runs the control commands read from r, answering each
// on w: its text, then "ok", or "error: why".
func (m *Modem) controlStream(ctx context.Context, r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		out, err := m.Control(ctx, sc.Text())
		if out != "" {
			fmt.Fprintln(w, out)
		}
		if err != nil {
			fmt.Fprintln(w, "error:", strings.TrimPrefix(err.Error(), ErrControl.Error()+": "))
		} else {
			fmt.Fprintln(w, "ok")
		}
	}
	return nil
}

// Send is the control socket's client: it sends cmd to the modemsim at
// socket and writes the answer to w; a refused command is an error.
func Send(ctx context.Context, socket, cmd string, w io.Writer) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return fmt.Errorf("modemsim: control socket: %w (is modemsim running with -control %s?)", err, socket)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if _, err := fmt.Fprintln(c, cmd); err != nil {
		return err
	}
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		switch l := sc.Text(); {
		case l == "ok":
			return nil
		case strings.HasPrefix(l, "error: "):
			return errors.New(strings.TrimPrefix(l, "error: "))
		default:
			fmt.Fprintln(w, l)
		}
	}
	return fmt.Errorf("modemsim: the control socket closed without an answer to %q", modem.Redact(cmd))
}
