package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/ringo-phone/ringo/iax/ladder"
	"github.com/ringo-phone/ringo/internal/command"
)

// runLadder draws the ladder of a capture: iaxcli ladder [-secret S]
// [-svg FILE] [-width N] [-port P] FILE.pcap[ng].
func runLadder(_ context.Context, args []string, env *Env, out *printer) error {
	fs := flag.NewFlagSet("iaxcli ladder", flag.ContinueOnError)
	fs.SetOutput(env.Stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: iaxcli ladder [flags] FILE.pcap|FILE.pcapng\n\n"+
			"Draws the IAX2 frames of a capture (iaxcli -pcap, iaxpbx -pcap, tcpdump, tshark) as a ladder.\n\n")
		fs.PrintDefaults()
	}
	var (
		secret, svg string
		width       int
		port        uint
	)
	fs.StringVar(&secret, "secret", "", "the account's secret, to show an encrypted call decrypted (or IAX_SECRET)")
	fs.StringVar(&svg, "svg", "", "also draw the ladder as an SVG picture in this file")
	fs.IntVar(&width, "width", ladder.DefaultWidth, "console width in characters")
	fs.UintVar(&port, "port", 0, "keep only the datagrams to or from this UDP port (0: every datagram)")
	if code, ok := command.Parse(fs, args, command.Env{Stdout: env.Stdout, Stderr: env.Stderr}); !ok {
		if code == command.ExitOK {
			return command.ExitError{Code: code}
		}
		return fmt.Errorf("%w: %w", ErrUsage, command.ExitError{Code: code})
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: ladder wants one capture file, got %d arguments", ErrUsage, fs.NArg())
	}
	if port > 65535 {
		return fmt.Errorf("%w: -port %d is not a UDP port", ErrUsage, port)
	}
	if width < 40 {
		return fmt.Errorf("%w: -width %d is too narrow for a ladder (at least 40)", ErrUsage, width)
	}
	if secret == "" {
		secret = env.Getenv("IAX_SECRET")
	}
	path := fs.Arg(0)
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	ds, err := ladder.ReadCapture(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(ds) == 0 {
		return fmt.Errorf("%s: no UDP datagrams in the capture", path)
	}
	l := ladder.Build(ds, ladder.Options{Secret: secret, Port: uint16(port)})
	if len(l.Frames) == 0 {
		return fmt.Errorf("%s: no datagrams to or from port %d", path, port)
	}
	out.mu.Lock()
	fmt.Fprintf(out.w, "ladder of %s, from %s\n", path, l.Start.Format("2006-01-02 15:04:05.000 MST"))
	err = l.Text(out.w, width)
	out.mu.Unlock()
	if err != nil {
		return err
	}
	if svg != "" {
		return writeSVG(svg, l)
	}
	return nil
}

func writeSVG(path string, l *ladder.Ladder) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(l.SVG(f), f.Close())
}
