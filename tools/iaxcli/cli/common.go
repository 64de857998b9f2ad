package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/pcaptap"
)

// Env is what a run of iaxcli gets from its surroundings; tests fill it.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	// Stderr gets usage mistakes (io.Discard if nil).
	Stderr io.Writer
	// Getenv reads the environment (os.Getenv if nil).
	Getenv func(string) string
	Clock  clock.Clock
}

// printer writes whole lines from several goroutines.
type printer struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *printer) line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// common holds the flags every mode has.
type common struct {
	server, user, secret, local, pcap, level string
	quiet                                    bool
	rtx                                      iax.Retransmit
	ping                                     time.Duration
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.server, "server", "", "IAX2 server HOST[:PORT] (port 4569 by default)")
	fs.StringVar(&c.user, "user", "", "account name")
	fs.StringVar(&c.secret, "secret", "", "account secret (or IAX_SECRET, or standard input)")
	fs.StringVar(&c.local, "local", ":0", "local UDP address")
	fs.StringVar(&c.pcap, "pcap", "", "write every datagram sent and received to this pcap file")
	fs.StringVar(&c.level, "log-level", "", "print the IAX library's log at this level (debug, info, ...)")
	fs.BoolVar(&c.quiet, "quiet", false, "do not print the protocol steps")
	fs.DurationVar(&c.rtx.Initial, "rtx-initial", 0, "first retransmission timeout (1s)")
	fs.DurationVar(&c.rtx.Min, "rtx-min", 0, "smallest retransmission timeout (200ms)")
	fs.DurationVar(&c.rtx.Max, "rtx-max", 0, "largest retransmission timeout (10s)")
	fs.IntVar(&c.rtx.Tries, "rtx-tries", 0, "sends of a full frame before giving up (5)")
	fs.DurationVar(&c.ping, "ping", 0, "PING interval during calls (20s)")
}

// open parses a mode's flags (check runs after parsing, for what the mode
// itself requires), finds the server and the secret, and opens the
// endpoint. The caller runs closeEP when done.
func (c *common) open(ctx context.Context, fs *flag.FlagSet, args []string, check func() error, env *Env, out *printer) (server netip.AddrPort, ep *iax.Endpoint, closeEP func(), err error) {
	if code, ok := command.Parse(fs, args, command.Env{Stdout: env.Stdout, Stderr: env.Stderr}); !ok {
		if code == command.ExitOK {
			return server, nil, nil, command.ExitError{Code: code} // -h: the flags are printed
		}
		return server, nil, nil, fmt.Errorf("%w: %w", ErrUsage, command.ExitError{Code: code}) // said on stderr
	}
	if check != nil {
		if err := check(); err != nil {
			return server, nil, nil, err
		}
	}
	if server, err = c.serverAddr(); err != nil {
		return server, nil, nil, err
	}
	if err := c.resolveSecret(env, out); err != nil {
		return server, nil, nil, err
	}
	ep, closeEP, err = c.endpoint(ctx, env, out)
	return server, ep, closeEP, err
}

// serverAddr resolves -server.
func (c *common) serverAddr() (netip.AddrPort, error) {
	if c.server == "" {
		return netip.AddrPort{}, fmt.Errorf("%w: -server is required", ErrUsage)
	}
	hp := c.server
	if _, _, err := net.SplitHostPort(hp); err != nil {
		hp = net.JoinHostPort(hp, strconv.Itoa(iax.DefaultPort))
	}
	ua, err := net.ResolveUDPAddr("udp4", hp)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("server %s: %w", c.server, err)
	}
	ap := ua.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// resolveSecret finds the secret: flag, environment, terminal prompt,
// or the first line of stdin.
func (c *common) resolveSecret(env *Env, out *printer) error {
	if c.user == "" {
		return fmt.Errorf("%w: -user is required", ErrUsage)
	}
	if c.secret != "" {
		return nil
	}
	if s := env.Getenv("IAX_SECRET"); s != "" {
		c.secret = s
		return nil
	}
	if env.Stdin == nil {
		return ErrNoSecret
	}
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		s, err := readSecretNoEcho(f, func() { out.line("secret for %s: ", c.user) })
		if err != nil {
			return fmt.Errorf("%w: %w", ErrNoSecret, err)
		}
		c.secret = s
	} else {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("%w: %w", ErrNoSecret, err)
		}
		c.secret = strings.TrimRight(line, "\r\n")
	}
	if c.secret == "" {
		return ErrNoSecret
	}
	return nil
}

// endpoint opens the socket, with the pcap tap and the step printer.
func (c *common) endpoint(ctx context.Context, env *Env, out *printer) (*iax.Endpoint, func(), error) {
	var lc net.ListenConfig
	conn, err := lc.ListenPacket(ctx, "udp4", c.local)
	if err != nil {
		return nil, nil, fmt.Errorf("listen %s: %w", c.local, err)
	}
	var (
		w       *pcaptap.Writer
		cleanup = func() {}
	)
	if c.pcap != "" {
		f, err := os.Create(c.pcap)
		if err != nil {
			conn.Close()
			return nil, nil, err
		}
		w, err = pcaptap.NewWriter(f, time.Now)
		if err != nil {
			f.Close()
			conn.Close()
			return nil, nil, err
		}
		cleanup = func() { f.Close() }
	}
	raw, _ := conn.(syscall.Conn) // a *net.UDPConn is one
	tap := &tapConn{Conn: pcaptap.NewConn(conn, w), raw: raw}
	var trace func(iax.TraceFrame)
	if !c.quiet {
		// The steps come from the endpoint's trace, not the socket: an
		// encrypted call's frames are shown as they were before
		// encryption.
		trace = func(f iax.TraceFrame) {
			if s := traceStep(f); s != "" {
				out.line("%s", s)
			}
		}
	}
	logger := slog.New(slog.DiscardHandler)
	if c.level != "" {
		var lv slog.Level
		if err := lv.UnmarshalText([]byte(c.level)); err != nil {
			conn.Close()
			cleanup()
			return nil, nil, fmt.Errorf("%w: -log-level: %w", ErrUsage, err)
		}
		logger = slog.New(slog.NewTextHandler(&lineWriter{out}, &slog.HandlerOptions{Level: lv}))
	}
	ep := iax.New(tap, iax.Config{Clock: env.Clock, Logger: logger, Retransmit: c.rtx, PingInterval: c.ping, Trace: trace})
	return ep, func() { ep.Close(); cleanup() }, nil
}

// tapConn is the recorded socket that still gives iax the socket below
// (syscall.Conn), so that the endpoint can read the ICMP errors the
// kernel reports for it: that is how iaxcli learns at once that nothing
// listens at the server's port.
type tapConn struct {
	*pcaptap.Conn
	raw syscall.Conn
}

func (c *tapConn) SyscallConn() (syscall.RawConn, error) {
	if c.raw == nil {
		return nil, errors.ErrUnsupported
	}
	return c.raw.SyscallConn()
}

type lineWriter struct{ p *printer }

func (l *lineWriter) Write(b []byte) (int, error) {
	l.p.line("%s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// traceStep is step for a frame the endpoint traced: an encrypted one
// says so, and one that did not decrypt is reported as such.
func traceStep(f iax.TraceFrame) string {
	if f.Undecrypted {
		if iax.KindOf(f.Frame) != iax.KindFull {
			return ""
		}
		return fmt.Sprintf("< a frame that does not decrypt (%d octets)", len(f.Frame))
	}
	s := step(f.Sent, f.Frame)
	if s != "" && f.Encrypted {
		if strings.Contains(s, ": ") {
			s += ", encrypted"
		} else {
			s += ": encrypted"
		}
	}
	return s
}

// step describes an IAX command on the wire for the step-by-step output,
// or returns "" for frames that are not steps (acknowledgements, pings,
// media).
func step(sent bool, b []byte) string {
	if iax.KindOf(b) != iax.KindFull {
		return ""
	}
	var f iax.FullFrame
	if err := f.Unmarshal(b); err != nil {
		return ""
	}
	dir := "<"
	if sent {
		dir = ">"
	}
	switch f.Type {
	case iax.FrameIAX:
	case iax.FrameControl:
		switch f.Control() {
		case iax.CtlRinging, iax.CtlAnswer, iax.CtlHold, iax.CtlUnhold, iax.CtlBusy, iax.CtlCongestion:
			return fmt.Sprintf("%s %v", dir, f.Control())
		}
		return ""
	default:
		return ""
	}
	cmd := f.Command()
	switch cmd {
	case iax.CmdAck, iax.CmdPing, iax.CmdPong, iax.CmdLagRq, iax.CmdLagRp, iax.CmdVNAK:
		return ""
	}
	s := fmt.Sprintf("%s %v", dir, cmd)
	if f.Retransmitted {
		s += " (again)"
	}
	var notes []string
	if ie, ok := f.IEs.Get(iax.IECallToken); ok {
		if len(ie.Data) == 0 {
			notes = append(notes, "calltoken requested")
		} else {
			notes = append(notes, "calltoken")
		}
	}
	if f.IEs.Has(iax.IEChallenge) && cmd != iax.CmdRTKey {
		notes = append(notes, "md5 challenge")
	}
	if v, err := f.IEs.Uint(iax.IEEncryption); err == nil {
		what := "aes128 asked"
		if cmd == iax.CmdNew {
			what = "aes128 offered"
		}
		if uint16(v)&iax.EncryptAES128 == 0 {
			what = fmt.Sprintf("encryption %#x", v)
		} else if uint16(v)&iax.EncryptKeyRotate != 0 {
			what += " with key rotation"
		}
		notes = append(notes, what)
	}
	if cmd == iax.CmdRTKey {
		notes = append(notes, "new key")
	}
	if f.IEs.Has(iax.IEMD5Result) {
		notes = append(notes, "md5 answer")
	}
	if v, err := f.IEs.Uint(iax.IERefresh); err == nil {
		notes = append(notes, fmt.Sprintf("refresh %ds", v))
	}
	if s := f.IEs.String(iax.IECalledNumber); s != "" {
		notes = append(notes, "to "+s)
	}
	if cmd == iax.CmdAccept {
		fm, _ := f.IEs.Formats()
		notes = append(notes, fm.String())
	}
	if s := f.IEs.String(iax.IECause); s != "" {
		code, _ := f.IEs.Uint(iax.IECauseCode)
		notes = append(notes, fmt.Sprintf("%q cause %d", s, code))
	}
	if len(notes) > 0 {
		s += ": " + strings.Join(notes, ", ")
	}
	return s
}

// summary formats the closing line.
func summary(what string, st iax.Stats) string {
	var loss float64
	if what == "call" {
		if n := st.VoiceReceived + st.VoiceLost; n > 0 {
			loss = 100 * float64(st.VoiceLost) / float64(n)
		}
	} else if n := st.FramesSent + st.Retransmissions; n > 0 {
		loss = 100 * float64(st.Retransmissions) / float64(n)
	}
	s := fmt.Sprintf("summary: %s frames sent %d received %d retransmissions %d", what, st.FramesSent, st.FramesReceived, st.Retransmissions)
	if what == "call" {
		s += fmt.Sprintf(" voice sent %d received %d", st.VoiceSent, st.VoiceReceived)
	}
	s += fmt.Sprintf(" loss %.1f%% jitter %s rtt %s", loss, round(st.Jitter), round(st.RTT))
	if r := st.Remote; r.Packets > 0 {
		// The peer's receiver report: how it hears us.
		s += fmt.Sprintf("; peer received %d loss %d%% jitter %s", r.Packets, r.LossPercent, round(r.Jitter))
	}
	return s
}

func round(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
