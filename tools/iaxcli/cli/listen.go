package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/iax"
)

func runListen(ctx context.Context, args []string, env *Env, out *printer) error {
	fs := flag.NewFlagSet("iaxcli listen", flag.ContinueOnError)
	fs.SetOutput(env.Stdout)
	var (
		c        common
		r        regFlags
		m        mediaFlags
		a        actions
		duration time.Duration
	)
	c.register(fs)
	r.register(fs)
	m.register(fs)
	fs.StringVar(&a.dtmf, "dtmf", "", "DTMF digits to send on each answered call")
	fs.DurationVar(&a.dtmfAt, "dtmf-at", 500*time.Millisecond, "when to start sending -dtmf, after answering")
	fs.DurationVar(&a.digitLen, "dtmf-duration", 100*time.Millisecond, "length of each digit (and of the gap after it)")
	fs.DurationVar(&a.hangupAt, "hangup-after", 0, "hang up each call this long after answering (0: the caller or -duration ends it)")
	fs.DurationVar(&duration, "duration", 30*time.Second, "leave after this long, hanging up calls and releasing the registration")
	server, ep, closeEP, err := c.open(ctx, fs, args, func() error {
		if err := m.check(); err != nil {
			return err
		}
		return a.check()
	}, env, out)
	if err != nil {
		return err
	}
	defer closeEP()
	reg, err := registerAndReport(ctx, ep, &c, &r, server, env.Clock, out)
	if err != nil {
		return err
	}

	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	leave := env.Clock.AfterFunc(duration, cancel)
	defer leave.Stop()
	out.line("listening for %v", duration)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
		nCalls int
	)
accept:
	for {
		call, err := ep.Accept(lctx)
		if err != nil {
			break accept
		}
		nCalls++
		n := nCalls
		info := call.Info()
		out.line("incoming call from %q <%s> for %s", info.CallingName, info.CallingNumber, info.Called)
		if err := call.Answer(); err != nil {
			out.line("answer failed: %v", err)
			continue
		}
		out.line("answered")
		mf := m
		if strings.HasPrefix(mf.speaker, "wav:") {
			mf.speaker = "wav:" + recordPath(strings.TrimPrefix(mf.speaker, "wav:"), n)
		}
		s := &session{call: call, clk: env.Clock, out: out, media: mf, record: recordPath(m.record, n), act: a}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.run(lctx)
			out.line("%s", summary("call", call.Stats()))
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if reg.State() != iax.RegRegistered {
		out.line("registration lost: %v", reg.Err())
		out.line("%s", summary("registration", reg.Stats()))
		return fmt.Errorf("registration: %w", reg.Err())
	}
	out.line("calls %d", nCalls)
	if err := release(ctx, reg, out); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
