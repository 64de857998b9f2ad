package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"net/netip"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
)

type regFlags struct {
	refresh, retryMin, timeout time.Duration
	attempts                   int
}

func (r *regFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&r.refresh, "refresh", 60*time.Second, "registration lifetime to ask for")
	fs.DurationVar(&r.retryMin, "retry-min", 0, "first wait before re-sending an unanswered REGREQ (2s)")
	fs.DurationVar(&r.timeout, "timeout", 30*time.Second, "give up registering after this long")
	fs.IntVar(&r.attempts, "attempts", 3, "give up after this many unanswered attempts (0: never)")
}

func (r *regFlags) options(c *common, server netip.AddrPort) iax.RegisterOptions {
	return iax.RegisterOptions{Server: server, Username: c.user, Secret: c.secret, Refresh: r.refresh,
		RetryMin: r.retryMin, RetryMax: 8 * r.retryMin, MaxAttempts: r.attempts,
		// A diagnostic run says at once that nothing listens there.
		StopIfUnreachable: true}
}

func runRegister(ctx context.Context, args []string, env *Env, out *printer) error {
	fs := flag.NewFlagSet("iaxcli register", flag.ContinueOnError)
	fs.SetOutput(env.Stdout)
	var (
		c common
		r regFlags
	)
	c.register(fs)
	r.register(fs)
	server, ep, closeEP, err := c.open(ctx, fs, args, nil, env, out)
	if err != nil {
		return err
	}
	defer closeEP()
	reg, err := registerAndReport(ctx, ep, &c, &r, server, env.Clock, out)
	if err != nil {
		return err
	}
	return release(ctx, reg, out)
}

// registerAndReport registers, printing the outcome; on failure it prints
// the summary too.
func registerAndReport(ctx context.Context, ep *iax.Endpoint, c *common, r *regFlags, server netip.AddrPort, clk clock.Clock, out *printer) (*iax.Registration, error) {
	out.line("registering %s at %v from %v", c.user, server, ep.LocalAddr())
	rctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	start := clk.Now()
	reg, err := ep.StartRegistration(r.options(c, server))
	if err != nil {
		return nil, err
	}
	if err := reg.Wait(rctx); err != nil {
		reg.Close()
		st := reg.Stats()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = timedOut(server, st, clk.Now().Sub(start), r.timeout)
		}
		var de *iax.DeniedError
		switch {
		case errors.As(err, &de):
			out.line("refused: %q (cause %d)", de.Cause, de.CauseCode)
		case errors.Is(err, iax.ErrUnreachable), errors.Is(err, iax.ErrTimeout):
			out.line("%v", err)
		default:
			out.line("registration failed: %v", err)
		}
		out.line("%s", summary("registration", st))
		return nil, fmt.Errorf("registration: %w", withAdvice(err))
	}
	refresh, apparent := reg.Granted()
	out.line("registered: refresh %v, seen as %v", refresh, apparent)
	return reg, nil
}

// release releases the registration and prints the summary.
func release(ctx context.Context, reg *iax.Registration, out *printer) error {
	out.line("releasing")
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := reg.Release(rctx)
	if err != nil {
		out.line("release failed: %v", err)
	} else {
		out.line("released")
	}
	out.line("%s", summary("registration", reg.Stats()))
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	return nil
}

// timedOut is the error for -timeout running out before the attempts
// did: no answer at all, or answers that never led to a REGACK.
func timedOut(server netip.AddrPort, st iax.Stats, over, limit time.Duration) error {
	if st.FramesReceived == 0 {
		return &iax.NoAnswerError{Peer: server, Frame: "REGREQ", Tries: int(st.FramesSent + st.Retransmissions), Over: over}
	}
	return fmt.Errorf("%w: %v answered but did not accept the registration within -timeout %v", iax.ErrTimeout, server, limit)
}

// Advice for a person, after what went wrong.
const (
	adviceUnreachable = "check the server's address and port (-server HOST:PORT), and that the server is running"
	adviceNoAnswer    = "check the server's address and port, and any firewall on the way"
)

// withAdvice adds what to do to the errors that need it.
func withAdvice(err error) error {
	switch {
	case errors.Is(err, iax.ErrUnreachable):
		return fmt.Errorf("%w: %s", err, adviceUnreachable)
	case errors.Is(err, iax.ErrTimeout):
		return fmt.Errorf("%w: %s", err, adviceNoAnswer)
	}
	return err
}
