package pbx

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/pcaptap"
	"github.com/ringo-phone/ringo/internal/version"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// Main is the iaxpbx command: it parses args, runs the PBX until ctx ends
// and logs to standard output. It returns the exit code: 0 after a clean
// stop, 2 for a bad flag or argument, 1 otherwise (a configuration that
// cannot be used, a port that is taken).
func Main(ctx context.Context, args []string, env command.Env) int {
	return command.Exit(env, "iaxpbx", run(ctx, args, env))
}

func run(ctx context.Context, args []string, env command.Env) error {
	stdout := env.Stdout
	fs := flag.NewFlagSet("iaxpbx", flag.ContinueOnError)
	var (
		cfgPath, listen, recordDir, pcapPath, level string
		users, noToken, encryption                  listFlag
		cfg                                         Config
		showVersion                                 bool
		cpuProfile                                  string
	)
	fs.StringVar(&cfgPath, "config", "", "configuration file (see docs/iax.md)")
	fs.StringVar(&listen, "listen", "", "UDP address to listen on (default :4569, or the file's)")
	fs.Var(&users, "user", "add a user NAME:SECRET[:NUMBER] (repeatable)")
	fs.Var(&noToken, "no-calltoken", "let user NAME register and call without calltokens (repeatable)")
	fs.Var(&encryption, "encryption", "NAME:aes128 encrypts user NAME's calls that offer it, NAME:required refuses the others (repeatable)")
	fs.StringVar(&recordDir, "record-dir", "", "where extension 602 writes WAV files (default . or the file's)")
	fs.StringVar(&pcapPath, "pcap", "", "write every datagram sent and received to this pcap file")
	fs.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file until iaxpbx stops")
	fs.IntVar(&cfg.MaxSetup, "max-setup", 0, "calls and registrations one address may have being set up at once (64, or the file's)")
	// Test timing.
	fs.DurationVar(&cfg.Refresh, "refresh", 0, "registration lifetime granted when a client asks none (60s)")
	fs.DurationVar(&cfg.MinRefresh, "min-refresh", 0, "shortest registration lifetime granted (10s)")
	fs.DurationVar(&cfg.Retransmit.Initial, "rtx-initial", 0, "first retransmission timeout (1s)")
	fs.DurationVar(&cfg.Retransmit.Min, "rtx-min", 0, "smallest retransmission timeout (200ms)")
	fs.DurationVar(&cfg.Retransmit.Max, "rtx-max", 0, "largest retransmission timeout (10s)")
	fs.IntVar(&cfg.Retransmit.Tries, "rtx-tries", 0, "sends of a full frame before giving up (5)")
	fs.DurationVar(&cfg.PingInterval, "ping", 0, "PING interval on calls (20s)")
	fs.DurationVar(&cfg.DTMFDuration, "dtmf-duration", 0, "length of each digit extension 100 sends (100ms)")
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if showVersion {
		fmt.Fprintln(stdout, "iaxpbx", version.Version)
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q (iaxpbx takes only flags; -h lists them)", command.ErrUsage, fs.Args())
	}
	if cfgPath != "" {
		b, err := os.ReadFile(cfgPath)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
		fc, err := ParseConfig(b)
		if err != nil {
			return fmt.Errorf("%s: %w", cfgPath, err)
		}
		cfg.Listen, cfg.RecordDir, cfg.Users = fc.Listen, fc.RecordDir, fc.Users
		if cfg.MaxSetup == 0 {
			cfg.MaxSetup = fc.MaxSetup
		}
	}
	if cfg.MaxSetup < 0 {
		return fmt.Errorf("%w: -max-setup %d: give a whole number of at least 1", command.ErrUsage, cfg.MaxSetup)
	}
	for _, s := range users {
		u, err := ParseUserFlag(s)
		if err != nil {
			return err
		}
		cfg.Users = append(cfg.Users, u)
	}
	for _, n := range noToken {
		found := false
		for i := range cfg.Users {
			if cfg.Users[i].Name == n {
				cfg.Users[i].NoCallToken, found = true, true
			}
		}
		if !found {
			return fmt.Errorf("%w: -no-calltoken %s: no such user", ErrConfig, n)
		}
	}
	for _, v := range encryption {
		name, e, err := ParseEncryptionFlag(v)
		if err != nil {
			return err
		}
		found := false
		for i := range cfg.Users {
			if cfg.Users[i].Name == name {
				cfg.Users[i].Encryption, found = e, true
			}
		}
		if !found {
			return fmt.Errorf("%w: -encryption %s: no such user", ErrConfig, name)
		}
	}
	if listen != "" {
		cfg.Listen = listen
	}
	if cfg.Listen == "" {
		cfg.Listen = ":4569"
	}
	if recordDir != "" {
		cfg.RecordDir = recordDir
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("%w: -log-level: %w", ErrConfig, err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: lv}))

	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var lc net.ListenConfig
	conn, err := lc.ListenPacket(ctx, "udp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	if u, ok := conn.(*net.UDPConn); ok {
		// Many calls' voice arrives in bursts: a deep socket buffer (the
		// kernel caps it at net.core.rmem_max) keeps them.
		_ = u.SetReadBuffer(4 << 20)
		_ = u.SetWriteBuffer(4 << 20)
	}
	var pconn net.PacketConn = conn
	if pcapPath != "" {
		f, err := os.Create(pcapPath)
		if err != nil {
			conn.Close()
			return err
		}
		defer f.Close()
		w, err := pcaptap.NewWriter(f, time.Now)
		if err != nil {
			conn.Close()
			return err
		}
		pconn = pcaptap.NewConn(conn, w)
	}
	p, err := New(pconn, cfg)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		p.Close()
		return nil
	case <-p.Done():
		if err := p.Err(); err != nil && !errors.Is(err, ErrClosed) {
			return err
		}
		return nil
	}
}
