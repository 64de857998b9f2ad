package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Status is what phonectl status reports. In its JSON every list is [],
// never null, and keys are added, never renamed (docs/console.md).
type Status struct {
	Services    []ServiceStatus `json:"services"`
	Agents      []AgentStatus   `json:"agents"`
	Problems    []Problem       `json:"problems"`
	MissedCalls int64           `json:"missedCalls"`
	LiveCalls   int             `json:"liveCalls"`
	// Calls are the live calls, oldest first, with their durations so far.
	Calls []Call `json:"calls"`
	// Clients are the bus's clients with their traffic: the connected
	// ones by id, then the totals of closed connections by name.
	Clients []ClientStatus `json:"clients"`
	// Hardware is what phoned publishes of the board's parts.
	Hardware HardwareStatus `json:"hardware"`
	// Audio is the active call's audio as its service publishes it; {}
	// when no call has audio.
	Audio CallAudio `json:"audio"`
}

// CallAudio is the active call's audio counters
// (/Communications/QPhoneCallProvider/<service>/audio/). Its JSON is {}
// when no call has audio, and has every key when one has.
type CallAudio struct {
	Service string `json:"service"`
	Call    string `json:"call"`
	// Device is what plays and records the call: "pulse", or "null (...)"
	// with why the configured device was not available.
	Device    string `json:"device"`
	Sent      int64  `json:"sent"`
	Received  int64  `json:"received"`
	Lost      int64  `json:"lost"`
	Late      int64  `json:"late"`
	Concealed int64  `json:"concealed"`
	Underruns int64  `json:"underruns"`
	// JitterBufferMs is the jitter buffer's depth, DelayMs the delay from
	// a frame's arrival to the speaker.
	JitterBufferMs int64 `json:"jitterBufferMs"`
	DelayMs        int64 `json:"delayMs"`
	// Encrypted says the call's media is encrypted (IAX2 AES-128).
	Encrypted bool `json:"encrypted"`
}

// MarshalJSON writes {} when no call has audio.
func (a CallAudio) MarshalJSON() ([]byte, error) {
	if a.Call == "" {
		return []byte("{}"), nil
	}
	type plain CallAudio
	return json.Marshal(plain(a))
}

// callAudio reads the first service's published call audio, if any.
func (x *cmd) callAudio(ctx context.Context, services []string) (CallAudio, error) {
	for _, n := range services {
		base := vs.Join(telephony.InterfacePath(telephony.CallProviderInterface, n), telephony.KeyAudio)
		entries, err := x.c.Snapshot(ctx, base)
		if err != nil {
			return CallAudio{}, err
		}
		a := CallAudio{Service: n}
		for _, e := range entries {
			key, _ := strings.CutPrefix(e.Path, base+"/")
			num, _ := e.Value.Int()
			switch key {
			case telephony.KeyAudioCall:
				a.Call, _ = e.Value.Str()
			case telephony.KeyAudioDevice:
				a.Device, _ = e.Value.Str()
			case telephony.KeyAudioSent:
				a.Sent = num
			case telephony.KeyAudioReceived:
				a.Received = num
			case telephony.KeyAudioLost:
				a.Lost = num
			case telephony.KeyAudioLate:
				a.Late = num
			case telephony.KeyAudioConcealed:
				a.Concealed = num
			case telephony.KeyAudioUnderruns:
				a.Underruns = num
			case telephony.KeyAudioJitterBufferMs:
				a.JitterBufferMs = num
			case telephony.KeyAudioDelayMs:
				a.DelayMs = num
			case telephony.KeyAudioEncrypted:
				a.Encrypted, _ = e.Value.Bool()
			}
		}
		if a.Call != "" {
			return a, nil
		}
	}
	return CallAudio{}, nil
}

// ServiceStatus is one service.
type ServiceStatus struct {
	Name                string   `json:"name"`
	Interfaces          []string `json:"interfaces"`
	RegistrationState   string   `json:"registrationState,omitempty"`
	RegistrationMessage string   `json:"registrationMessage,omitempty"`
	// RegistrationProblem is what the service says keeps it from
	// registering ("no answer from ..."), when anything does.
	RegistrationProblem string   `json:"registrationProblem,omitempty"`
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

// ClientStatus is one bus client's traffic as the bus counts it
// (bus.ClientInfo), or the totals of the closed connections of one name.
type ClientStatus struct {
	// ID is the connection's owner id on the bus; 0 for closed ones.
	ID   uint64 `json:"id"`
	Name string `json:"name"`
	// Ended is 0 for a connected client, else how many closed
	// connections of this name the entry adds up.
	Ended int `json:"ended"`
	// FramesIn are the frames the bus read from the client, FramesOut the
	// frames it queued to it.
	FramesIn  uint64 `json:"framesIn"`
	FramesOut uint64 `json:"framesOut"`
	// Sent and Received count qcop messages by message name.
	Sent     map[string]uint64 `json:"sent"`
	Received map[string]uint64 `json:"received"`
}

// Clients turns the bus's counters into ClientStatus entries (maps never
// nil).
func Clients(stats []bus.ClientInfo) []ClientStatus {
	out := make([]ClientStatus, 0, len(stats))
	for _, st := range stats {
		cs := ClientStatus{ID: uint64(st.Owner), Name: st.Name, Ended: st.Ended, FramesIn: st.FramesIn,
			FramesOut: st.FramesOut, Sent: st.Sent, Received: st.Received}
		if cs.Sent == nil {
			cs.Sent = map[string]uint64{}
		}
		if cs.Received == nil {
			cs.Received = map[string]uint64{}
		}
		out = append(out, cs)
	}
	return out
}

func (x *cmd) status(ctx context.Context) error {
	st := Status{Services: []ServiceStatus{}, Agents: []AgentStatus{}, Problems: []Problem{}, Calls: []Call{}}
	names, err := x.m.Services(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		s, err := x.service(ctx, n)
		if err != nil {
			return err
		}
		st.Services = append(st.Services, s)
	}
	if st.Agents, err = x.agents(ctx); err != nil {
		return err
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
	st.MissedCalls = calls.Missed()
	if st.Hardware, err = x.hardware(ctx); err != nil {
		return err
	}
	if st.Audio, err = x.callAudio(ctx, names); err != nil {
		return err
	}
	now := x.now()
	for _, c := range measured(calls.list(), now) {
		if !c.Final() {
			st.LiveCalls++
			st.Calls = append(st.Calls, c)
		}
	}
	stats, err := x.c.Stats(ctx)
	if err != nil {
		return err
	}
	st.Clients = Clients(stats)
	if x.json {
		return x.print(st, "")
	}
	return writeStatus(x.out, st, now)
}

// service reads one service's interfaces, registration and call types.
func (x *cmd) service(ctx context.Context, n string) (ServiceStatus, error) {
	s := ServiceStatus{Name: n, Interfaces: []string{}}
	ifs, err := x.m.Interfaces(ctx, n)
	if err != nil {
		return s, err
	}
	for _, i := range ifs {
		s.Interfaces = append(s.Interfaces, string(i))
	}
	if r, err := x.m.Registration(ctx, n); err == nil {
		s.RegistrationState = r.State.String()
		s.Operator = r.Operator
	}
	get := func(path string) string {
		v, ok, err := x.c.Get(ctx, path)
		if err != nil || !ok {
			return ""
		}
		str, _ := v.Str()
		return str
	}
	s.RegistrationMessage = get(vs.Join(telephony.ServiceStatusPath(n), telephony.KeyRegistrationMsg))
	s.RegistrationProblem = get(vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, n), telephony.KeyRegistrationProblem))
	s.Ready, _, _ = x.m.Ready(ctx, n)
	s.CallTypes, _ = x.m.CallTypes(ctx, n)
	s.CallTypes = nonNil(s.CallTypes)
	return s, nil
}

// agents reads what phoned publishes about the programs it supervises.
func (x *cmd) agents(ctx context.Context) ([]AgentStatus, error) {
	entries, err := x.c.Snapshot(ctx, phoneapi.AgentsPath)
	if err != nil {
		return nil, err
	}
	byName := map[string]*AgentStatus{}
	var order []string
	for _, e := range entries {
		rest, _ := strings.CutPrefix(e.Path, phoneapi.AgentsPath+"/")
		prog, key, _ := strings.Cut(rest, "/")
		a := byName[prog]
		if a == nil {
			a = &AgentStatus{Program: prog, Services: []string{}}
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
			l, _ := e.Value.List()
			a.Services = nonNil(l)
		}
	}
	out := make([]AgentStatus, 0, len(order))
	for _, p := range order {
		out = append(out, *byName[p])
	}
	return out, nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func writeStatus(w io.Writer, st Status, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tREGISTRATION\tREADY\tCALL TYPES\tMESSAGE\tPROBLEM")
	if len(st.Services) == 0 {
		fmt.Fprintln(tw, "(none)\t\t\t\t\t")
	}
	for _, s := range st.Services {
		types := make([]string, len(s.CallTypes))
		for i, t := range s.CallTypes {
			types[i] = printable(t)
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\t%s\n", printable(s.Name), cell(s.RegistrationState, 0), s.Ready,
			cell(strings.Join(types, ","), 0), cell(s.RegistrationMessage, maxMessageLen), cell(s.RegistrationProblem, maxMessageLen))
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", printable(a.Program), printable(a.State), pid, a.Restarts,
			printable(strings.Join(a.Services, ",")), printable(a.LastExit))
	}
	tw.Flush()
	fmt.Fprintf(w, "\ncalls: %d live, %d missed\n", st.LiveCalls, st.MissedCalls)
	if len(st.Calls) > 0 {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tSTATE\tNUMBER\tNAME\tDURATION\tSERVICE")
		for _, c := range st.Calls {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", printable(c.ID), printable(c.State), cell(c.Number, telephony.MaxNumberLen),
				cell(c.Name, telephony.MaxNameLen), duration(c, now), printable(c.Service))
		}
		tw.Flush()
	}
	if a := st.Audio; a.Call != "" {
		enc := "not encrypted"
		if a.Encrypted {
			enc = "encrypted (AES-128)"
		}
		fmt.Fprintf(w, "  audio of %s on %s, %s: sent %d, received %d (lost %d, late %d, concealed %d), underruns %d, jitter buffer %d ms, delay %d ms\n",
			printable(a.Call), printable(a.Device), enc, a.Sent, a.Received, a.Lost, a.Late, a.Concealed, a.Underruns, a.JitterBufferMs, a.DelayMs)
	}
	writeHardware(w, st.Hardware)
	if len(st.Problems) == 0 {
		_, err := fmt.Fprintln(w, "problems: none")
		return err
	}
	fmt.Fprintln(w, "problems:")
	for _, p := range st.Problems {
		fmt.Fprintf(w, "  - %s\n", printable(p.Text))
	}
	return nil
}
