package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/ringo-phone/ringo/iax"
)

func (a *actions) register(fs *flag.FlagSet) {
	fs.StringVar(&a.dtmf, "dtmf", "", "DTMF digits to send once connected (0-9 * # A-D)")
	fs.DurationVar(&a.dtmfAt, "dtmf-at", 500*time.Millisecond, "when to start sending -dtmf, after connecting")
	fs.DurationVar(&a.digitLen, "dtmf-duration", 100*time.Millisecond, "length of each digit (and of the gap after it)")
	fs.DurationVar(&a.holdAt, "hold-at", 0, "put the peer on hold this long after connecting")
	fs.DurationVar(&a.resumeAt, "resume-at", 0, "take the peer off hold this long after connecting")
	fs.StringVar(&a.transfer, "transfer", "", "ask the server to transfer the call to this extension")
	fs.DurationVar(&a.transferAt, "transfer-at", time.Second, "when to ask for -transfer, after connecting")
}

func (a *actions) check() error {
	for i := range len(a.dtmf) {
		d := a.dtmf[i]
		if !(d >= '0' && d <= '9' || d == '*' || d == '#' || d >= 'A' && d <= 'D') {
			return fmt.Errorf("%w: -dtmf: %q is not a DTMF digit", ErrUsage, d)
		}
	}
	if a.resumeAt > 0 && a.resumeAt <= a.holdAt {
		return fmt.Errorf("%w: -resume-at must come after -hold-at", ErrUsage)
	}
	a.digitGap = a.digitLen
	return nil
}

func runCall(ctx context.Context, args []string, env *Env, out *printer) error {
	fs := flag.NewFlagSet("iaxcli call", flag.ContinueOnError)
	fs.SetOutput(env.Stdout)
	var (
		c        common
		m        mediaFlags
		a        actions
		dial     string
		duration time.Duration
		ring     time.Duration
		encWord  string
		enc      iax.Encryption
	)
	c.register(fs)
	m.register(fs)
	a.register(fs)
	fs.StringVar(&dial, "dial", "", "extension or number to call")
	fs.DurationVar(&duration, "duration", 5*time.Second, "hang up this long after the call connects")
	fs.DurationVar(&ring, "ring-timeout", 30*time.Second, "give up if the call is not answered within this")
	fs.StringVar(&encWord, "encryption", "no", "AES-128 for the call: aes128 (offer it), required (refuse the call without it), no")
	server, ep, closeEP, err := c.open(ctx, fs, args, func() error {
		if dial == "" {
			return fmt.Errorf("%w: -dial is required", ErrUsage)
		}
		var err error
		if enc, err = iax.ParseEncryption(encWord); err != nil {
			return fmt.Errorf("%w: -encryption: %w", ErrUsage, err)
		}
		if err := m.check(); err != nil {
			return err
		}
		return a.check()
	}, env, out)
	if err != nil {
		return err
	}
	defer closeEP()
	a.hangupAt = duration

	out.line("calling %s at %v as %s from %v", dial, server, c.user, ep.LocalAddr())
	call, err := ep.Dial(iax.DialOptions{Peer: server, Called: dial, Username: c.user, Secret: c.secret, Encryption: enc})
	if err != nil {
		return err
	}
	// Give up on an unanswered call after -ring-timeout.
	unanswered := env.Clock.AfterFunc(ring, func() {
		if call.State() != iax.StateConnected {
			_ = call.Hangup(iax.CauseNoAnswer)
		}
	})
	defer unanswered.Stop()
	s := &session{call: call, clk: env.Clock, out: out, media: m, record: m.record, act: a}
	err = s.run(ctx)
	out.line("%s", summary("call", call.Stats()))
	s.mu.Lock()
	connected := s.connected
	s.mu.Unlock()
	if !connected || errors.Is(err, iax.ErrUnreachable) {
		err = encryptionAdvice(withAdvice(err), enc) // where to look; a call lost midway needs none
	}
	return err
}

// encryptionAdvice adds what to do to a call refused for its encryption.
func encryptionAdvice(err error, enc iax.Encryption) error {
	var he *iax.HangupError
	switch {
	case errors.Is(err, iax.ErrEncryptionRequired):
		return fmt.Errorf("%w: ask the server's administrator for encryption on this account (Asterisk: encryption=aes128 in its iax.conf), or call with -encryption aes128, which goes ahead in the clear", err)
	case !errors.As(err, &he) || !he.Rejected || enc != iax.EncryptionOff:
	case he.CauseCode == 58:
		return fmt.Errorf("%w: the account requires encryption: call with -encryption aes128", err)
	case he.Cause == "No authority found":
		return fmt.Errorf("%w: the server does not know the account, or the account requires encryption (Asterisk's forceencryption answers so): check -user, or call with -encryption aes128", err)
	}
	return err
}
