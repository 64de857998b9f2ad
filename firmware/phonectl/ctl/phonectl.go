package ctl

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ringo-phone/ringo/internal/runenv"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

const usage = `usage: phonectl [-config DIR] [-runtime DIR] [-json] COMMAND [ARGS]
commands:
  status                         services, registration, call types, agents, problems
  calls                          the call list
  dial NUMBER [-type T]          place a call (phoned picks the service)
  answer                         answer the newest incoming call
  hangup [ID]                    end a call (default: the newest live one)
  hold                           hold the newest connected call
  activate [ID]                  resume a held call (default: the newest held one)
  tone DIGITS                    send DTMF on the newest connected call
  transfer NUMBER                transfer the newest connected call
  wait STATE [-call ID] [-timeout D]           wait for a call state (default: the newest call)
  wait -service NAME STATE [-timeout D]        wait for a registration state
  register SERVICE | deregister SERVICE`

// cmd is one run of phonectl.
type cmd struct {
	out  io.Writer
	json bool
	c    *bus.Client
	m    *telephony.Manager
}

// Main runs phonectl with args (without the program name).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("phonectl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dirs := runenv.Flags(fs, getenv)
	asJSON := fs.Bool("json", false, "print JSON")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long (wait: how long to wait)")
	callID := fs.String("call", "", "wait: the call to watch (default: the newest)")
	service := fs.String("service", "", "wait: wait for this service's registration state")
	callType := fs.String("type", "", "dial: the call type to use when several services can place the call")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return fmt.Errorf("%w: %w\n%s", ErrUsage, err, usage)
	}
	if len(pos) == 0 {
		return fmt.Errorf("%w: no command\n%s", ErrUsage, usage)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := runenv.Dial(ctx, *dirs, "phonectl")
	if err != nil {
		return err
	}
	defer c.Close()
	x := &cmd{out: stdout, json: *asJSON, c: c, m: telephony.NewManager(c)}
	name, rest := pos[0], pos[1:]
	need := func(n int) error {
		if len(rest) != n {
			return fmt.Errorf("%w: %s takes %d argument(s)\n%s", ErrUsage, name, n, usage)
		}
		return nil
	}
	opt := func() (string, error) {
		if len(rest) > 1 {
			return "", fmt.Errorf("%w: %s takes at most one argument\n%s", ErrUsage, name, usage)
		}
		if len(rest) == 1 {
			return rest[0], nil
		}
		return "", nil
	}
	switch name {
	case "status":
		if err := need(0); err != nil {
			return err
		}
		return x.status(ctx)
	case "calls":
		if err := need(0); err != nil {
			return err
		}
		return x.calls(ctx)
	case "dial":
		if err := need(1); err != nil {
			return err
		}
		return x.dial(ctx, rest[0], *callType)
	case "answer":
		if err := need(0); err != nil {
			return err
		}
		return x.onCall(ctx, "", "incoming", isState("Incoming"), func(cl Call) error { return x.m.Accept(ctx, cl.Service, cl.ID) })
	case "hangup":
		id, err := opt()
		if err != nil {
			return err
		}
		return x.onCall(ctx, id, "live", func(cl Call) bool { return !cl.Final() }, func(cl Call) error {
			return x.m.Hangup(ctx, cl.Service, cl.ID, telephony.ScopeCallOnly)
		})
	case "hold":
		if err := need(0); err != nil {
			return err
		}
		return x.onCall(ctx, "", "connected", isState("Connected"), func(cl Call) error { return x.m.Hold(ctx, cl.Service, cl.ID) })
	case "activate":
		id, err := opt()
		if err != nil {
			return err
		}
		return x.onCall(ctx, id, "held", isState("Hold"), func(cl Call) error {
			return x.m.Activate(ctx, cl.Service, cl.ID, telephony.ScopeCallOnly)
		})
	case "tone":
		if err := need(1); err != nil {
			return err
		}
		return x.onCall(ctx, "", "connected", isState("Connected"), func(cl Call) error { return x.m.Tone(ctx, cl.Service, cl.ID, rest[0]) })
	case "transfer":
		if err := need(1); err != nil {
			return err
		}
		return x.onCall(ctx, "", "connected or held", isState("Connected", "Hold"), func(cl Call) error {
			return x.m.Transfer(ctx, cl.Service, cl.ID, rest[0])
		})
	case "wait":
		if err := need(1); err != nil {
			return err
		}
		if *service != "" {
			return x.waitRegistration(ctx, *service, rest[0], *timeout)
		}
		return x.waitCall(ctx, *callID, rest[0], *timeout)
	case "register", "deregister":
		if err := need(1); err != nil {
			return err
		}
		mode := telephony.OperatorModeAutomatic
		if name == "deregister" {
			mode = telephony.OperatorModeDeregister
		}
		if err := x.m.SetCurrentOperator(ctx, rest[0], mode, "", ""); err != nil {
			return err
		}
		return x.print(map[string]string{"service": rest[0], "request": name}, name+" sent to "+rest[0])
	}
	return fmt.Errorf("%w: unknown command %q\n%s", ErrUsage, name, usage)
}

// parseInterspersed parses flags wherever they appear among the
// positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func isState(states ...string) func(Call) bool {
	return func(c Call) bool { return slices.Contains(states, c.State) }
}

// print writes v as JSON with -json, else text.
func (x *cmd) print(v any, text string) error {
	if x.json {
		e := json.NewEncoder(x.out)
		e.SetIndent("", "  ")
		return e.Encode(v)
	}
	if text != "" {
		_, err := fmt.Fprintln(x.out, text)
		return err
	}
	return nil
}

func (x *cmd) dial(ctx context.Context, number, callType string) error {
	r, err := phoneapi.Dial(ctx, x.c, number, callType)
	if err != nil {
		return err
	}
	return x.print(r, fmt.Sprintf("%s\t%s\t%s", r.ID, r.Service, r.CallType))
}

// onCall finds the call (id, or the newest that fits) and acts on it.
func (x *cmd) onCall(ctx context.Context, id, what string, fits func(Call) bool, act func(Call) error) error {
	t, err := readCalls(ctx, x.c)
	if err != nil {
		return err
	}
	var cl Call
	if id != "" {
		p, ok := t.calls[id]
		if !ok || p.State == "" {
			return fmt.Errorf("%w: %s", ErrNoCall, id)
		}
		cl = *p
		if !fits(cl) {
			return fmt.Errorf("%w: call %s is %s, not %s", ErrNoCall, id, cl.State, what)
		}
	} else {
		var ok bool
		if cl, ok = t.newest(fits); !ok {
			return fmt.Errorf("%w: there is no %s call", ErrNoCall, what)
		}
	}
	if err := act(cl); err != nil {
		return err
	}
	return x.print(cl, cl.ID)
}

func (x *cmd) calls(ctx context.Context) error {
	t, err := readCalls(ctx, x.c)
	if err != nil {
		return err
	}
	l := t.list()
	if x.json {
		return x.print(struct {
			Calls  []Call `json:"calls"`
			Missed int64  `json:"missedCalls"`
		}{l, t.missed}, "")
	}
	tw := tabwriter.NewWriter(x.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tNUMBER\tSERVICE\tTYPE\tDIRECTION\tSTARTED")
	for _, c := range l {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.State, c.Number, c.Service, c.CallType, c.Direction, c.StartTime)
	}
	tw.Flush()
	_, err = fmt.Fprintf(x.out, "missed calls: %d\n", t.missed)
	return err
}

// waitCall waits until the call (id, or the newest) is in state.
func (x *cmd) waitCall(ctx context.Context, id, state string, timeout time.Duration) error {
	if _, err := telephony.ParseCallState(state); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	t := newCallTable()
	result := make(chan error, 1)
	var mu sync.Mutex
	var last Call
	endedBefore := map[string]bool{} // calls already over when the wait began
	sub, err := x.c.Subscribe(ctx, telephony.CallsPath, func(b vs.Batch) {
		for _, ch := range b.Changes {
			t.set(ch.Path, ch.Value, ch.Removed)
		}
		if b.Initial {
			for _, c := range t.list() {
				endedBefore[c.ID] = c.Final()
			}
		}
		var cl Call
		var ok bool
		if id != "" {
			var p *Call
			if p, ok = t.calls[id]; ok {
				cl = *p
			}
		} else {
			cl, ok = t.newest(nil)
		}
		if !ok || cl.State == "" {
			return
		}
		mu.Lock()
		last = cl
		mu.Unlock()
		switch {
		case cl.State == state:
			trySend(result, nil)
		case cl.Final() && !endedBefore[cl.ID]:
			trySend(result, fmt.Errorf("%w: call %s ended in %s, not %s", ErrEnded, cl.ID, cl.State, state))
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
		if last.ID == "" {
			return fmt.Errorf("%w after %s waiting for a call to be %s: there is no call", ErrTimeout, timeout, state)
		}
		return fmt.Errorf("%w after %s waiting for call %s to be %s (it is %s)", ErrTimeout, timeout, last.ID, state, last.State)
	}
	mu.Lock()
	defer mu.Unlock()
	return x.print(last, last.ID+" "+state)
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
		return x.print(map[string]string{"service": service, "registrationState": state}, service+" "+state)
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		if last == "" {
			last = "not published"
		}
		return fmt.Errorf("%w after %s waiting for %s to be %s (it is %s)", ErrTimeout, timeout, service, state, last)
	}
}

// Status is what phonectl status reports.
type Status struct {
	Services    []ServiceStatus `json:"services"`
	Agents      []AgentStatus   `json:"agents"`
	Problems    []Problem       `json:"problems"`
	MissedCalls int64           `json:"missedCalls"`
	LiveCalls   int             `json:"liveCalls"`
}

// ServiceStatus is one service.
type ServiceStatus struct {
	Name                string   `json:"name"`
	Interfaces          []string `json:"interfaces"`
	RegistrationState   string   `json:"registrationState,omitempty"`
	RegistrationMessage string   `json:"registrationMessage,omitempty"`
	Operator            string   `json:"operator,omitempty"`
	Ready               bool     `json:"ready"`
	CallTypes           []string `json:"callTypes"`
}

// AgentStatus is one supervised program.
type AgentStatus struct {
	Program  string   `json:"program"`
	State    string   `json:"state"`
	PID      int64    `json:"pid,omitempty"`
	Restarts int64    `json:"restarts"`
	LastExit string   `json:"lastExit,omitempty"`
	Services []string `json:"services"`
}

// Problem is one of phoned's diagnostics.
type Problem struct {
	Case    string `json:"case"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

func (x *cmd) status(ctx context.Context) error {
	var st Status
	names, err := x.m.Services(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		s := ServiceStatus{Name: n}
		ifs, err := x.m.Interfaces(ctx, n)
		if err != nil {
			return err
		}
		for _, i := range ifs {
			s.Interfaces = append(s.Interfaces, string(i))
		}
		if r, err := x.m.Registration(ctx, n); err == nil {
			s.RegistrationState = r.State.String()
			s.Operator = r.Operator
		}
		if v, ok, err := x.c.Get(ctx, vs.Join(telephony.ServiceStatusPath(n), telephony.KeyRegistrationMsg)); err == nil && ok {
			s.RegistrationMessage, _ = v.Str()
		}
		s.Ready, _, _ = x.m.Ready(ctx, n)
		s.CallTypes, _ = x.m.CallTypes(ctx, n)
		st.Services = append(st.Services, s)
	}
	agents, err := x.c.Snapshot(ctx, phoneapi.AgentsPath)
	if err != nil {
		return err
	}
	byName := map[string]*AgentStatus{}
	var order []string
	for _, e := range agents {
		rest, _ := strings.CutPrefix(e.Path, phoneapi.AgentsPath+"/")
		prog, key, _ := strings.Cut(rest, "/")
		a := byName[prog]
		if a == nil {
			a = &AgentStatus{Program: prog}
			byName[prog] = a
			order = append(order, prog)
		}
		switch key {
		case phoneapi.KeyAgentState:
			a.State, _ = e.Value.Str()
		case phoneapi.KeyAgentPID:
			a.PID, _ = e.Value.Int()
		case phoneapi.KeyAgentRestarts:
			a.Restarts, _ = e.Value.Int()
		case phoneapi.KeyAgentLastExit:
			a.LastExit, _ = e.Value.Str()
		case phoneapi.KeyAgentServices:
			a.Services, _ = e.Value.List()
		}
	}
	for _, p := range order {
		st.Agents = append(st.Agents, *byName[p])
	}
	diags, err := x.c.Snapshot(ctx, phoneapi.DiagnosticsPath)
	if err != nil {
		return err
	}
	for _, e := range diags {
		rest, _ := strings.CutPrefix(e.Path, phoneapi.DiagnosticsPath+"/")
		c, subj, _ := strings.Cut(rest, "/")
		text, _ := e.Value.Str()
		st.Problems = append(st.Problems, Problem{Case: c, Subject: subj, Text: text})
	}
	calls, err := readCalls(ctx, x.c)
	if err != nil {
		return err
	}
	st.MissedCalls = calls.missed
	for _, c := range calls.list() {
		if !c.Final() {
			st.LiveCalls++
		}
	}
	if x.json {
		return x.print(st, "")
	}
	return writeStatus(x.out, st)
}

func writeStatus(w io.Writer, st Status) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tREGISTRATION\tREADY\tCALL TYPES\tMESSAGE")
	if len(st.Services) == 0 {
		fmt.Fprintln(tw, "(none)\t\t\t\t")
	}
	for _, s := range st.Services {
		reg := s.RegistrationState
		if reg == "" {
			reg = "-"
		}
		types := strings.Join(s.CallTypes, ",")
		if types == "" {
			types = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", s.Name, reg, s.Ready, types, s.RegistrationMessage)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AGENT\tSTATE\tPID\tRESTARTS\tSERVICES\tLAST EXIT")
	for _, a := range st.Agents {
		pid := "-"
		if a.PID != 0 {
			pid = fmt.Sprint(a.PID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", a.Program, a.State, pid, a.Restarts, strings.Join(a.Services, ","), a.LastExit)
	}
	tw.Flush()
	fmt.Fprintf(w, "\ncalls: %d live, %d missed\n", st.LiveCalls, st.MissedCalls)
	if len(st.Problems) == 0 {
		_, err := fmt.Fprintln(w, "problems: none")
		return err
	}
	fmt.Fprintln(w, "problems:")
	for _, p := range st.Problems {
		fmt.Fprintf(w, "  - %s\n", p.Text)
	}
	return nil
}
