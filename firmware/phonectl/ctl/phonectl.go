package ctl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// cmd is one run of phonectl.
type cmd struct {
	out  io.Writer
	json bool
	c    *bus.Client
	m    *telephony.Manager
	// now reads the clock that live calls' durations are measured by.
	now func() time.Time
}

// options are phonectl's flags.
type options struct {
	dirs     *runenv.Dirs
	json     bool
	timeout  time.Duration
	call     string
	service  string
	callType string
}

func newFlags(getenv func(string) string) (*flag.FlagSet, *options) {
	fs := flag.NewFlagSet("phonectl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &options{dirs: runenv.Flags(fs, getenv)}
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "give up after `D`, a duration such as 30s (wait: how long to wait)")
	fs.StringVar(&o.call, "call", "", "act on, or wait for, call `ID` instead of the newest that fits")
	fs.StringVar(&o.service, "service", "", "wait for the registration state of service `NAME`")
	fs.StringVar(&o.callType, "type", "", "the call type `T` to use when several services can place the call")
	return fs, o
}

// Main runs phonectl with args (without the program name) and returns its
// exit code: 0 done, 1 failed, 2 usage error, 3 (phoneapi.ExitChoiceNeeded)
// a dial that needs a call type.
func Main(ctx context.Context, args []string, env command.Env) int {
	return mainAt(ctx, args, env, time.Now)
}

// mainAt is Main with the clock that durations are measured by.
func mainAt(ctx context.Context, args []string, env command.Env, now func() time.Time) int {
	err := runAt(ctx, args, env, now)
	if err != nil {
		err = printableError{err}
	}
	return command.Exit(env, "phonectl", err)
}

func run(ctx context.Context, args []string, env command.Env) error {
	return runAt(ctx, args, env, time.Now)
}

func runAt(ctx context.Context, args []string, env command.Env, now func() time.Time) error {
	fs, o := newFlags(env.Getenv)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		if len(pos) > 0 {
			if s, ok := lookup(pos[0]); ok {
				writeCommandHelp(env.Stdout, fs, s)
				return nil
			}
		}
		writeHelp(env.Stdout, fs)
		return nil
	}
	cmdName := ""
	if len(pos) > 0 {
		if _, ok := lookup(pos[0]); ok {
			cmdName = pos[0]
		}
	}
	if err != nil {
		return usagef(cmdName, "%v", err)
	}
	if len(pos) == 0 {
		return usagef("", "no command given")
	}
	name, rest := pos[0], pos[1:]
	s, ok := lookup(name)
	if !ok {
		return usagef("", "unknown command %q", name)
	}
	if err := checkLine(fs, o, s, rest); err != nil {
		return err
	}
	if name == "help" {
		if len(rest) == 0 {
			writeHelp(env.Stdout, fs)
			return nil
		}
		hs, ok := lookup(rest[0])
		if !ok {
			return usagef("", "help: unknown command %q", rest[0])
		}
		writeCommandHelp(env.Stdout, fs, hs)
		return nil
	}
	if name == "flight" && rest[0] != "on" && rest[0] != "off" {
		return usagef(name, "flight takes on or off, not %q", rest[0])
	}
	var want telephony.CallState
	if name == "wait" {
		if o.service != "" {
			if _, err := telephony.ParseRegistrationState(rest[0]); err != nil {
				return usagef(name, "%v", err)
			}
		} else if want, err = telephony.ParseCallState(rest[0]); err != nil {
			return usagef(name, "%v", err)
		}
	}
	id := o.call
	if s.sel != nil && len(rest) > 0 && s.max == 1 && s.min == 0 {
		id = rest[0] // hangup ID, activate ID
	}

	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	c, err := runenv.Dial(ctx, *o.dirs, "phonectl")
	if err != nil {
		return err
	}
	defer c.Close()
	x := &cmd{out: env.Stdout, json: o.json, c: c, m: telephony.NewManager(c), now: now}
	switch name {
	case "status":
		return x.status(ctx)
	case "calls":
		return x.calls(ctx)
	case "dial":
		return x.dial(ctx, rest[0], o.callType)
	case "flight":
		return x.flight(ctx, rest[0])
	case "answer":
		return x.onCall(ctx, s.sel, id, func(cl Call) error { return x.m.Accept(ctx, cl.Service, cl.ID) })
	case "hangup":
		return x.onCall(ctx, s.sel, id, func(cl Call) error {
			return x.m.Hangup(ctx, cl.Service, cl.ID, telephony.ScopeCallOnly)
		})
	case "hold":
		return x.onCall(ctx, s.sel, id, func(cl Call) error { return x.m.Hold(ctx, cl.Service, cl.ID) })
	case "activate":
		return x.onCall(ctx, s.sel, id, func(cl Call) error {
			return x.m.Activate(ctx, cl.Service, cl.ID, telephony.ScopeCallOnly)
		})
	case "tone":
		return x.onCall(ctx, s.sel, id, func(cl Call) error { return x.m.Tone(ctx, cl.Service, cl.ID, rest[0]) })
	case "transfer":
		return x.onCall(ctx, s.sel, id, func(cl Call) error { return x.m.Transfer(ctx, cl.Service, cl.ID, rest[0]) })
	case "wait":
		if o.service != "" {
			return x.waitRegistration(ctx, o.service, rest[0], o.timeout)
		}
		return x.waitCall(ctx, id, want, o.timeout)
	case "register", "deregister":
		mode := telephony.OperatorModeAutomatic
		if name == "deregister" {
			mode = telephony.OperatorModeDeregister
		}
		if err := x.m.SetCurrentOperator(ctx, rest[0], mode, "", ""); err != nil {
			return err
		}
		return x.print(map[string]string{"service": rest[0], "request": name}, name+" sent to "+printable(rest[0]))
	}
	return fmt.Errorf("phonectl: command %q has no implementation", name) // a spec without a case
}

// checkLine checks the command's arguments and flags against its spec,
// before phonectl talks to anyone.
func checkLine(fs *flag.FlagSet, o *options, s *spec, rest []string) error {
	if len(rest) < s.min || len(rest) > s.max {
		return usagef(s.name, "%s takes %s", s.name, argCount(s.min, s.max))
	}
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		if !slices.Contains(commonFlags, f.Name) && !slices.Contains(s.flags, f.Name) {
			bad = append(bad, "-"+f.Name)
		}
	})
	if len(bad) > 0 {
		return usagef(s.name, "%s does not take %s", s.name, strings.Join(bad, ", "))
	}
	if o.timeout <= 0 {
		return usagef(s.name, "-timeout %s: want a positive duration such as 30s", o.timeout)
	}
	if s.sel != nil && s.min == 0 && len(rest) == 1 && o.call != "" && o.call != rest[0] {
		return usagef(s.name, "%s: call %s or -call %s? Name one call", s.name, rest[0], o.call)
	}
	if s.name == "wait" && o.service != "" && o.call != "" {
		return usagef(s.name, "wait: -service waits for a registration state, -call for a call state; give one")
	}
	return nil
}

func argCount(min, max int) string {
	switch {
	case max == 0:
		return "no arguments"
	case min == max:
		return fmt.Sprintf("%d argument", min)
	case min == 0:
		return fmt.Sprintf("at most %d argument", max)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

// parseInterspersed parses flags wherever they appear among the
// positional arguments. On an error it returns the positional arguments
// read so far.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return pos, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// print writes v as JSON with -json, else text.
func (x *cmd) print(v any, text string) error {
	if x.json {
		return writeJSON(x.out, v)
	}
	if text != "" {
		_, err := fmt.Fprintln(x.out, text)
		return err
	}
	return nil
}

func (x *cmd) dial(ctx context.Context, number, callType string) error {
	r, err := phoneapi.Dial(ctx, x.c, number, callType)
	var ce *phoneapi.ChoiceError
	if errors.As(err, &ce) {
		choice := Choice{Number: number, CallTypes: nonNil(ce.CallTypes), Reason: ce.Reason}
		if x.json {
			if err := x.print(choice, ""); err != nil {
				return err
			}
		}
		return command.ExitError{Code: phoneapi.ExitChoiceNeeded, Err: &choiceError{choice: choice, err: ce}}
	}
	if err != nil {
		return err
	}
	return x.print(r, fmt.Sprintf("%s\t%s\t%s", printable(r.ID), printable(r.Service), printable(r.CallType)))
}

// Choice is what phonectl -json dial prints when several services can
// place the call (and it exits 3): the call types to pick from with -type.
type Choice struct {
	Number    string   `json:"number"`
	CallTypes []string `json:"callTypes"`
	Reason    string   `json:"reason"`
}

// choiceError says which call types can place the number and how to pick
// one; it wraps the *phoneapi.ChoiceError.
type choiceError struct {
	choice Choice
	err    error
}

func (e *choiceError) Error() string {
	types := make([]string, len(e.choice.CallTypes))
	for i, t := range e.choice.CallTypes {
		types[i] = printable(t)
	}
	return fmt.Sprintf("several services can place %s: %s; dial again with -type TYPE",
		cell(e.choice.Number, telephony.MaxNumberLen), strings.Join(types, ", "))
}

func (e *choiceError) Unwrap() error { return e.err }

// onCall finds the call (id's, or the one sel picks) and acts on it.
func (x *cmd) onCall(ctx context.Context, sel *selector, id string, act func(Call) error) error {
	t, err := readCalls(ctx, x.c)
	if err != nil {
		return err
	}
	cl, err := sel.pick(t, id)
	if err != nil {
		return err
	}
	if err := act(cl); err != nil {
		return err
	}
	return x.print(cl, printable(cl.ID))
}

func (x *cmd) calls(ctx context.Context) error {
	t, err := readCalls(ctx, x.c)
	if err != nil {
		return err
	}
	l := measured(t.list(), x.now())
	if x.json {
		return x.print(struct {
			Calls  []Call `json:"calls"`
			Missed int64  `json:"missedCalls"`
		}{l, t.Missed()}, "")
	}
	return writeCalls(x.out, l, t.Missed(), x.now())
}

// writeCalls prints the call list: DURATION is the time connected (to the
// end, or so far), REASON why an ended call ended when its service said.
func writeCalls(w io.Writer, calls []Call, missed int64, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tNUMBER\tNAME\tSERVICE\tTYPE\tDIRECTION\tSTARTED\tDURATION\tREASON")
	for _, c := range calls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", printable(c.ID), printable(c.State),
			cell(c.Number, telephony.MaxNumberLen), cell(c.Name, telephony.MaxNameLen), printable(c.Service),
			printable(c.CallType), printable(c.Direction), printable(c.StartTime), duration(c, now), cell(c.Reason, maxReasonLen))
	}
	tw.Flush()
	_, err := fmt.Fprintf(w, "missed calls: %d\n", missed)
	return err
}

// waitCall waits until the call (id's, or the newest) is in want. A
// watched call that can no longer be in want ends the wait at once; without
// id, calls that were past want when the wait began are skipped, since the
// wait is then for a newer call (the one just dialled may not be announced
// yet).
func (x *cmd) waitCall(ctx context.Context, id string, want telephony.CallState, timeout time.Duration) error {
	t := newCallTable()
	result := make(chan error, 1)
	var mu sync.Mutex
	var last Call
	skipped := map[string]bool{}
	sub, err := x.c.Subscribe(ctx, telephony.CallsPath, func(b vs.Batch) {
		for _, ch := range b.Changes {
			t.set(ch.Path, ch.Value, ch.Removed)
		}
		if b.Initial && id == "" {
			for _, c := range t.list() {
				skipped[c.ID] = past(c, want)
			}
		}
		var cl Call
		var ok bool
		if id != "" {
			cl, ok = t.Get(id)
		} else {
			cl, ok = t.newest(nil)
		}
		if !ok || cl.State == "" {
			return
		}
		mu.Lock()
		last = cl
		mu.Unlock()
		if skipped[cl.ID] {
			return
		}
		if done, err := verdict(cl, want); done {
			trySend(result, err)
		}
	})
	if err != nil {
		return err
	}
	defer sub.Close()
	select {
	case err := <-result:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		switch {
		case last.ID == "" && id != "":
			return fmt.Errorf("%w after %s waiting for call %s to be %s: there is no such call", ErrTimeout, timeout, id, want)
		case last.ID == "":
			return fmt.Errorf("%w after %s waiting for a call to be %s: there is no call", ErrTimeout, timeout, want)
		case skipped[last.ID]:
			return fmt.Errorf("%w after %s waiting for a new call to be %s: the newest, %s, was already %s when the wait began (name a call with -call)",
				ErrTimeout, timeout, want, last.ID, last.State)
		}
		return fmt.Errorf("%w after %s waiting for call %s to be %s (it is %s)", ErrTimeout, timeout, last.ID, want, last.State)
	}
	mu.Lock()
	defer mu.Unlock()
	return x.print(last, printable(last.ID)+" "+want.String())
}

func trySend(ch chan error, err error) {
	select {
	case ch <- err:
	default:
	}
}

// waitRegistration waits until service's registration state is state.
func (x *cmd) waitRegistration(ctx context.Context, service, state string, timeout time.Duration) error {
	want, err := telephony.ParseRegistrationState(state)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	result := make(chan error, 1)
	var mu sync.Mutex
	var last string
	sub, err := x.m.WatchRegistration(ctx, service, func(r telephony.Registration, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		if !ok {
			last = "gone"
			return
		}
		last = r.State.String()
		if r.State == want {
			trySend(result, nil)
		}
	})
	if err != nil {
		return err
	}
	defer sub.Close()
	select {
	case <-result:
		return x.print(map[string]string{"service": service, "registrationState": state}, printable(service)+" "+state)
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		if last == "" {
			last = "not published"
		}
		return fmt.Errorf("%w after %s waiting for %s to be %s (it is %s)", ErrTimeout, timeout, service, state, last)
	}
}
